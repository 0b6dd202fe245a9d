"""The conversation as a pure function: whole dialogues, without any channel."""

import json
import re

import pytest

from bot import messages as msg
from bot.assembly import conversation_for
from bot.dialogue.flow import Conversation
from bot.dialogue.inputs import Command
from bot.dialogue.state import DialogueState, Reply
from bot.domain import Verdict
from bot.engine import Bot

VM_SIDE = [
    "dependances_os",
    "application_heritee",
    "multi_os",
    "isolation_forte",
    "controle_os",
    "ressources_materielles",
]
CONTAINER_SIDE = ["microservices", "mise_a_echelle", "cloud_distribue", "deploiement_rapide"]


def talk(conversation: Conversation, *messages: str) -> tuple[DialogueState, Reply]:
    state: DialogueState | None = None
    reply = Reply(text="")
    for message in messages:
        state, reply = conversation.step(state, message)
    assert state is not None
    return state, reply


def persona(
    conversation: Conversation,
    has: set[str],
    opening: str = "vm ou conteneur pour mon projet ?",
    yes: str = "oui",
    no: str = "non",
) -> tuple[str | None, int]:
    """Answers every follow-up question from a truth table; returns (outcome, questions asked)."""
    state, reply = conversation.step(None, opening)
    asked = 0
    while reply.expecting is not None:
        asked += 1
        assert asked <= 10, "the advisor must not loop"
        state, reply = conversation.step(state, yes if reply.expecting in has else no)
    return reply.recommendation, asked


@pytest.mark.parametrize(
    ("has", "outcome"),
    [
        (set(VM_SIDE), "vm"),
        (set(CONTAINER_SIDE), "conteneur"),
        ({"dependances_os", "application_heritee"}, "vm"),
        ({"microservices", "mise_a_echelle"}, "conteneur"),
        ({"isolation_forte", "microservices", "mise_a_echelle"}, "conteneur_sur_vm"),
    ],
)
def test_clear_cut_personas_reach_the_obvious_outcome_within_six_questions(
    conversation: Conversation, has: set[str], outcome: str
) -> None:
    result, asked = persona(conversation, has)
    assert result == outcome
    assert asked <= 6


def test_casual_yes_and_no_words_are_understood(conversation: Conversation) -> None:
    result, _ = persona(conversation, set(CONTAINER_SIDE), yes="carrément", no="pas du tout")
    assert result == "conteneur"
    result, _ = persona(conversation, set(VM_SIDE), yes="ouais", no="nan")
    assert result == "vm"


def test_the_advisor_stops_as_soon_as_the_outcome_is_settled(conversation: Conversation) -> None:
    # Two hard VM needs outweigh anything the containers side could still add,
    # except strong needs on both sides: only those questions remain worth asking.
    _, asked = persona(conversation, {"dependances_os", "application_heritee"})
    assert asked <= 5


def test_opening_sentence_settles_the_criteria_it_reveals(conversation: Conversation) -> None:
    state, reply = talk(conversation, "j'ai une vieille appli qui ne tourne que sous Windows XP")
    assert state.answers.get("dependances_os") is Verdict.YES
    # A second need in one statement is only noted when as sure as the first; if not,
    # it is asked, never contradicted.
    assert state.answers.get("application_heritee") in (Verdict.YES, None)
    assert reply.expecting != "dependances_os"


@pytest.mark.parametrize(
    "opening",
    ["je dois choisir entre vm et docker pour mon appli", "j'ai une vieille appli windows xp"],
)
def test_the_message_that_opens_the_advice_reports_the_recommandation_intent(
    conversation: Conversation, opening: str
) -> None:
    _, reply = talk(conversation, opening)
    assert reply.expecting is not None
    assert reply.intent == "recommandation" and reply.confidence > 0.5


@pytest.mark.parametrize("message", ["oui", "ok", "non"])
def test_a_bare_yes_or_no_after_the_recommendation_is_acknowledged(
    conversation: Conversation, message: str
) -> None:
    state, reply = talk(conversation, "j'ai une vieille appli qui ne tourne que sous Windows XP")
    while reply.expecting is not None:
        state, reply = conversation.step(state, "non")
    assert reply.recommendation is not None
    state, reply = conversation.step(state, message)
    assert reply.text == msg.ACKNOWLEDGED_AFTER_ADVICE
    assert state.recommendation == reply.recommendation is not None


def test_a_bare_yes_with_nothing_pending_invites_a_question(conversation: Conversation) -> None:
    _, reply = talk(conversation, "ouais")
    assert reply.text == msg.ACKNOWLEDGED and reply.intent is None


