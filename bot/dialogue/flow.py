"""The conversation: FAQ answers at any time, and the advisor's follow-up questions.

`Dialogue.step(state, input)` is pure: the same state and input give the same new
state and reply, and nothing is printed, read or sent. The input is typed
(`bot.dialogue.inputs`): only free text goes through the French parser.

What the advisor reads from a message is repeated back ("J'ai noté : ..."), so a
misreading can be corrected; a question is put twice at most, digressions
included: when the reply to its second putting does not answer it, it counts as
"je ne sais pas", and the advice moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot import messages as msg
from bot.dialogue import advisor
from bot.dialogue.inputs import Choice, Command, Input, Text
from bot.dialogue.ports import NeedsReading, Understanding
from bot.dialogue.reading import VerdictReader, offers_a_choice
from bot.dialogue.state import DialogueState, Reply, StateError
from bot.domain import (
    Answer,
    AnswerKind,
    Criterion,
    FallbackReason,
    IntentKind,
    Source,
    Verdict,
)
from bot.nlp.forms import Forms
from bot.nlp.text import clean

__all__ = ["MAX_ASKED", "Conversation", "Dialogue", "sources_text"]

# A follow-up question is put at most this many times.
MAX_ASKED = 2
# How sure a request for advice must be to start a new project in the middle of one.
_SURE_REQUEST = 0.9


class Dialogue:
    """Holds what every conversation shares (the understanding, the readers); no
    per-user state."""

    def __init__(self, bot: Understanding, *, needs: NeedsReading) -> None:
        self.bot = bot
        catalog = bot.catalog
        self.roles = catalog.roles
        self.criteria = list(catalog.criteria.values())
        self.forms = Forms(catalog.grammar)
        self.verdicts = VerdictReader(catalog.grammar, self.forms)
        self.reader = needs
        self._project_terms = frozenset(
            t for w in catalog.lexicon.project_words for t in bot.terms(w)
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
            and all(self.bot.knows_passage(s.passage) for s in state.last_sources)
        )

    def step(self, stored: object, event: Input) -> tuple[DialogueState, Reply]:
        """Answer one input: the new state and the reply.

        `stored` is a DialogueState, its `to_json()` dict, or None for a new session.
        """
        state, notice = self.restore(stored)
        match event:
            case Text(text=text):
                state, reply = self._text(state, text)
            case Verdict():
                state, reply = self._verdict(replace(state, ended=False), event)
            case Command():
                state, reply = self._command(state, event)
            case Choice(number=number):
                state, reply = self._picked(replace(state, ended=False), number)
        if reply.sources and reply.sources != state.last_sources:
            # `/sources` shows the sources of the reply just given ("pourquoi" included).
            state = replace(state, last_sources=reply.sources)
        if notice:
            reply = replace(reply, text=f"{notice}\n\n{reply.text}")
        return state, reply

    def _text(self, state: DialogueState, text: str) -> tuple[DialogueState, Reply]:
        read = self.bot.read(text)
        if not read and clean(text):
            # Only a smiley: a nod, not an empty message.
            return self._nod(state)
        return self._step(state, read)

    def _verdict(self, state: DialogueState, verdict: Verdict) -> tuple[DialogueState, Reply]:
        """A yes, no or "je ne sais pas" given as such (a button): it answers the
        pending question, or accepts the one choice offered."""
        if state.expecting is not None:
            answers = {**state.answers, state.expecting: verdict}
            return self._advance(replace(state, answers=answers, choices=()), "")
        if verdict is Verdict.YES and len(state.choices) == 1:
            return self._choose(state, 1)
        said = msg.ACKNOWLEDGED_AFTER_ADVICE if state.recommendation else msg.ACKNOWLEDGED
        return state, self._say(state, said)

    def _command(self, state: DialogueState, command: Command) -> tuple[DialogueState, Reply]:
        match command:
            case Command.RESTART:
                return self._restart()
            case Command.GOODBYE:
                return self._goodbye(state, self.bot.answer_for_intent(self.roles.goodbye))
            case Command.HELP:
                helped = self.bot.answer_for_intent(self.roles.help)
                return state, self._from_answer(state, helped)
            case Command.SOURCES:
                text = sources_text(state.last_sources, lambda d: self.bot.document(d).title)
                return state, replace(self._say(state, text), sources=state.last_sources)

    def _picked(self, state: DialogueState, number: int) -> tuple[DialogueState, Reply]:
        if not state.choices:
            return state, self._say(state, msg.NO_CHOICE_OFFERED)
        return self._choose(state, number)

    def _nod(self, state: DialogueState) -> tuple[DialogueState, Reply]:
        if state.expecting is not None:
            pending = self.bot.catalog.criteria[state.expecting]
            return self._again_or_next(state, pending, msg.ACKNOWLEDGED_DURING_ADVICE)
        said = msg.ACKNOWLEDGED_AFTER_ADVICE if state.recommendation else msg.ACKNOWLEDGED
        return state, self._say(state, said)

    def _step(self, state: DialogueState, text: str) -> tuple[DialogueState, Reply]:
        if not text:
            return state, self._say(state, msg.EMPTY_MESSAGE)
        state = replace(state, ended=False)
        if state.choices:
            # With a yes/no question pending, "oui" answers it: only numbers pick.
            number = self._choice(text, len(state.choices), by_yes=state.expecting is None)
            if number is not None:
                return self._choose(state, number)
        answer = self.bot.ask(text)
        state = replace(state, choices=())
        if state.expecting is not None:
            return self._answer_to_question(state, text, answer)
        return self._free_message(state, text, answer)

    def _choice(self, text: str, offered: int, *, by_yes: bool) -> int | None:
        """The number a message picks among offered choices ("2", "le deuxième", and
        "oui" `by_yes` when one was offered), or None when it is another message."""
        tokens = self.forms.without_fillers(text)
        rest = [t for t in tokens if t not in self.bot.catalog.grammar.choice_words]
        if len(rest) != 1 or len(tokens) > 3:
            return None
        word = rest[0]
        if word.isdecimal():
            return int(word)
        ordinal = self.bot.catalog.grammar.ordinals.get(word)
        if ordinal is not None:
            return offered if ordinal < 0 else ordinal
        if by_yes and offered == 1 and self.verdicts.read_whole(text) is Verdict.YES:
            return 1
        return None

    # --- While a follow-up question is pending --------------------------------------------

    def _answer_to_question(
        self, state: DialogueState, text: str, answer: Answer
    ) -> tuple[DialogueState, Reply]:
        assert state.expecting is not None
        pending = self.bot.catalog.criteria[state.expecting]
        asking = self.forms.asks_something(text)
        # In a question, a verdict word is only an answer alone ("oui ?"): "plutôt vm ou
        # docker ?" says nothing of the pending point.
        verdict = self.verdicts.read_whole(text) if asking else self.verdicts.read(text)
        if asking and verdict is None:
            # "hein ? jsp": a verdict after the question mark answers all the same.
            verdict = self.verdicts.read_whole(text.rsplit("?", 1)[-1])
        aside: Answer | None = None
        if asking and verdict is None:
            # "je sais pas, c'est quoi le noyau ?": an answer, then a question of its own.
            verdict, aside = self._answer_then_question(text)
        # "c'est quoi un microservice ?" names a criterion but does not answer it, and
        # "super merci" is small talk, whatever "super" resembles.
        quiet = asking or self._chat_only(answer)
        found = {} if quiet else self.reader.read(text, pending=pending.id)
        read = found.get(pending.id)
        hedged = self.verdicts.hedges(text) and read in (Verdict.YES, Verdict.NO)
        # A yes or no that opens a statement of another need is that need's verdict:
        # recorded for the question asked too, it would invent an answer to it. Not when
        # that need reads otherwise: "non, c'est une petite appli" says no to the question
        # asked, and yes to a light application.
        elsewhere = (
            read is None and verdict in found.values() and not self.verdicts.stands_alone(text)
        )
        if verdict is not None and not hedged and not elsewhere:
            # The user's own yes or no wins over a reading; a hedge ("bof, c'est juste
            # des numéros de colis") does not win over what the rest of the answer says.
            found[pending.id] = verdict
        if (
            answer.intent == self.roles.advice
            and answer.kind is AnswerKind.ANSWER
            and answer.confidence >= _SURE_REQUEST
            and pending.id not in found
        ):
            # Advice asked for again, mid-way: for another project, most likely.
            return self._open_advice(found)
        if pending.id in found:
            others = {c: v for c, v in found.items() if c != pending.id}
            state = replace(state, answers={**state.answers, **found})
            noted = self._noted(others, ask_to_correct=False)
            if aside is None:
                return self._advance(state, noted)
            said = aside.text if aside.kind is AnswerKind.ANSWER else msg.CANNOT_ANSWER_ASIDE
            state, reply = self._advance(state, f"{said}\n\n{noted}".strip())
            return state, replace(reply, sources=aside.sources or reply.sources)
        ending = self._restart_or_goodbye(state, answer)
        if ending is not None:
            return ending
        if self._puzzled(text):
            explained = f"{msg.PUZZLED_DURING_ADVICE} {self._why_pending(pending)}"
            return self._again_or_next(state, pending, explained, self.bot.cite(pending.sources))
        if self._acknowledges(text):
            return self._again_or_next(state, pending, msg.ACKNOWLEDGED_DURING_ADVICE)
        if found and "?" not in text:
            # A statement about the project answers other questions than the pending one.
            state = replace(state, answers={**state.answers, **found})
            return self._again_or_next(state, pending, self._noted(found))
        if answer.intent == self.roles.why:
            state, reply = self._again_or_next(
                state, pending, self._why_pending(pending), self.bot.cite(pending.sources)
            )
            return state, replace(reply, intent=answer.intent, confidence=answer.confidence)
        if answer.intent is not None and answer.kind is not AnswerKind.FALLBACK:
            state = replace(state, choices=answer.choices, last_sources=answer.sources)
            return self._again_or_next(state, pending, answer.text, answer.sources, answer)
        if asking:
            # A question the bot cannot answer is not a failed answer: explain the point.
            return self._again_or_next(state, pending, msg.CANNOT_ANSWER_DURING_ADVICE)
        if not self.forms.without_fillers(text):  # only fillers, or emoji with no meaning
            return self._again_or_next(state, pending, msg.ACKNOWLEDGED_DURING_ADVICE)
        return self._again_or_next(state, pending, msg.EXPECTED_ANSWER)

    def _answer_then_question(self, text: str) -> tuple[Verdict | None, Answer | None]:
        """The verdict of a reply that answers the pending question then asks one of the
        domain ("non, mais c'est quoi un hyperviseur ?"), and the bot's answer to it;
        (None, None) for any other reply. A question about the conversation itself
        ("oui, pourquoi ?", "bof, ça sert à quoi ?") is about the question pending."""
        parts = self.forms.answer_then_question(text)
        verdict = self.verdicts.read_whole(parts[0]) if parts is not None else None
        if parts is None or verdict is None:
            return None, None
        aside = self.bot.ask(parts[1])
        answered = aside.kind is AnswerKind.ANSWER and self._is_faq(aside.intent)
        # Of the domain but beyond the sources; not "tu veux dire quoi par là ?", which
        # names nothing of the domain: that one is about the question pending.
        beyond = aside.kind is AnswerKind.FALLBACK and aside.reason is FallbackReason.UNSOURCED
        return (verdict, aside) if answered or beyond else (None, None)

    def _again_or_next(
        self,
        state: DialogueState,
        pending: Criterion,
        before: str,
        sources: tuple[Source, ...] = (),
        answer: Answer | None = None,
    ) -> tuple[DialogueState, Reply]:
        """Put the pending question again, unless it was put twice already (then it counts
        as "je ne sais pas" and the advice moves on) or what the user said settles the
        advice. Every putting counts, after a digression too: never a third time."""
        if advisor.next_question(self.criteria, state.answers) is None:
            return self._advance(state, before)  # what was said settles the advice
        if state.asked >= MAX_ASKED:
            answers = {**state.answers, pending.id: Verdict.UNKNOWN}
            note = msg.SKIPPING if answer is not None else msg.GIVING_UP
            reply_state, reply = self._advance(
                replace(state, answers=answers), f"{before}\n\n{note}"
            )
            return reply_state, replace(reply, sources=sources or reply.sources)
        state = replace(state, asked=state.asked + 1)
        return state, self._ask(state, pending, before, sources, answer)

    # --- No pending question ----------------------------------------------------------------

    def _free_message(
        self, state: DialogueState, text: str, answer: Answer
    ) -> tuple[DialogueState, Reply]:
        intent = answer.intent
        ending = self._restart_or_goodbye(state, answer)
        if ending is not None:
            return ending
        forms = self.forms
        first_person = forms.speaks_of_own_project(text)
        found = (
            self.reader.read(text)
            if first_person and not self._chat_only_small_talk(answer)
            else {}
        )
        own_project = first_person and (bool(found) or self._names_a_project(text))
        if intent == self.roles.why and (state.recommendation is not None or not own_project):
            if state.recommendation is None:
                return state, Reply(
                    text=msg.NOTHING_TO_JUSTIFY, intent=intent, confidence=answer.confidence
                )
            return state, self._why(state)
        if not found and intent == self.roles.advice and not forms.asks_something(text):
            # "besoin d'un conseil, notre appli est en microservices"
            found = self.reader.read(text)
        faq = answer.kind is AnswerKind.ANSWER and self._is_faq(answer.intent)
        # A description of one's project ("on a une vieille appli...") asks for advice,
        # unless it is one question the FAQ answers ("mon appli est sûre dans docker ?");
        # two needs or more, or a choice ("..., vm ou docker ?"), ask for advice.
        describes = (
            own_project
            # Once a project is known, only new needs change its advice.
            and (bool(found) or not state.answers)
            and (
                not faq
                or not forms.asks_something(text)
                or len(found) >= 2
                or offers_a_choice(forms, text, self.bot.terms(text), self.bot.anchors)
            )
        )
        requested = intent == self.roles.advice and answer.kind is AnswerKind.ANSWER
        if requested or describes:
            return self._advice_asked(state, found, answer)
        if self._acknowledges(text) or (not faq and self.verdicts.read_whole(text)):
            # "ok", "sais pas": nothing to answer, but not a question misunderstood either.
            said = msg.ACKNOWLEDGED_AFTER_ADVICE if state.recommendation else msg.ACKNOWLEDGED
            return state, self._say(state, said)
        state = replace(state, choices=answer.choices, last_sources=answer.sources)
        return state, self._from_answer(state, answer)

    def _advice_asked(
        self, state: DialogueState, found: dict[str, Verdict], answer: Answer
    ) -> tuple[DialogueState, Reply]:
        """Advice asked for, in words or by describing the project."""
        if state.answers and found and answer.intent != self.roles.advice:
            # More about the same project: the advice is updated, not restarted.
            # An explicit request for advice is about a new one.
            before = state.recommendation
            state, reply = self._advance(DialogueState(answers={**state.answers, **found}), "")
            said = self._noted(found)
            if reply.recommendation is not None and before is not None:
                kept = reply.recommendation == before
                change = msg.ADVICE_KEPT if kept else msg.ADVICE_UPDATED
                said = f"{self._noted(found, ask_to_correct=False)}\n{change}"
            reply = replace(reply, text=f"{said}\n\n{reply.text}")
        else:
            state, reply = self._open_advice(found)
        confidence = answer.confidence if answer.intent == self.roles.advice else 1.0
        return state, replace(reply, intent=self.roles.advice, confidence=confidence)

    def _names_a_project(self, text: str) -> bool:
        """Whether a message names a project ("appli", "site", "infra")."""
        return not self._project_terms.isdisjoint(self.bot.terms(text))

    def _is_faq(self, intent: str | None) -> bool:
        return intent is not None and self.bot.intent(intent).kind is IntentKind.FAQ

    # --- Steps shared by both -----------------------------------------------------------------

    def _open_advice(self, found: dict[str, Verdict]) -> tuple[DialogueState, Reply]:
        """Advice for a new project, from what the opening message already says."""
        lead = f"{self._noted(found)}\n\n{msg.ADVICE_MORE}" if found else msg.ADVICE_START
        # A need the opening leaves in doubt ("à vérifier") is still to be asked: the
        # advice may settle without it, and the user never said they did not know.
        known: dict[str, Verdict] = {c: v for c, v in found.items() if v is not Verdict.UNKNOWN}
        state, reply = self._advance(DialogueState(answers=known), lead)
        return state, replace(reply, intent=self.roles.advice, confidence=1.0)

    def _noted(self, found: dict[str, Verdict], *, ask_to_correct: bool = True) -> str:
        """What was read from the user's words, repeated back so it can be corrected."""
        if not found:
            return ""
        lines = [msg.NOTED_HEADER]
        for criterion in self.criteria:
            verdict = found.get(criterion.id)
            if verdict is Verdict.YES:
                lines.append(f"- {criterion.reason}")
            elif verdict is Verdict.NO:
                lines.append(f"- {criterion.absent}")
            elif verdict is Verdict.UNKNOWN:
                lines.append("- " + msg.NOTED_UNKNOWN.format(question=_bare(criterion.question)))
        if ask_to_correct:
            lines.append(msg.NOTED_CORRECT_ME)
        return "\n".join(lines)

    def _puzzled(self, text: str) -> bool:
        """Whether the whole reply says the question was not understood: "hein ?",
        "c'est-à-dire ?", or question marks alone."""
        if not self.forms.without_fillers(text):
            return "?" in text
        return self.forms.only_says(text, self.bot.catalog.grammar.puzzlement)

    def _acknowledges(self, text: str) -> bool:
        """Whether the whole message only acknowledges ("ok", "d'accord", "ça marche")."""
        return self.forms.only_says(text, self.bot.catalog.grammar.acknowledgements)

    def _chat_only(self, answer: Answer) -> bool:
        """Thanks, greetings and the like: conversation intents other than asking for advice."""
        if answer.intent is None or answer.intent == self.roles.advice:
            return False
        return self.bot.intent(answer.intent).kind is IntentKind.CONVERSATION

    def _chat_only_small_talk(self, answer: Answer) -> bool:
        # A greeting may open a description of the project ("Salut, on entraîne des
        # modèles sur des cartes graphiques..."): what follows it is read.
        return self._chat_only(answer) and answer.intent not in (
            self.roles.why,
            self.roles.greeting,
        )

    def _advance(self, state: DialogueState, prefix: str) -> tuple[DialogueState, Reply]:
        """Ask the next question, or recommend once the answers settle the outcome."""
        question = advisor.next_question(self.criteria, state.answers)
        if question is not None:
            asked = state.asked + 1 if question.id == state.expecting else 1
            state = replace(state, expecting=question.id, recommendation=None, asked=asked)
            return state, self._ask(state, question, prefix)
        result = advisor.outcome(self.criteria, state.answers)
        reasons = advisor.supporting(self.criteria, state.answers, result)
        wording = self.bot.catalog.outcomes[result]
        lines = [wording.answer, "", msg.REASONS_HEADER if reasons else msg.NO_REASONS]
        if not any(v is not Verdict.UNKNOWN for v in state.answers.values()):
            lines[:0] = [msg.ADVICE_WITHOUT_ANSWERS, ""]
        lines += [f"- {c.reason}" for c in reasons]
        unasked = advisor.unasked_changes(self.criteria, state.answers)
        if unasked:
            lines += [
                "",
                msg.UNASKED_HEADER,
                *(f"- {_without_example(c.question)}" for c in unasked),
            ]
        lines += ["", msg.WHY_HINT]
        sources = self.bot.cite(wording.sources + tuple(s for c in reasons for s in c.sources))
        state = replace(state, expecting=None, recommendation=result, asked=0, last_sources=sources)
        text = "\n".join(lines)
        return state, Reply(
            text=f"{prefix}\n\n{text}" if prefix else text,
            intent=self.roles.advice,
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
            kind=answer.kind if answer is not None else None,
            choices=answer.choices if answer is not None else (),
        )

    def _why_pending(self, pending: Criterion) -> str:
        """Why the pending question matters: which way a yes pushes, in the sources' words."""
        (source,) = self.bot.cite(pending.sources[:1])
        return msg.WHY_THIS_QUESTION.format(
            side=msg.OUTCOME_NAMES[pending.favours], excerpt=source.excerpt, passage=source.passage
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
        sources = self.bot.cite(tuple(s for c in reasons for s in c.sources))
        return Reply(
            text="\n".join(lines),
            intent=self.roles.why,
            confidence=1.0,
            recommendation=state.recommendation,
            sources=sources,
        )

    def _choose(self, state: DialogueState, number: int) -> tuple[DialogueState, Reply]:
        if not 1 <= number <= len(state.choices):
            return state, self._say(state, msg.CHOICE_OUT_OF_RANGE.format(n=len(state.choices)))
        chosen = self.bot.answer_for_intent(state.choices[number - 1])
        state = replace(state, choices=(), last_sources=chosen.sources)
        if chosen.intent == self.roles.advice and state.expecting is None:
            return self._open_advice({})
        if state.expecting is not None:
            pending = self.bot.catalog.criteria[state.expecting]
            return state, self._ask(state, pending, chosen.text, chosen.sources, chosen)
        return state, self._from_answer(state, chosen)

    def _from_answer(self, state: DialogueState, answer: Answer) -> Reply:
        return Reply(
            text=answer.text,
            intent=answer.intent,
            confidence=answer.confidence,
            recommendation=state.recommendation,
            sources=answer.sources,
            kind=answer.kind,
            choices=answer.choices,
        )

    def _restart_or_goodbye(
        self, state: DialogueState, answer: Answer
    ) -> tuple[DialogueState, Reply] | None:
        """`recommencer` and `au revoir` end the current exchange, question pending or not."""
        if answer.intent == self.roles.restart and answer.kind is AnswerKind.ANSWER:
            return self._restart()
        if answer.intent == self.roles.goodbye and answer.kind is AnswerKind.ANSWER:
            return self._goodbye(state, answer)
        return None

    def _restart(self) -> tuple[DialogueState, Reply]:
        return DialogueState(), Reply(
            text=self.bot.intent(self.roles.restart).answer,
            intent=self.roles.restart,
            confidence=1.0,
        )

    def _goodbye(self, state: DialogueState, answer: Answer) -> tuple[DialogueState, Reply]:
        # The pending question is dropped; what was learnt of the project stays.
        state = replace(state, ended=True, expecting=None, asked=0)
        return state, Reply(
            text=answer.text,
            intent=answer.intent,
            confidence=answer.confidence,
            recommendation=state.recommendation,
            ended=True,
        )

    def _say(self, state: DialogueState, text: str) -> Reply:
        return Reply(text=text, expecting=state.expecting, recommendation=state.recommendation)


def _without_example(question: str) -> str:
    """A follow-up question without its example: a short reminder.

    >>> _without_example("Votre application est-elle légère (par exemple, une API) ?")
    'Votre application est-elle légère ?'
    """
    return f"{question.split(' (', 1)[0].rstrip(' ?')} ?"


def _bare(question: str) -> str:
    """A follow-up question without its example, lower-cased: for "à vérifier : ...".

    >>> _bare("Votre application est-elle légère (par exemple, une API) ?")
    'votre application est-elle légère ?'
    """
    short = _without_example(question)
    return f"{short[:1].lower()}{short[1:]}"


def sources_text(sources: tuple[Source, ...], title: Callable[[str], str]) -> str:
    """The sources as lines to read: passage id, document title, excerpt."""
    if not sources:
        return msg.NO_SOURCES
    lines = [
        msg.SOURCE_LINE.format(passage=s.passage, document=title(s.document), excerpt=s.excerpt)
        for s in sources
    ]
    return "\n".join([msg.SOURCES_HEADER, *lines])


class Conversation:
    """Text-only steps over a dialogue, for channels that do not type their inputs yet
    (Slack): `step(state, text)` is `Dialogue.step(state, Text(text=text))`."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue
        self.bot = dialogue.bot

    def step(self, stored: object, text: str) -> tuple[DialogueState, Reply]:
        """Answer one typed message: the new state and the reply."""
        return self.dialogue.step(stored, Text(text=text))
