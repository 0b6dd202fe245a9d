"""Validation of the data files: every problem named with its file, intent and field."""

import shutil
from pathlib import Path

import pytest

from bot.assembly import load_bot
from bot.domain import Role
from bot.errors import DataError, DataMissingError
from bot.index_cache import cache_key
from bot.loading import load_catalog, load_corpus, load_data, load_eval_set

ROOT = Path(__file__).resolve().parent.parent


def _problems(root: Path) -> str:
    with pytest.raises(DataError) as info:
        load_catalog(root / "intents", load_corpus(root / "corpus"))
    return str(info.value)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_shipped_data_file_loads() -> None:
    catalog = load_catalog(ROOT / "intents", load_corpus(ROOT / "corpus"))
    assert {"difference_docker_vm", "resume", "pourquoi", "hors_sujet"} <= set(catalog.intents)


def test_duplicate_intent_id_names_both_files(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "comparaison.yaml", "id: securite", "id: definition_docker")
    message = _problems(data_copy)
    assert "definitions.yaml (intention definition_docker)" in message
    assert "identifiant déjà défini dans" in message and "comparaison.yaml" in message


def test_missing_answer_names_the_intent_and_field(data_copy: Path) -> None:
    path = data_copy / "intents" / "comparaison.yaml"
    _edit(
        path,
        "    answer: |-\n      Les conteneurs Docker partagent",
        "    réponse: |-\n      Les conteneurs Docker partagent",
    )
    message = _problems(data_copy)
    assert "intention securite" in message
    assert "champ obligatoire « answer » manquant" in message
    assert "champ inconnu « réponse »" in message


def test_unknown_passage_id_is_named(data_copy: Path) -> None:
    _edit(
        data_copy / "intents" / "comparaison.yaml",
        "passage: dvm.securite.vm",
        "passage: dvm.securite.nulle-part",
    )
    assert "passage inconnu « dvm.securite.nulle-part »" in _problems(data_copy)


def test_excerpt_that_is_not_verbatim_is_refused(data_copy: Path) -> None:
    _edit(
        data_copy / "intents" / "comparaison.yaml",
        "ils sont exposés à des risques",
        "ils sont exposés à de grands risques",
    )
    assert "ne figure pas mot pour mot dans le passage dvm.securite.docker" in _problems(data_copy)


def test_example_shared_by_two_intents_is_refused(data_copy: Path) -> None:
    salutation = load_catalog(ROOT / "intents", load_corpus(ROOT / "corpus")).intents["salutation"]
    path = data_copy / "intents" / "usages.yaml"
    _edit(path, "    examples:\n", f"    examples:\n      - {salutation.examples[0]!r}\n")
    assert f"l'exemple « {salutation.examples[0]} » figure déjà dans l'intention" in _problems(
        data_copy
    )


def test_empty_examples_are_refused(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "usages.yaml", "    examples:\n", "    examples:\n      - ''\n")
    assert "un exemple est vide" in _problems(data_copy)


def test_broken_yaml_names_the_file_and_line(data_copy: Path) -> None:
    path = data_copy / "intents" / "usages.yaml"
    path.write_text("intents:\n  - id: [oups\n", encoding="utf-8")
    message = _problems(data_copy)
    assert "usages.yaml (ligne" in message and "YAML invalide" in message


def test_every_problem_is_reported_not_only_the_first(data_copy: Path) -> None:
    _edit(
        data_copy / "intents" / "comparaison.yaml",
        "passage: dvm.securite.vm",
        "passage: inconnu.un",
    )
    _edit(
        data_copy / "intents" / "definitions.yaml", "    examples:\n", "    examples:\n      - ''\n"
    )
    message = _problems(data_copy)
    assert "inconnu.un" in message and "un exemple est vide" in message


def test_missing_intents_folder_is_a_data_error(data_copy: Path) -> None:
    shutil.rmtree(data_copy / "intents")
    with pytest.raises(DataError, match="intents : dossier introuvable"):
        load_bot(data_copy)