def test_free_text_answer_to_a_question_is_read_as_criteria(conversation: Conversation) -> None:
    state, reply = talk(conversation, "un conseil pour mon projet svp")
    state, reply = conversation.step(state, "on a besoin de windows et linux sur le même serveur")
    assert state.answers.get("multi_os") is Verdict.YES
    assert reply.text.startswith(msg.NOTED_HEADER) and reply.expecting != "multi_os"


def test_negated_statement_marks_the_criterion_absent(conversation: Conversation) -> None:
    state, _ = talk(
        conversation, "conseille moi pour mon appli", "il n'y a pas de microservices chez nous"
    )
    assert state.answers.get("microservices") is Verdict.NO


def test_a_faq_question_during_the_flow_is_answered_then_the_question_asked_again(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "aide moi à choisir pour mon projet")
    pending = reply.expecting
    state, reply = conversation.step(state, "au fait, c'est quoi un hyperviseur ?")
    assert reply.intent == "definition_hyperviseur"
    assert pending is not None and reply.expecting == pending
    assert conversation.bot.catalog.criteria[pending].question in reply.text


def test_gibberish_gets_told_what_is_expected(conversation: Conversation) -> None:
    state, reply = talk(conversation, "un conseil pour mon projet")
    pending = reply.expecting
    state, reply = conversation.step(state, "zorglub blip")
    assert "oui, non ou je ne sais pas" in reply.text
    assert reply.expecting == pending


def test_a_question_unread_twice_counts_as_dont_know_and_is_never_asked_a_third_time(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "un conseil pour mon projet")
    pending = reply.expecting
    for _ in range(2):
        state, reply = conversation.step(state, "zorglub blip")
    assert pending is not None and state.answers[pending] is Verdict.UNKNOWN
    assert reply.expecting != pending
    assert msg.GIVING_UP in reply.text


def test_the_same_unreadable_reply_twenty_times_never_repeats_a_question_three_times(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "un conseil pour mon projet")
    shown: dict[str, int] = {}
    for _ in range(20):
        if reply.expecting is None:
            break
        shown[reply.expecting] = shown.get(reply.expecting, 0) + 1
        state, reply = conversation.step(state, "blablabla truc machin")
    assert max(shown.values()) <= 2
    assert reply.recommendation is not None


def _why_after_a_vm_recommendation(conversation: Conversation) -> tuple[DialogueState, Reply]:
    """Every VM need answered yes and every container one no, then "pourquoi ?"."""
    state, reply = talk(conversation, "vm ou conteneur pour mon projet ?")
    while reply.expecting is not None:
        state, reply = conversation.step(state, "oui" if reply.expecting in VM_SIDE else "non")
    return conversation.step(state, "pourquoi ?")


def test_pourquoi_after_a_recommendation_lists_the_criteria_and_their_passages(
    conversation: Conversation,
) -> None:
    state, why = _why_after_a_vm_recommendation(conversation)
    assert why.intent == "pourquoi" and why.recommendation == "vm"
    said = [c for c in VM_SIDE if state.answers.get(c) is Verdict.YES]
    assert said
    for criterion in (conversation.bot.catalog.criteria[c] for c in said):
        passage = criterion.sources[0].passage
        assert criterion.reason in why.text and passage in why.text
        assert any(s.passage == passage for s in why.sources)


def test_the_sources_command_after_pourquoi_gives_that_replys_sources(
    conversation: Conversation,
) -> None:
    state, why = _why_after_a_vm_recommendation(conversation)
    _, listed = conversation.dialogue.step(state, Command.SOURCES)
    assert listed.sources == why.sources != ()


def test_pourquoi_before_any_recommendation_says_there_is_none(conversation: Conversation) -> None:
    _, reply = talk(conversation, "pourquoi ?")
    assert "rien recommandé" in reply.text


def test_recommencer_resets_the_session(conversation: Conversation) -> None:
    state, _ = talk(
        conversation, "j'ai une vieille appli qui ne tourne que sous Windows XP", "recommencer"
    )
    assert state == DialogueState()


def test_au_revoir_ends_the_conversation(conversation: Conversation) -> None:
    _, reply = talk(conversation, "au revoir")
    assert reply.ended


def test_recommendation_cites_its_sources(conversation: Conversation, bot: Bot) -> None:
    result, _ = persona(conversation, set(CONTAINER_SIDE))
    assert result == "conteneur"
    state, reply = talk(conversation, "vm ou conteneur pour mon projet ?")
    while reply.expecting is not None:
        state, reply = conversation.step(
            state, "oui" if reply.expecting in CONTAINER_SIDE else "non"
        )
    assert reply.sources and all(
        s.excerpt in bot.corpus.passages[s.passage].text for s in reply.sources
    )


def test_state_round_trips_through_json(conversation: Conversation) -> None:
    state, _ = talk(conversation, "j'ai une vieille appli qui ne tourne que sous Windows XP")
    stored = json.loads(json.dumps(state.to_json()))
    assert DialogueState.from_json(stored) == state
    _, reply = conversation.step(stored, "non")
    assert reply.text


