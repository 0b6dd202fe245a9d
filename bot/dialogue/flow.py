"""The conversation: FAQ answers at any time, and the advisor's follow-up questions.

`Conversation.step(state, text)` is pure: the same state and text give the same
new state and reply, and nothing is printed, read or sent.
"""

from __future__ import annotations

from dataclasses import replace

from bot import messages as msg
from bot.dialogue import advisor
from bot.dialogue.reading import (
    CriteriaReader,
    VerdictReader,
    offers_a_choice,
    speaks_of_own_project,
)
from bot.dialogue.state import DialogueState, Reply, StateError
from bot.domain import (
    Answer,
    AnswerKind,
    Criterion,
    IntentKind,
    Match,
    Source,
    SourceRef,
    Verdict,
)
from bot.engine import Bot, clean
from bot.nlp.questions import asks_something, without_fillers

__all__ = ["Conversation"]

# After this many answers it cannot read, the advisor takes "je ne sais pas".
MAX_FAILED_TRIES = 3


class Conversation:
    """Holds what every conversation shares (the bot, the readers); no per-user state."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.criteria = list(bot.catalog.criteria.values())
        self.verdicts = VerdictReader(bot.catalog.lexicon.verdicts)
        self.reader = CriteriaReader(self.criteria, bot.analyzer)
        self._acknowledgements = frozenset(
            tuple(without_fillers(p)) for p in bot.catalog.lexicon.acknowledgements
        )

    def restore(self, stored: object) -> tuple[DialogueState, str | None]:
        """A stored state, or a fresh one and a French notice if it cannot be read."""
        if stored is None:
            return DialogueState(), None
        if isinstance(stored, DialogueState):
            return stored, None
        try:
            state = DialogueState.from_json(stored)
        except StateError:
            return DialogueState(), msg.STATE_RESET
        if not self._knows(state):
            return DialogueState(), msg.STATE_RESET
        return state, None

    def _knows(self, state: DialogueState) -> bool:
        """Whether every id a stored state names exists in today's data."""
        catalog = self.bot.catalog
        return (
            (state.expecting is None or state.expecting in catalog.criteria)
            and (state.recommendation is None or state.recommendation in catalog.outcomes)
            and all(c in catalog.intents for c in state.choices)
            and all(a in catalog.criteria for a in state.answers)
            and all(s.passage in self.bot.corpus.passages for s in state.last_sources)
        )

    def step(self, stored: object, text: str) -> tuple[DialogueState, Reply]:
        """Answer one message: the new state and the reply.

        `stored` is a DialogueState, its `to_json()` dict, or None for a new session.
        """
        state, notice = self.restore(stored)
        state, reply = self._step(state, clean(text))
        if notice:
            reply = replace(reply, text=f"{notice}\n\n{reply.text}")
        return state, reply

    def _step(self, state: DialogueState, text: str) -> tuple[DialogueState, Reply]:
        if not text:
            return state, self._say(state, msg.EMPTY_MESSAGE)
        state = replace(state, ended=False)
        if state.choices and text.strip().isdecimal():
            return self._choose(state, int(text.strip()))
        answer = self.bot.ask(text)
        state = replace(state, choices=())
        if state.expecting is not None:
            return self._answer_to_question(state, text, answer)
        return self._free_message(state, text, answer)

    # --- While a follow-up question is pending --------------------------------------------

    def _answer_to_question(
        self, state: DialogueState, text: str, answer: Answer
    ) -> tuple[DialogueState, Reply]:
        assert state.expecting is not None
        pending = self.bot.catalog.criteria[state.expecting]
        asking = asks_something(text)
        # In a question, a verdict word is only an answer alone ("oui ?"): "plutôt vm
        # ou docker ?" says nothing of the pending point.
        verdict = self.verdicts.read_whole(text) if asking else self.verdicts.read(text)
        if verdict is None and self._acknowledges(text):
            return state, self._ask(state, pending, msg.ACKNOWLEDGED_DURING_ADVICE)
        # "c'est quoi un microservice ?" names a criterion but does not answer it, and
        # "super merci" is small talk, whatever "super" resembles.
        found = {} if asking or self._chat_only(answer) else self.reader.read(text)
        if answer.intent == "recommandation" and verdict is None:
            # Advice asked for again, mid-way: for another project, most likely.
            return self._open_advice(found)
        if verdict is not None:
            found[pending.id] = verdict
        if pending.id in found:
            answers = {**state.answers, **found}
            return self._advance(replace(state, answers=answers, failed_tries=0), "")
        if found and "?" not in text:
            # A statement about the project answers other questions than the pending one.
            answers = {**state.answers, **found}
            return self._advance(replace(state, answers=answers), msg.NOTED)
        intent = answer.intent
        ending = self._restart_or_goodbye(state, answer)
        if ending is not None:
            return ending
        if intent == "pourquoi":
            reply = self._ask(state, pending, msg.WHY_THIS_QUESTION, self._sources(pending.sources))
            return state, replace(reply, intent=intent, confidence=answer.confidence)
        if intent is not None and answer.kind is not AnswerKind.FALLBACK:
            state = replace(state, choices=answer.choices, last_sources=answer.sources)
            return state, self._ask(state, pending, answer.text, answer.sources, answer)
        if found:
            answers = {**state.answers, **found}
            return self._advance(replace(state, answers=answers), msg.NOTED)
        if asking:
            # A question the bot cannot answer is not a failed answer: explain the point.
            said = msg.CANNOT_ANSWER_DURING_ADVICE
            return state, self._ask(state, pending, said, self._sources(pending.sources))
        tries = state.failed_tries + 1
        if tries >= MAX_FAILED_TRIES:
            answers = {**state.answers, pending.id: Verdict.UNKNOWN}
            return self._advance(replace(state, answers=answers, failed_tries=0), msg.GIVING_UP)
        state = replace(state, failed_tries=tries)
        return state, self._ask(state, pending, msg.EXPECTED_ANSWER)

    # --- No pending question ----------------------------------------------------------------

    def _free_message(
        self, state: DialogueState, text: str, answer: Answer
    ) -> tuple[DialogueState, Reply]:
        intent = answer.intent
        ending = self._restart_or_goodbye(state, answer)
        if ending is not None:
            return ending
        if intent == "pourquoi":
            if state.recommendation is None:
                return state, Reply(
                    text=msg.NOTHING_TO_JUSTIFY, intent=intent, confidence=answer.confidence
                )
            return state, self._why(state)
        found = self.reader.read(text) if speaks_of_own_project(text) else {}
        # A description of one's project ("j'ai une vieille appli...") opens the advice,
        # unless it is one question the FAQ answers ("mon appli est sûre dans docker ?");
        # two needs or more, or a choice ("..., vm ou docker ?"), ask for advice.
        describes = found and (
            intent is None
            or "?" not in text
            or len(found) >= 2
            or offers_a_choice(text, self.bot.analyzer.terms(text), self.bot.anchors)
        )
        if intent == "recommandation" or describes:
            if state.answers and found and intent != "recommandation":
                # More about the same project: the advice is updated, not restarted.
                # An explicit request for advice is about a new one.
                before = state.recommendation
                answers = {**state.answers, **found}
                state, reply = self._advance(DialogueState(answers=answers), "")
                if reply.recommendation is None:
                    said = msg.ADVICE_NOTED  # questions follow
                elif before is None:
                    said = msg.NOTED
                else:
                    said = msg.ADVICE_KEPT if reply.recommendation == before else msg.ADVICE_UPDATED
                reply = replace(reply, text=f"{said}\n\n{reply.text}")
            else:
                state, reply = self._open_advice(found)
            # The message asked for advice, in words or by describing the project.
            confidence = answer.confidence if intent == "recommandation" else 1.0
            return state, replace(reply, intent="recommandation", confidence=confidence)
        faq = answer.intent is not None and self.bot.intent(answer.intent).kind is IntentKind.FAQ
        if self._acknowledges(text) or (not faq and self.verdicts.read_whole(text)):
            # "ok", "sais pas": nothing to answer, but not a question misunderstood either.
            said = msg.ACKNOWLEDGED_AFTER_ADVICE if state.recommendation else msg.ACKNOWLEDGED
            return state, self._say(state, said)
        state = replace(state, choices=answer.choices, last_sources=answer.sources)
        return state, Reply(
            text=answer.text,
            intent=answer.intent,
            confidence=answer.confidence,
            recommendation=state.recommendation,
            sources=answer.sources,
        )

    # --- Steps shared by both -----------------------------------------------------------------

    def _open_advice(self, found: dict[str, Verdict]) -> tuple[DialogueState, Reply]:
        """Advice for a new project, from what the opening message already says."""
        state, reply = self._advance(
            DialogueState(answers=found), msg.ADVICE_NOTED if found else msg.ADVICE_START
        )
        return state, replace(reply, intent="recommandation", confidence=1.0)

    def _acknowledges(self, text: str) -> bool:
        """Whether the whole message only acknowledges ("ok", "d'accord", "ça marche")."""
        return tuple(without_fillers(text)) in self._acknowledgements

    def _chat_only(self, answer: Answer) -> bool:
        """Thanks, greetings and the like: conversation intents other than asking for advice."""
        if answer.intent is None or answer.intent == "recommandation":
            return False
        return self.bot.intent(answer.intent).kind is IntentKind.CONVERSATION

    def _advance(self, state: DialogueState, prefix: str) -> tuple[DialogueState, Reply]:
        """Ask the next question, or recommend once the answers settle the outcome."""
        question = advisor.next_question(self.criteria, state.answers)
        if question is not None:
            tries = state.failed_tries if question.id == state.expecting else 0
            state = replace(state, expecting=question.id, recommendation=None, failed_tries=tries)
            return state, self._ask(state, question, prefix)
        if prefix == msg.ADVICE_NOTED:
            prefix = msg.NOTED  # no questions follow
        result = advisor.outcome(self.criteria, state.answers)
        reasons = advisor.supporting(self.criteria, state.answers, result)
        wording = self.bot.catalog.outcomes[result]
        lines = [wording.answer, "", msg.REASONS_HEADER if reasons else msg.NO_REASONS]
        if not any(v is not Verdict.UNKNOWN for v in state.answers.values()):
            lines[:0] = [msg.ADVICE_WITHOUT_ANSWERS, ""]
        lines += [f"- {c.reason}" for c in reasons]
        lines += ["", msg.WHY_HINT]
        sources = self._sources(wording.sources + tuple(s for c in reasons for s in c.sources))
        state = replace(
            state, expecting=None, recommendation=result, failed_tries=0, last_sources=sources
        )
        text = "\n".join(lines)
        return state, Reply(
            text=f"{prefix}\n\n{text}" if prefix else text,
            intent="recommandation",
            confidence=1.0,
            recommendation=result,
            sources=sources,
        )

    def _ask(
        self,
        state: DialogueState,
        question: Criterion,
        before: str,
        sources: tuple[Source, ...] = (),
        answer: Answer | None = None,
    ) -> Reply:
        # After a digression (an FAQ answer), say that the pending question comes back.
        lead = msg.BACK_TO_QUESTION if answer is not None else ""
        asked = lead + question.question
        return Reply(
            text=f"{before}\n\n{asked}" if before else asked,
            intent=answer.intent if answer is not None else None,
            confidence=answer.confidence if answer is not None else 0.0,
            expecting=question.id,
            recommendation=state.recommendation,
            sources=sources,
        )

    def _why(self, state: DialogueState) -> Reply:
        assert state.recommendation is not None
        reasons = advisor.supporting(self.criteria, state.answers, state.recommendation)
        lines = [msg.WHY_HEADER.format(outcome=msg.OUTCOME_NAMES[state.recommendation])]
        for criterion in reasons:
            passages = ", ".join(s.passage for s in criterion.sources)
            lines.append(f"- {criterion.reason} ({msg.SOURCE_WORD} {passages})")
        against = [
            c for c in self.criteria if state.answers.get(c.id) in (Verdict.NO, Verdict.UNKNOWN)
        ]
        if not reasons:
            lines.append(msg.NO_REASONS)
        if len(against) == 1:
            lines.append(msg.WHY_ABSENT_ONE)
        elif against:
            lines.append(msg.WHY_ABSENT.format(count=len(against)))
        sources = self._sources(tuple(s for c in reasons for s in c.sources))
        return Reply(
            text="\n".join(lines),
            intent="pourquoi",
            confidence=1.0,
            recommendation=state.recommendation,
            sources=sources,
        )

    def _choose(self, state: DialogueState, number: int) -> tuple[DialogueState, Reply]:
        if not 1 <= number <= len(state.choices):
            return state, self._say(state, msg.CHOICE_OUT_OF_RANGE.format(n=len(state.choices)))
        chosen = self.bot.answer_for("", Match(intent=state.choices[number - 1], confidence=1.0))
        state = replace(state, choices=(), last_sources=chosen.sources)
        if state.expecting is not None:
            pending = self.bot.catalog.criteria[state.expecting]
            return state, self._ask(state, pending, chosen.text, chosen.sources, chosen)
        return state, Reply(
            text=chosen.text,
            intent=chosen.intent,
            confidence=1.0,
            recommendation=state.recommendation,
            sources=chosen.sources,
        )

    def _restart_or_goodbye(
        self, state: DialogueState, answer: Answer
    ) -> tuple[DialogueState, Reply] | None:
        """`recommencer` and `au revoir` end the current exchange, question pending or not."""
        if answer.intent == "recommencer":
            return self._restart()
        if answer.intent == "au_revoir":
            return self._goodbye(state, answer)
        return None

    def _restart(self) -> tuple[DialogueState, Reply]:
        return DialogueState(), Reply(
            text=self.bot.intent("recommencer").answer, intent="recommencer", confidence=1.0
        )

    def _goodbye(self, state: DialogueState, answer: Answer) -> tuple[DialogueState, Reply]:
        # The pending question is dropped; what was learnt of the project stays.
        state = replace(state, ended=True, expecting=None, failed_tries=0)
        return state, Reply(
            text=answer.text,
            intent=answer.intent,
            confidence=answer.confidence,
            recommendation=state.recommendation,
            ended=True,
        )

    def _say(self, state: DialogueState, text: str) -> Reply:
        return Reply(text=text, expecting=state.expecting, recommendation=state.recommendation)

    def _sources(self, refs: tuple[SourceRef, ...]) -> tuple[Source, ...]:
        seen: dict[str, Source] = {}
        for ref in refs:
            passage = self.bot.corpus.passages[ref.passage]
            seen.setdefault(
                ref.passage,
                Source(
                    document=passage.document,
                    passage=passage.id,
                    excerpt=ref.excerpt or passage.text,
                ),
            )
        return tuple(seen.values())