def test_yaml_words_like_on_are_not_silently_booleans(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "lexique.yaml", '"on"', "on")
    assert "« True » dans stop_words" in _problems(data_copy)


def test_eval_file_with_unknown_intent_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "eval.yaml"
    path.write_text('- {q: "docker ?", intent: definition_docker}\n- {q: "x", intent: nope}\n')
    with pytest.raises(DataError, match=r"eval.yaml \(ligne 2\) : intention inconnue : nope"):
        load_eval_set(path, {"definition_docker"})


def test_eval_file_with_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "eval.yaml"
    path.write_text('- {q: "docker ?", intent: definition_docker}\n- {q: [\n')
    with pytest.raises(DataError, match=r"eval.yaml \(ligne \d+\) : YAML invalide"):
        load_eval_set(path, {"definition_docker"})


def _add_file(root: Path, name: str, text: str) -> None:
    (root / "intents" / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("x.yaml", "autre: []\n", "une seule clé de premier niveau parmi : intents, lexicon"),
        ("x.yaml", "intents: {a: 1}\n", "(intents) : une liste est attendue"),
        ("x.yaml", "intents:\n  - 42\n", "un dictionnaire (clé: valeur) est attendu"),
        (
            "x.yaml",
            "intents:\n  - {id: Mauvais Id, question: q, answer: a, examples: [a]}\n",
            "identifiant invalide",
        ),
        (
            "x.yaml",
            "intents:\n  - {id: x, kind: autre, question: q, answer: a, examples: [a]}\n",
            "type inconnu, valeurs possibles : faq, conversation, out_of_scope",
        ),
        (
            "x.yaml",
            "intents:\n  - {id: x, question: q, answer: a, examples: [zz1, zz2]}\n",
            "une intention FAQ doit citer au moins un passage",
        ),
        (
            "x.yaml",
            "intents:\n  - {id: x, kind: conversation, question: q, answer: a,"
            " examples: [zz1, zz2]}\n",
            "2 exemples, il en faut entre 10 et 200",
        ),
        (
            "x.yaml",
            "intents:\n  - {id: x, kind: conversation, question: q, answer: '  ', examples: [a]}\n",
            "le champ « answer » est vide",
        ),
        (
            "x.yaml",
            "intents:\n  - {id: x, kind: conversation, question: q, answer: a,"
            " examples: [zz, zz]}\n",
            "l'exemple « zz » est répété",
        ),
        (
            "x.yaml",
            "intents:\n  - {id: x, kind: conversation, question: [q], answer: a, examples: [a]}\n",
            "le champ « question » n'a pas le bon type",
        ),
        ("x.yaml", "lexicon: {}\n", "champ obligatoire « stop_words » manquant"),
        ("x.yaml", b"\xff\xfe".decode("latin-1"), "fichier illisible"),
    ],
)
def test_each_data_error_has_its_french_message(
    data_copy: Path, name: str, text: str, expected: str
) -> None:
    path = data_copy / "intents" / name
    if text == b"\xff\xfe".decode("latin-1"):
        path.write_bytes(b"\xff\xfe\x00")
    else:
        path.write_text(text, encoding="utf-8")
    assert expected in _problems(data_copy)


def test_second_lexicon_is_refused(data_copy: Path) -> None:
    lexicon = (data_copy / "intents" / "lexique.yaml").read_text(encoding="utf-8")
    _add_file(data_copy, "lexique2.yaml", lexicon)
    assert "il faut exactement un fichier « lexicon »" in _problems(data_copy)


def test_synonyms_must_be_lists_of_text(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "lexique.yaml", "    cloud: [nuage]", "    cloud: nuage")
    assert "les synonymes de « cloud » doivent être une liste" in _problems(data_copy)


def test_anchors_must_be_non_empty_text(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "lexique.yaml", "    docker, dockeriser,", '    "", dockeriser,')
    assert "« anchors » doit être une liste de mots" in _problems(data_copy)