@pytest.mark.parametrize(
    "stored",
    [
        {"version": 99},
        {"answers": "x"},
        "garbage",
        42,
        {"version": 1, "answers": {"x": "peut-être"}},
    ],
)
def test_corrupt_or_foreign_state_starts_fresh_with_a_notice(
    conversation: Conversation, stored: object
) -> None:
    state, reply = conversation.step(stored, "bonjour")
    assert "repartons de zéro" in reply.text
    assert state.answers == {}


def test_numbered_choice_answers_an_ambiguous_question(conversation: Conversation) -> None:
    state = DialogueState(choices=("securite", "architecture"))
    state, reply = conversation.step(state, "2")
    assert reply.intent == "architecture"
    assert state.choices == ()


@pytest.mark.parametrize("message", ["", "🐳", "x" * 50_000, "\x00\x1b", "Как дела?"])
def test_hostile_messages_never_raise(conversation: Conversation, message: str) -> None:
    _, reply = talk(conversation, "un conseil pour mon projet", message)
    assert reply.text


def test_greeting_then_request_opens_the_advice(conversation: Conversation) -> None:
    _, reply = talk(conversation, "Bonjour, je voudrais un conseil pour mon projet")
    assert reply.expecting is not None


@pytest.mark.parametrize(
    "stored",
    [
        {**DialogueState().to_json(), "expecting": "inconnu"},
        {**DialogueState().to_json(), "recommendation": "inconnue"},
        {**DialogueState().to_json(), "choices": ["inconnue"]},
        {**DialogueState().to_json(), "answers": {"inconnu": "oui"}},
    ],
)
def test_well_formed_state_naming_unknown_ids_starts_fresh(
    conversation: Conversation, stored: dict[str, object]
) -> None:
    state, reply = conversation.step(stored, "1")
    assert "repartons de zéro" in reply.text
    assert state.expecting is None or state.expecting in conversation.bot.catalog.criteria


def test_a_non_ascii_digit_is_not_a_choice_number(conversation: Conversation) -> None:
    state = DialogueState(choices=("securite", "architecture"))
    _, reply = conversation.step(state, "²")
    assert reply.text


def test_unreadable_answers_to_one_question_do_not_count_against_the_next(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "un conseil pour mon projet", "zorglub", "zorglub")
    assert reply.expecting is not None and state.asked == 1
    state, reply = conversation.step(state, "zorglub")
    assert state.asked == 2 and reply.expecting == state.expecting
    assert msg.GIVING_UP not in reply.text


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("mon appli ne peut pas tourner sans Windows", {"dependances_os": Verdict.YES}),
        (
            "on a des microservices et pas besoin d'isolation forte",
            {"microservices": Verdict.YES, "isolation_forte": Verdict.NO},
        ),
        (
            "mon appli ne tourne que sous windows, pas de microservices",
            {"dependances_os": Verdict.YES, "microservices": Verdict.NO},
        ),
    ],
)
def test_negation_applies_to_its_own_clause(
    conversation: Conversation, sentence: str, expected: dict[str, Verdict]
) -> None:
    found = conversation.dialogue.reader.read(sentence)
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize(("word", "verdict"), [("yes", Verdict.YES), ("no", Verdict.NO)])
def test_english_yes_and_no_are_understood(
    conversation: Conversation, word: str, verdict: Verdict
) -> None:
    assert conversation.dialogue.verdicts.read(word) is verdict


def test_answering_a_number_picks_one_of_the_offered_topics(hesitant_bot: Bot) -> None:
    conversation = conversation_for(hesitant_bot)
    state, reply = talk(conversation, "vm portabilité et ressources")
    assert set(state.choices) == {"partage_ressources", "portabilite"}
    chosen = state.choices[1]
    _, reply = conversation.step(state, "2")
    assert reply.intent == chosen


def test_sources_follow_the_last_answer_even_a_fallback(conversation: Conversation) -> None:
    state, _ = talk(conversation, "docker est-il sécurisé ?")
    assert state.last_sources
    state, _ = conversation.step(state, "recette de la tarte tatin")
    assert state.last_sources == ()


@pytest.mark.parametrize(
    ("pending", "question"),
    [
        ("microservices", "ça veut dire quoi microservices ?"),
        ("microservices", "c'est quoi un microservice"),
        ("dependances_os", "plutôt vm ou docker ?"),  # "plutôt" alone would be a yes
        ("dependances_os", "si on a des microservices ?"),
    ],
)
def test_a_question_during_the_advice_does_not_answer_the_pending_one(
    conversation: Conversation, pending: str, question: str
) -> None:
    state, reply = conversation.step(DialogueState(expecting=pending), question)
    assert pending not in state.answers
    assert reply.expecting == pending


