"""`vmbot eval`: the report people who edit intents read, and its exit codes."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from bot.adapters.eval_report import run_eval
from bot.domain import IntentKind
from bot.engine import Bot
from tests.test_cli import VMBOT, _run, vmbot


@pytest.fixture(scope="module")
def plain_eval() -> subprocess.CompletedProcess[bytes]:
    """`vmbot eval` on the default set (one process for the tests that read it)."""
    return vmbot("eval")


def test_eval_prints_the_summary_and_tables(
    plain_eval: subprocess.CompletedProcess[bytes],
) -> None:
    out = plain_eval.stdout.decode()
    assert plain_eval.returncode == 0
    for heading in (
        "Précision (dans le domaine)",
        "Rejet hors sujet",
        "F1 macro",
        "Par intention",
        "p99",
    ):
        assert heading in out


def test_eval_json_has_the_documented_keys() -> None:
    report = json.loads(vmbot("eval", "--json").stdout)
    assert {
        "accuracy",
        "out_of_scope_rejection",
        "macro_f1",
        "per_intent",
        "confusions",
        "errors",
    } <= set(report)
    assert set(report["latency_ms"]) == {"p50", "p99"}
    assert {"intent", "precision", "recall", "f1", "support"} == set(report["per_intent"][0])


def test_min_accuracy_above_the_score_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        '- {q: "c\'est quoi un hyperviseur ?", intent: definition_hyperviseur}\n'
        '- {q: "zzz qwerty", intent: resume}\n'
    )
    assert vmbot("eval", str(path), "--min-accuracy", "0.4").returncode == 0
    failing = vmbot("eval", str(path), "--min-accuracy", "0.9")
    assert failing.returncode == 3
    assert "inférieure au seuil" in failing.stderr.decode()


def test_misclassified_questions_are_listed_with_expected_and_got(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text('- {q: "zzz qwerty", intent: resume}\n')
    report = json.loads(vmbot("eval", str(path), "--json").stdout)
    (error,) = report["errors"]
    assert error["question"] == "zzz qwerty" and error["line"] == 1
    assert error["expected"] == ["resume"] and error["got"] is None
    assert report["confusions"] == [{"expected": "resume", "got": "null", "count": 1}]


def test_bad_eval_file_gets_a_french_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text('- {q: "docker ?", intent: definition_docker}\n- {question: "oops"}\n')
    result = vmbot("eval", str(path))
    assert result.returncode == 1
    assert "(ligne 2)" in result.stderr.decode() and b"Traceback" not in result.stderr
    assert "données de vmbot sont invalides" in result.stderr.decode()


def test_a_missing_eval_file_is_named_as_missing(tmp_path: Path) -> None:
    result = vmbot("eval", str(tmp_path / "absent.yaml"))
    assert result.returncode == 1
    assert "absent.yaml : fichier introuvable" in result.stderr.decode()


def test_cross_validation_reports_on_the_intent_examples(
    small_bot: Bot, capsys: pytest.CaptureFixture[str]
) -> None:
    # In process, on a small catalog's bot (each fold trains it again): the folds share
    # its analyses of the examples. (The option's way from the command line to run_eval
    # is the process of test_cross_validation_with_one_fold_is_refused.)
    assert run_eval(small_bot, None, as_json=True, min_accuracy=None, folds=2) == 0
    report = json.loads(capsys.readouterr().out)
    examples = {
        kind: sum(len(i.examples) for i in small_bot.catalog.intents.values() if i.kind is kind)
        for kind in IntentKind
    }
    assert report["out_of_scope"] == examples.pop(IntentKind.OUT_OF_SCOPE) > 0
    assert report["in_scope"] == sum(examples.values()) > 0
    assert 0.0 < report["accuracy"] <= 1.0


def test_cross_validation_with_one_fold_is_refused() -> None:
    result = vmbot("eval", "--cross-validate", "1")
    assert result.returncode == 2 and "--cross-validate" in result.stderr.decode()


def test_min_accuracy_reads_a_percentage_and_reports_in_french(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        '- {q: "c\'est quoi un hyperviseur ?", intent: definition_hyperviseur}\n'
        '- {q: "zzz qwerty", intent: resume}\n'
    )
    assert vmbot("eval", str(path), "--min-accuracy", "40 %").returncode == 0
    failing = vmbot("eval", str(path), "--min-accuracy", "90")
    assert failing.returncode == 3
    assert "Précision 50,0\u202f% inférieure au seuil demandé (90,0\u202f%)" in (
        failing.stderr.decode()
    )


def test_a_threshold_out_of_range_is_refused_in_french(tmp_path: Path) -> None:
    result = vmbot("eval", "--min-accuracy", "150")
    assert result.returncode == 2
    assert "seuil invalide" in result.stderr.decode()


def test_the_summary_writes_numbers_the_french_way(
    plain_eval: subprocess.CompletedProcess[bytes],
) -> None:
    out = plain_eval.stdout.decode()
    assert "\u202f% sur" in out and "ms, p99" in out
    summary = "\n".join(out.splitlines()[1:5])
    assert re.search(r"\d\.\d", summary) is None and re.search(r"\d,\d", summary)


def test_an_unanswered_miss_is_not_called_out_of_scope(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text('- {q: "zzz qwerty", intent: resume}\n')
    out = vmbot("eval", str(path)).stdout.decode()
    assert "(pas de réponse)" in out and "(hors sujet)" not in out


def test_a_reader_leaving_early_ends_the_eval_quietly() -> None:
    result = _run(f"{VMBOT} eval | head -n 1; exit ${{PIPESTATUS[0]}}")
    assert result.returncode == 0
    assert b"Error" not in result.stderr