def test_accent_senses_must_map_accented_words(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "lexique.yaml", "    sûreté: securite", "    surete: securite")
    assert "accent_senses : « surete » doit être un mot accentué" in _problems(data_copy)


def test_an_empty_accent_sense_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "lexique.yaml", "    sûreté: securite", "    sûreté:")
    assert "accent_senses : « sûreté » doit être un mot accentué" in _problems(data_copy)


def test_unknown_verdict_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "grammaire.yaml", "    nsp: [", "    peutetre: [")
    assert "verdicts : clés possibles oui, non, nsp" in _problems(data_copy)


def test_criterion_with_unknown_side_and_weight_is_refused(data_copy: Path) -> None:
    path = data_copy / "intents" / "criteres.yaml"
    _edit(path, "favours: vm", "favours: cloud")
    _edit(path, "weight: 3", "weight: 7")
    message = _problems(data_copy)
    assert "critère dependances_os" in message
    assert "le champ « favours » doit valoir : vm, conteneur" in message
    assert "le champ « weight » doit être un entier de 1 à 3" in message


@pytest.mark.parametrize("prevalence", ["0", "1.5", "frequent"])
def test_criterion_prevalence_outside_zero_to_one_is_refused(
    data_copy: Path, prevalence: str
) -> None:
    _edit(data_copy / "intents" / "criteres.yaml", "prevalence: 0.1", f"prevalence: {prevalence}")
    message = _problems(data_copy)
    assert "critère dependances_os" in message and "prevalence" in message


def test_every_outcome_needs_its_wording(data_copy: Path) -> None:
    path = data_copy / "intents" / "recommandations.yaml"
    _edit(path, "  - id: conteneur_sur_vm", "  - id: hybride")
    message = _problems(data_copy)
    assert "recommandation hybride" in message and "le champ « id » doit valoir" in message


def test_missing_outcomes_file_is_named(data_copy: Path) -> None:
    (data_copy / "intents" / "recommandations.yaml").unlink()
    assert "il faut une recommandation (fichier « outcomes »)" in _problems(data_copy)


def test_empty_corpus_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    with pytest.raises(DataError, match=r"aucun fichier \.yaml dans ce dossier"):
        load_corpus(tmp_path / "corpus")


@pytest.mark.parametrize("intent", ["{a: 1}", "[[definition_docker]]", "42"])
def test_eval_entry_whose_intent_is_not_an_id_names_the_line(tmp_path: Path, intent: str) -> None:
    path = tmp_path / "eval.yaml"
    path.write_text(
        f'- {{q: "docker ?", intent: definition_docker}}\n- {{q: "x", intent: {intent}}}\n'
    )
    with pytest.raises(DataError, match=r"\(ligne 2\) : entrée invalide"):
        load_eval_set(path, {"definition_docker"})


def test_verdict_phrases_that_yaml_reads_as_booleans_are_refused(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "grammaire.yaml", '"yes"', "yes")
    assert "verdicts : clés possibles" in _problems(data_copy)


def test_a_closing_verdict_that_is_no_verdict_is_refused(data_copy: Path) -> None:
    _edit(
        data_copy / "intents" / "grammaire.yaml", "closing_verdicts: [", "closing_verdicts: [zut, "
    )
    assert "closing_verdicts : « zut » doit figurer parmi les verdicts" in _problems(data_copy)


def test_every_role_is_resolved_to_the_intent_that_declares_it() -> None:
    catalog = load_catalog(ROOT / "intents", load_corpus(ROOT / "corpus"))
    for role in Role:
        played = [i.id for i in catalog.intents.values() if i.role is role]
        assert played == [getattr(catalog.roles, role.value)]
    assert catalog.roles.played_by(catalog.roles.why) is Role.WHY


def test_a_role_no_intent_plays_is_named(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "conversation.yaml", "    role: why\n", "")
    assert "aucune intention ne joue le rôle (champ « role ») : why" in _problems(data_copy)