def pending_kept(state: DialogueState, criterion: str) -> bool:
    return state.expecting == criterion and criterion not in state.answers


def test_a_question_the_bot_cannot_answer_explains_the_point_and_asks_again(
    conversation: Conversation,
) -> None:
    state, reply = conversation.step(
        DialogueState(expecting="microservices", asked=1), "quel temps fera-t-il demain ?"
    )
    assert reply.text.startswith(msg.CANNOT_ANSWER_DURING_ADVICE)
    assert pending_kept(state, "microservices") and reply.expecting == "microservices"


@pytest.mark.parametrize("message", ["merci beaucoup", "ok merci", "super merci"])
def test_thanks_during_a_question_is_not_an_answer(
    conversation: Conversation, message: str
) -> None:
    state, reply = conversation.step(DialogueState(expecting="dependances_os"), message)
    assert state.answers == {}
    assert reply.expecting == "dependances_os"


@pytest.mark.parametrize(
    ("message", "verdict"),
    [
        ("ui", Verdict.YES),
        ("probablement", Verdict.YES),
        ("nn", Verdict.NO),
        ("probablement pas", Verdict.NO),
        ("bof", Verdict.UNKNOWN),
        ("yeah", Verdict.YES),
        ("I don't know", Verdict.UNKNOWN),
    ],
)
def test_casual_short_answers_are_read(
    conversation: Conversation, message: str, verdict: Verdict
) -> None:
    state, _ = conversation.step(DialogueState(expecting="dependances_os"), message)
    assert state.answers == {"dependances_os": verdict}


def test_a_project_described_with_several_needs_then_a_question_opens_the_advice(
    conversation: Conversation,
) -> None:
    _, reply = talk(conversation, "mon appli ne tourne que sous windows xp, vm ou docker ?")
    assert reply.intent == "recommandation"
    assert reply.expecting is not None or reply.recommendation == "vm"


def test_needs_added_after_the_recommendation_update_it(conversation: Conversation) -> None:
    state, reply = talk(conversation, "j'ai une vieille appli qui ne tourne que sous Windows XP")
    while reply.expecting is not None:
        state, reply = conversation.step(state, "non")
    assert reply.recommendation == "vm"
    known = dict(state.answers)
    state, reply = conversation.step(state, "ah et on a aussi des microservices à déployer")
    assert state.answers.get("microservices") is Verdict.YES
    assert all(state.answers[c] is v for c, v in known.items() if c != "microservices")
    assert reply.text.startswith(msg.NOTED_HEADER) and msg.ADVICE_UPDATED in reply.text


def test_needs_that_do_not_change_the_recommendation_say_so(conversation: Conversation) -> None:
    answers = {c: Verdict.NO for c in VM_SIDE} | {c: Verdict.YES for c in CONTAINER_SIDE}
    state = DialogueState(answers=answers, recommendation="conteneur")
    state, reply = conversation.step(state, "et puis on déploie plusieurs fois par jour")
    assert reply.recommendation == "conteneur"
    assert msg.ADVICE_KEPT in reply.text


def test_asking_for_advice_after_a_recommendation_starts_a_new_project(
    conversation: Conversation,
) -> None:
    answers = {c: Verdict.YES for c in VM_SIDE}
    state = DialogueState(answers=answers, recommendation="vm")
    message = "je veux un conseil pour un autre projet, une appli en microservices"
    state, _ = conversation.step(state, message)
    assert state.answers == {"microservices": Verdict.YES}


def test_advice_from_dont_know_answers_only_says_it_is_a_default(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "je veux un conseil pour mon projet")
    while reply.expecting is not None:
        state, reply = conversation.step(state, "je sais pas")
    assert reply.recommendation is not None
    assert msg.ADVICE_WITHOUT_ANSWERS in reply.text


def test_a_description_that_settles_the_outcome_does_not_promise_more_questions(
    conversation: Conversation,
) -> None:
    answers = {c: Verdict.NO for c in VM_SIDE} | {c: Verdict.YES for c in CONTAINER_SIDE}
    answers.pop("microservices")
    state = DialogueState(answers=answers)
    state, reply = conversation.step(state, "j'ai une architecture en microservices")
    assert reply.recommendation == "conteneur"
    assert msg.ADVICE_MORE not in reply.text


def test_goodbye_mid_advice_drops_the_pending_question_but_keeps_the_answers(
    conversation: Conversation,
) -> None:
    state, _ = talk(conversation, "j'ai une vieille appli qui ne tourne que sous Windows XP")
    state, reply = conversation.step(state, "au revoir")
    assert reply.ended and state.expecting is None
    assert state.answers.get("dependances_os") is Verdict.YES


def test_asking_for_advice_mid_way_starts_a_new_project(conversation: Conversation) -> None:
    state = DialogueState(expecting="multi_os", answers={"microservices": Verdict.YES})
    state, reply = conversation.step(state, "je veux un autre conseil pour un deuxième projet")
    assert state.answers == {}
    assert reply.text.startswith(msg.ADVICE_START) and reply.intent == "recommandation"


@pytest.mark.parametrize("message", ["ça marche", "super", "ok"])
def test_an_acknowledgement_during_a_question_asks_for_an_answer(
    conversation: Conversation, message: str
) -> None:
    state, reply = conversation.step(DialogueState(expecting="dependances_os"), message)
    assert state.answers == {}
    assert reply.text.startswith(msg.ACKNOWLEDGED_DURING_ADVICE)


def test_a_sentence_holding_a_no_is_not_taken_for_an_acknowledgement(
    conversation: Conversation,
) -> None:
    message = "pas vraiment clair ton truc"
    _, reply = talk(conversation, message)
    assert reply.text == conversation.bot.ask(message).text  # answered, not "Entendu."


@pytest.mark.parametrize(
    ("message", "verdict"),
    [("quand même oui", Verdict.YES), ("qui sait, peut-être", Verdict.UNKNOWN)],
)
def test_answers_opening_like_questions_are_still_answers(
    conversation: Conversation, message: str, verdict: Verdict
) -> None:
    state, _ = conversation.step(DialogueState(expecting="dependances_os"), message)
    assert state.answers == {"dependances_os": verdict}


def test_pourquoi_during_the_advice_reports_its_intent(conversation: Conversation) -> None:
    _, reply = conversation.step(DialogueState(expecting="multi_os"), "pourquoi ?")
    assert reply.intent == "pourquoi" and reply.expecting == "multi_os"


def test_a_bare_dont_know_after_the_recommendation_is_acknowledged(
    conversation: Conversation,
) -> None:
    state = DialogueState(answers={"multi_os": Verdict.YES}, recommendation="vm")
    _, reply = conversation.step(state, "sais pas")
    assert reply.text == msg.ACKNOWLEDGED_AFTER_ADVICE


# --- Reading the French people type, in the advice (issue 9) ---------------------------------


@pytest.mark.parametrize(
    "opening",
    [
        "Nous souhaiterions être orientés sur l'hébergement de notre plateforme.",
        "tu pourrais me filer un coup de main pour choisir ?",
        "j'aurais besoin d'un avis pour héberger notre nouvelle appli",
    ],
)
def test_indirect_and_formal_requests_start_the_advice(
    conversation: Conversation, opening: str
) -> None:
    _, reply = talk(conversation, opening)
    assert reply.intent == "recommandation" and reply.expecting is not None


def test_a_bare_description_of_a_project_starts_the_advice(conversation: Conversation) -> None:
    state, reply = talk(
        conversation,
        "On développe une appli de réservation de salles, trois petites API en Go, "
        "le tout chez un seul hébergeur.",
    )
    assert reply.intent == "recommandation"
    assert reply.expecting is not None or reply.recommendation is not None
    assert state.answers.get("microservices") is Verdict.YES


def test_a_description_after_a_greeting_starts_the_advice(conversation: Conversation) -> None:
    state, reply = talk(
        conversation,
        "Coucou, je gère l'informatique d'une petite école et on garde des dossiers "
        "d'élèves très sensibles.",
    )
    assert reply.intent == "recommandation"
    assert state.answers.get("isolation_forte") is Verdict.YES


@pytest.mark.parametrize(
    "statement",
    [
        "notre logiciel sert à gérer les congés du personnel",
        "on est une PME de quarante personnes près de Rennes",
        "on est sur un seul serveur chez Hetzner",
        "le client veut voir le site en ligne avant la Toussaint",
        "j'aimerais un avis d'archi",
    ],
)
def test_a_statement_that_says_nothing_of_a_need_invents_none(
    conversation: Conversation, statement: str
) -> None:
    found = conversation.dialogue.reader.read(statement)
    assert all(v is not Verdict.YES for v in found.values())


@pytest.mark.parametrize(
    "statement",
    [
        "le site de l'association est hébergé chez Infomaniak",
        "on déménage le serveur du labo vers le datacenter de l'entreprise",
        "tout tourne sur une petite machine à l'accueil, rien d'autre",
    ],
)
def test_one_hosting_place_says_nothing_distributed(
    conversation: Conversation, statement: str
) -> None:
    found = conversation.dialogue.reader.read(statement)
    assert found.get("cloud_distribue") is not Verdict.YES


def test_one_server_answering_another_question_invents_no_need_for_several_systems(
    conversation: Conversation,
) -> None:
    state, _ = conversation.step(
        DialogueState(expecting="isolation_forte", asked=1),
        "non pas besoin, c'est sur un seul serveur",
    )
    assert state.answers.get("isolation_forte") is Verdict.NO
    assert state.answers.get("multi_os") is not Verdict.YES