def test_a_role_played_twice_names_the_intent_that_plays_it_first(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "conversation.yaml", "role: goodbye", "role: greeting")
    message = _problems(data_copy)
    assert (
        "(intention au_revoir) : le rôle « greeting » est déjà joué par l'intention salutation"
        in (message)
    )
    assert "aucune intention ne joue le rôle (champ « role ») : goodbye" in message


def test_an_unknown_role_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "conversation.yaml", "role: why", "role: pourquoi")
    message = _problems(data_copy)
    assert "(intention pourquoi) : le champ « role » doit valoir : greeting, thanks" in message


def test_an_intent_with_another_problem_is_not_also_said_to_miss_its_role(
    data_copy: Path,
) -> None:
    _edit(
        data_copy / "intents" / "conversation.yaml", "    role: why\n", "    role: why\n    x: 1\n"
    )
    message = _problems(data_copy)
    assert "champ inconnu « x »" in message
    assert "aucune intention ne joue" not in message


def test_only_an_faq_intent_may_be_suggested(data_copy: Path) -> None:
    _edit(
        data_copy / "intents" / "conversation.yaml",
        "role: why\n",
        "role: why\n    suggested: true\n",
    )
    assert "seule une intention FAQ peut être suggérée" in _problems(data_copy)


def test_a_missing_criterion_is_named(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "criteres.yaml", "id: multi_os", "id: plusieurs_os")
    assert "critères requis manquants : multi_os" in _problems(data_copy)


def test_an_out_of_scope_intent_with_an_answer_is_refused(data_copy: Path) -> None:
    path = data_copy / "intents" / "hors_sujet.yaml"
    _edit(
        path,
        "    question: Question hors sujet\n",
        "    question: Question hors sujet\n    answer: non\n",
    )
    assert "une intention hors sujet n'a pas de réponse" in _problems(data_copy)


def _all_problems(root: Path) -> str:
    with pytest.raises(DataError) as info:
        load_data(root)
    return str(info.value)


def test_a_broken_corpus_file_does_not_stop_the_catalog_checks(data_copy: Path) -> None:
    (data_copy / "corpus" / "vm-ou-conteneur.yaml").write_text("id: [oups\n", encoding="utf-8")
    _edit(
        data_copy / "intents" / "definitions.yaml", "    examples:\n", "    examples:\n      - ''\n"
    )
    message = _all_problems(data_copy)
    assert "vm-ou-conteneur.yaml (ligne" in message and "un exemple est vide" in message
    # Its passages could not be read: citing them is not called an error.
    assert "passage inconnu" not in message


def test_checks_across_files_run_alongside_other_problems(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "criteres.yaml", "id: multi_os", "id: plusieurs_os")
    _edit(data_copy / "intents" / "recommandations.yaml", "  - id: vm\n", "  - id: vm_seule\n")
    _edit(
        data_copy / "intents" / "definitions.yaml", "    examples:\n", "    examples:\n      - ''\n"
    )
    message = _all_problems(data_copy)
    assert "un exemple est vide" in message
    assert "critères requis manquants : multi_os" in message
    assert "il faut une recommandation (fichier « outcomes »)" in message


def test_a_lexicon_with_a_problem_is_not_also_said_to_be_missing(data_copy: Path) -> None:
    _edit(data_copy / "intents" / "lexique.yaml", "    cloud: [nuage]", "    cloud: nuage")
    message = _all_problems(data_copy)
    assert "les synonymes de « cloud »" in message
    assert "il faut exactement un fichier" not in message


def test_every_missing_data_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataMissingError) as info:
        load_data(tmp_path)
    assert [p.path for p in info.value.problems] == [
        str(tmp_path / "corpus"),
        str(tmp_path / "intents"),
    ]


def test_a_missing_eval_file_is_said_to_be_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"absent\.yaml : fichier introuvable"):
        load_eval_set(tmp_path / "absent.yaml", {"definition_docker"})


def test_the_data_key_does_not_depend_on_where_the_data_lies(data_copy: Path) -> None:
    # The index shipped in a wheel was built elsewhere than where it is installed.
    assert cache_key(load_data(ROOT)) == cache_key(load_data(data_copy))