def test_a_no_explained_by_another_need_still_answers_the_question_asked(
    conversation: Conversation,
) -> None:
    state, _ = conversation.step(
        DialogueState(expecting="ressources_materielles", asked=1), "non, c'est une petite appli"
    )
    assert state.answers.get("ressources_materielles") is Verdict.NO


def test_an_architecture_that_is_one_monolith_has_no_microservices(
    conversation: Conversation,
) -> None:
    found = conversation.dialogue.reader.read("l'archi de l'appli, c'est un monolithe Ruby")
    assert found.get("microservices") is Verdict.NO


@pytest.mark.parametrize(
    "statement",
    ["on a des machines sur Azure et dans notre cave", "un serveur chez nous et un peu de cloud"],
)
def test_a_need_one_part_of_a_list_has_the_project_has(
    conversation: Conversation, statement: str
) -> None:
    found = conversation.dialogue.reader.read(statement)
    assert found.get("cloud_distribue") is Verdict.YES


def test_negation_is_read_per_clause_in_an_opening(conversation: Conversation) -> None:
    found = conversation.dialogue.reader.read(
        "rien dans le cloud, mais une appli découpée en petits services indépendants"
    )
    assert found.get("cloud_distribue") is Verdict.NO
    assert found.get("microservices") is Verdict.YES


def test_what_an_opening_reveals_is_repeated_back_so_it_can_be_corrected(
    conversation: Conversation,
) -> None:
    _, reply = talk(conversation, "un conseil svp : notre appli ne tourne que sous Windows")
    criterion = conversation.bot.catalog.criteria["dependances_os"]
    assert msg.NOTED_HEADER in reply.text and criterion.reason in reply.text
    assert msg.NOTED_CORRECT_ME in reply.text


def test_a_later_statement_corrects_an_earlier_one(conversation: Conversation) -> None:
    state, _ = talk(
        conversation,
        "conseille-moi pour mon appli, elle est découpée en microservices",
        "non pardon, en fait c'est un seul gros bloc",
    )
    assert state.answers.get("microservices") is Verdict.NO


@pytest.mark.parametrize(
    ("pending", "reply", "verdict"),
    [
        ("microservices", "c'est un gros programme monolithique", Verdict.NO),
        ("mise_a_echelle", "la charge reste à peu près la même toute l'année", Verdict.NO),
        ("cloud_distribue", "faut que je voie ça avec l'équipe infra", Verdict.UNKNOWN),
        ("dependances_os", "nada, ça tourne sur n'importe quel linux", Verdict.NO),
        ("dependances_os", "yep", Verdict.YES),
        ("dependances_os", "👎", Verdict.NO),
        ("dependances_os", "🤷", Verdict.UNKNOWN),
        ("multi_os", "oui... enfin non, pas vraiment", Verdict.NO),
        ("multi_os", "non... enfin si, on a deux systèmes sur la machine", Verdict.YES),
        ("isolation_forte", "bof, pas vraiment, rien de sensible", Verdict.NO),
        ("multi_os", "que du Debian, partout", Verdict.NO),
        ("dependances_os", "ça tourne sur n'importe quel linux", Verdict.NO),
        ("ressources_materielles", "mouais non, ça consomme trois fois rien", Verdict.NO),
        ("isolation_forte", "bah c'est des pseudos et des scores de jeu, rien de fou", Verdict.NO),
        ("controle_os", "quoi ? 🤷 jsp", Verdict.UNKNOWN),
    ],
)
def test_free_text_slang_emoji_and_corrections_answer_the_pending_question(
    conversation: Conversation, pending: str, reply: str, verdict: Verdict
) -> None:
    state, _ = conversation.step(DialogueState(expecting=pending, asked=1), reply)
    assert state.answers.get(pending) is verdict


def test_an_answer_followed_by_a_question_records_the_answer_and_answers_the_question(
    conversation: Conversation,
) -> None:
    state, reply = conversation.step(
        DialogueState(expecting="isolation_forte", asked=1),
        "je sais pas, c'est quoi un hyperviseur ?",
    )
    assert state.answers.get("isolation_forte") is Verdict.UNKNOWN
    hyperviseur = conversation.bot.catalog.intents["definition_hyperviseur"]
    assert reply.text.startswith(hyperviseur.answer)
    assert reply.expecting != "isolation_forte"


def test_an_answer_followed_by_a_question_the_sources_miss_still_moves_on(
    conversation: Conversation,
) -> None:
    state, reply = conversation.step(
        DialogueState(expecting="multi_os", asked=1), "non, mais Docker Desktop coûte combien ?"
    )
    assert state.answers.get("multi_os") is Verdict.NO
    assert reply.text.startswith(msg.CANNOT_ANSWER_ASIDE)
    assert reply.expecting != "multi_os"


@pytest.mark.parametrize(
    "reply", ["oui, pourquoi ?", "bof, ça sert à quoi cette question ?", "non, tu veux dire quoi ?"]
)
def test_an_answer_followed_by_a_question_about_the_question_explains_it_again(
    conversation: Conversation, reply: str
) -> None:
    state, answer = conversation.step(DialogueState(expecting="isolation_forte", asked=1), reply)
    assert "isolation_forte" not in state.answers
    assert answer.expecting == "isolation_forte"


@pytest.mark.parametrize(
    "reply", ["???", "hein ?", "c'est-à-dire ?", "je comprends pas la question"]
)
def test_a_reply_that_did_not_understand_the_question_gets_it_explained(
    conversation: Conversation, reply: str
) -> None:
    state, answer = conversation.step(DialogueState(expecting="controle_os", asked=1), reply)
    criterion = conversation.bot.catalog.criteria["controle_os"]
    assert "controle_os" not in state.answers and answer.expecting == "controle_os"
    assert answer.text.startswith(msg.PUZZLED_DURING_ADVICE)
    assert criterion.sources[0].passage in answer.text


def test_a_question_that_only_opens_like_an_answer_records_nothing(
    conversation: Conversation,
) -> None:
    state, reply = conversation.step(
        DialogueState(expecting="multi_os", asked=1), "plutôt vm ou docker, à ton avis ?"
    )
    assert "multi_os" not in state.answers and reply.expecting == "multi_os"


def test_an_unreadable_answer_is_not_called_noted(conversation: Conversation) -> None:
    _, reply = conversation.step(DialogueState(expecting="multi_os", asked=1), "zorglub")
    assert msg.NOTED_HEADER not in reply.text and reply.expecting == "multi_os"


def test_why_during_the_advice_says_which_way_the_question_pushes_from_the_sources(
    conversation: Conversation,
) -> None:
    _, reply = conversation.step(DialogueState(expecting="deploiement_rapide", asked=1), "pk ?")
    criterion = conversation.bot.catalog.criteria["deploiement_rapide"]
    assert msg.OUTCOME_NAMES[criterion.favours] in reply.text
    assert criterion.sources[0].passage in reply.text
    assert reply.expecting == "deploiement_rapide"


@pytest.mark.parametrize("criterion", ["deploiement_rapide", "isolation_forte"])
def test_why_during_the_advice_is_good_french_for_either_side(
    conversation: Conversation, criterion: str
) -> None:
    _, reply = conversation.step(DialogueState(expecting=criterion, asked=1), "pourquoi ?")
    assert not re.search(r"\bde (des|une|un|les)\b", reply.text)


def test_an_ordinal_picks_a_choice(conversation: Conversation) -> None:
    state = DialogueState(choices=("securite", "architecture"))
    _, reply = conversation.step(state, "la deuxième")
    assert reply.intent == "architecture"


def test_a_clarifying_question_never_restarts_the_advice(hesitant_bot: Bot) -> None:
    conversation = conversation_for(hesitant_bot)
    answers = {c: Verdict.NO for c in VM_SIDE}
    state = DialogueState(answers=answers, recommendation="conteneur")
    state, reply = conversation.step(state, "je veux un conseil pour choisir")
    assert reply.kind is not None and reply.choices
    assert state.answers == answers and state.recommendation == "conteneur"


def test_naming_the_project_again_keeps_its_advice(conversation: Conversation) -> None:
    answers = {c: Verdict.NO for c in VM_SIDE} | {"microservices": Verdict.YES}
    state = DialogueState(answers=answers, recommendation="conteneur")
    state, _ = conversation.step(state, "mon appli est écrite en python")
    assert state.answers == answers and state.recommendation == "conteneur"


def test_yes_answers_the_pending_question_even_when_one_choice_was_offered(
    conversation: Conversation,
) -> None:
    state = DialogueState(expecting="multi_os", asked=1, choices=("securite",))
    state, _ = conversation.step(state, "oui")
    assert state.answers.get("multi_os") is Verdict.YES


@pytest.mark.parametrize(("expecting", "text"), [(None, msg.ACKNOWLEDGED), ("multi_os", None)])
def test_a_smiley_alone_is_a_nod_not_an_empty_message(
    conversation: Conversation, expecting: str | None, text: str | None
) -> None:
    _, reply = conversation.step(DialogueState(expecting=expecting, asked=1), "🙂")
    assert msg.EMPTY_MESSAGE not in reply.text
    if text is not None:
        assert reply.text == text
    else:
        assert reply.text.startswith(msg.ACKNOWLEDGED_DURING_ADVICE)


def test_a_state_stored_by_the_previous_version_is_kept(conversation: Conversation) -> None:
    stored = {
        "version": 1,
        "answers": {"multi_os": "oui"},
        "expecting": "microservices",
        "failed_tries": 1,
        "recommendation": None,
        "choices": [],
        "last_sources": [],
        "ended": False,
    }
    state, reply = conversation.step(stored, "oui")
    assert "repartons de zéro" not in reply.text
    assert state.answers["multi_os"] is Verdict.YES
    assert state.answers["microservices"] is Verdict.YES


def test_containers_are_advised_without_asking_every_rare_need(
    conversation: Conversation,
) -> None:
    outcome, asked = persona(conversation, {"microservices", "mise_a_echelle"})
    assert outcome == "conteneur"
    assert asked < len(VM_SIDE) + len(CONTAINER_SIDE)


def test_advice_given_early_lists_the_questions_that_could_change_it(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "vm ou conteneur pour mon projet ?")
    while reply.expecting is not None:
        state, reply = conversation.step(
            state, "oui" if reply.expecting == "microservices" else "non"
        )
    assert reply.recommendation == "conteneur"
    unasked = [c for c in VM_SIDE if c not in state.answers]
    assert unasked, "the advice should not have asked every question"
    assert msg.UNASKED_HEADER in reply.text
    for criterion in unasked:
        question = conversation.bot.catalog.criteria[criterion].question
        assert question.partition(" (par exemple")[0] in reply.text


def test_a_need_told_after_early_advice_revises_it(conversation: Conversation) -> None:
    state, reply = talk(conversation, "vm ou conteneur pour mon projet ?")
    while reply.expecting is not None:
        state, reply = conversation.step(
            state, "oui" if reply.expecting == "microservices" else "non"
        )
    assert "application_heritee" not in state.answers
    state, reply = conversation.step(state, "ah si, c'est une vieille appli Windows XP")
    assert state.answers["application_heritee"] is Verdict.YES
    assert reply.recommendation is None or reply.recommendation != "conteneur"


def test_a_yes_that_opens_a_statement_of_another_need_does_not_answer_the_question(
    conversation: Conversation,
) -> None:
    state, reply = talk(conversation, "j'ai besoin d'un conseil pour mon appli")
    pending = reply.expecting
    assert pending is not None and pending != "ressources_materielles"
    state, _ = conversation.step(
        state, "ah si, je pense qu'il nous faut énormément de RAM, on fait des calculs lourds"
    )
    assert state.answers.get("ressources_materielles") is Verdict.YES
    assert state.answers.get(pending) is not Verdict.YES


def test_a_need_in_a_clause_of_its_own_is_read_from_the_opening(
    conversation: Conversation,
) -> None:
    state, _ = talk(
        conversation,
        "notre site est fait de petites API qui doivent scaler vite, tu conseilles quoi ?",
    )
    assert state.answers.get("microservices") is Verdict.YES
    assert state.answers.get("mise_a_echelle") is Verdict.YES


@pytest.mark.parametrize(
    "opening",
    [
        # what a comma's pronoun says of the project
        "on a une appli de réservation pour des fleuristes, c'est vraiment pas lourd, "
        "tu me conseilles quoi ?",
        # what follows "c'est", without the comma
        "salut, notre backend c'est 4 petites API en go et on livre chaque semaine, vm ou docker ?",
    ],
)
def test_what_an_opening_says_of_its_project_in_a_clause_is_read(
    conversation: Conversation, opening: str
) -> None:
    state, _ = talk(conversation, opening)
    assert state.answers.get("microservices") is Verdict.YES


@pytest.mark.parametrize(
    ("opening", "criterion"),
    [
        # the topic before the comma, alone
        ("la sécurité, c'est pas un souci pour nous, vm ou conteneurs ?", "isolation_forte"),
        # a few words that point at two needs alike
        (
            "bonjour, la base c'est du Oracle sous Windows Server, vous conseillez quoi ?",
            "multi_os",
        ),
    ],
)
def test_a_clause_that_says_no_need_of_its_own_states_none(
    conversation: Conversation, opening: str, criterion: str
) -> None:
    state, _ = talk(conversation, opening)
    assert state.answers.get(criterion) is not Verdict.YES


def test_a_need_an_opening_leaves_in_doubt_is_still_asked(conversation: Conversation) -> None:
    state, reply = talk(
        conversation,
        "on a une vingtaine de microservices et je ne sais pas trop pour l'isolation, "
        "tu conseilles quoi ?",
    )
    assert state.answers.get("isolation_forte") is not Verdict.UNKNOWN
    asked = []
    while reply.expecting is not None:
        asked.append(reply.expecting)
        state, reply = conversation.step(state, "non")
    assert "isolation_forte" in asked
