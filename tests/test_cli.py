"""`vmbot ask` and `vmbot faq` as a user runs them: real processes, real output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

import bot

ROOT = Path(__file__).resolve().parent.parent


def vmbot(
    *args: str, stdin: bytes | None = None, data: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "bot"]
    if data is not None:
        command += ["--data", str(data)]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env=os.environ.copy(),
        check=False,
    )


def test_ask_prints_the_answer() -> None:
    result = vmbot("ask", "c'est quoi un hyperviseur ?")
    assert result.returncode == 0
    assert "hyperviseur" in result.stdout.decode()


def test_ask_with_sources_prints_passage_ids() -> None:
    result = vmbot("ask", "--sources", "docker est-il sécurisé ?")
    out = result.stdout.decode()
    assert "Sources :" in out and "[dvm.securite.docker]" in out


def test_ask_json_has_the_contract_fields() -> None:
    result = vmbot("ask", "--json", "docker est-il sécurisé ?")
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "intent", "confidence", "answer", "sources", "alternatives"}
    assert answer["intent"] == "securite"
    assert set(answer["sources"][0]) == {"document", "passage", "excerpt"}
    assert set(answer["alternatives"][0]) == {"intent", "confidence"}


def test_ask_json_out_of_scope_has_null_intent() -> None:
    answer = json.loads(vmbot("ask", "--json", "machine à laver qui fuit").stdout)
    assert answer["intent"] is None and answer["sources"] == []


def test_batch_mode_answers_one_json_line_per_input_line_and_survives_bad_lines() -> None:
    lines = b"c'est quoi docker\n\xff\xfe invalide\n\n" + "🐳".encode() * 10 + b"\nmerci\n"
    result = vmbot("ask", "--json", stdin=lines)
    assert result.returncode == 0
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [a["intent"] for a in answers] == ["definition_docker", None, None, None, "remerciement"]
    assert "vide" in answers[2]["answer"]
    assert "Ligne 2 : encodage invalide" in result.stderr.decode()


def test_huge_question_is_answered_without_traceback() -> None:
    result = vmbot("ask", "--json", stdin=b"docker " * 15_000 + b"\n")
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert json.loads(result.stdout)["answer"]


@pytest.fixture(scope="module")
def faq() -> str:
    """What `vmbot faq` prints (one process for the tests that read it)."""
    return vmbot("faq").stdout.decode()


def test_faq_prints_markdown_with_sources(faq: str) -> None:
    assert faq.startswith("# FAQ")
    assert "## Docker est-il aussi sûr qu'une machine virtuelle ?" in faq
    assert "passage `dvm.securite.docker`" in faq


def test_missing_data_folder_gets_a_french_message_and_exit_1(tmp_path: Path) -> None:
    result = vmbot("ask", "docker ?", data=tmp_path)
    assert result.returncode == 1
    assert "dossier introuvable" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_broken_yaml_gets_a_french_message_naming_the_file(data_copy: Path) -> None:
    (data_copy / "intents" / "usages.yaml").write_text("intents: [\n", encoding="utf-8")
    result = vmbot("ask", "docker ?", data=data_copy)
    assert result.returncode == 1
    assert "usages.yaml" in result.stderr.decode() and b"Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["ask", "--nope"], ["inconnu"]])
def test_bad_arguments_exit_2_in_french(args: list[str]) -> None:
    result = vmbot(*args)
    assert result.returncode == 2 and "erreur" in result.stderr.decode()


def _run(command: str, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """A shell command line, for what only a shell sets up (closed or full streams)."""
    return subprocess.run(
        command,
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


VMBOT = f"{sys.executable} -m bot"


def test_an_undecodable_argument_byte_is_answered_under_a_strict_utf8_output() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", os.fsdecode(b"docker\xff")],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.decode("utf-8"))["question"] == "docker\ufffd"


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_a_closed_stdin_gets_a_french_line_and_exit_2(command: str) -> None:
    result = _run(f"{VMBOT} {command} <&-")
    assert result.returncode == 2
    assert "entrée standard est fermée" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("json_flag", ["", "--json"])
def test_a_full_disk_on_stdout_gets_a_french_line_and_exit_1(json_flag: str) -> None:
    result = _run(f"{VMBOT} ask {json_flag} salut > /dev/full")
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "plus de place sur le disque" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_an_ascii_only_output_gets_the_answer_without_accents() -> None:
    result = _run(
        f'{VMBOT} ask "c\'est quoi la sécurité de docker"', env={"PYTHONIOENCODING": "ascii"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii() and b"securite" in result.stdout.lower()


def test_a_reader_leaving_early_ends_quietly() -> None:
    result = _run(f"{VMBOT} faq | head -n 1")
    assert result.returncode == 0
    # Only the cache may speak (on a first run): no error, no "Exception ignored".
    assert b"Error" not in result.stderr and b"Exception" not in result.stderr


def test_json_lines_escape_unicode_line_breaks_in_the_question() -> None:
    result = vmbot("ask", "--json", "salut\u2028docker\x85vm\u2029")
    text = result.stdout.decode()
    assert len(text.splitlines()) == 1
    assert json.loads(text)["question"] == "salut\u2028docker\x85vm\u2029"


def test_eval_shows_brackets_in_questions_and_paths_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "jeu [b] [red]"
    folder.mkdir()
    labelled = folder / "questions.yaml"
    labelled.write_text(
        '- q: "docker [/] ou [b]vm[/b] pour une recette de crêpes ?"\n  intent: salutation\n'
        '- q: "salut"\n  intent: salutation\n',
        encoding="utf-8",
    )
    result = _run(f"{VMBOT} eval '{labelled}'", env={"COLUMNS": "300"})
    out = result.stdout.decode()
    assert b"Traceback" not in result.stderr
    assert "jeu [b] [red]" in out and "[/] ou [b]vm" in out


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["eval", "--help"]])
def test_help_is_in_french(args: list[str]) -> None:
    result = vmbot(*args)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert out.startswith("utilisation : ") and "afficher cette aide" in out
    assert "usage:" not in out and "show this help" not in out and "positional" not in out


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (["ask", "--nope"], "arguments non reconnus : --nope"),
        (["inconnu"], "choix invalide : 'inconnu'"),
        (["eval", "--min-accuracy", "abc"], "--min-accuracy : seuil invalide : « abc »"),
        (["eval", "--cross-validate"], "--cross-validate : une valeur est attendue"),
    ],
)
def test_argument_errors_are_in_french(args: list[str], french: str) -> None:
    result = vmbot(*args)
    assert result.returncode == 2
    assert french in result.stderr.decode()
    assert "usage:" not in result.stderr.decode()


def test_version_is_printed() -> None:
    result = vmbot("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"vmbot {bot.__version__}"


def test_the_command_line_loads_the_engine_only_for_a_command_that_answers() -> None:
    # Help, the version and usage errors need neither the engine nor numpy.
    probe = (
        "import sys, bot.adapters.cli; print(sorted({'bot.engine', 'numpy'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True)
    assert result.stdout.decode().strip() == "[]"


def test_data_is_accepted_after_the_command_too(tmp_path: Path) -> None:
    result = vmbot("ask", "--data", str(tmp_path / "absent"), "salut")
    assert result.returncode == 1
    assert str(tmp_path / "absent") in result.stderr.decode()


def test_faq_keeps_each_source_on_one_markdown_line_with_its_origin(faq: str) -> None:
    sources = [line for line in faq.splitlines() if line.startswith("- *")]
    assert sources and all(line.endswith("»") for line in sources)
    assert any("Amazon Web Services" in line for line in sources)


def test_a_clarifying_answer_offers_ready_to_run_questions() -> None:
    # Several intents about as likely: the one-shot command cannot take "1" as an answer.
    out = vmbot("ask", "cas d'utilisation docker").stdout.decode()
    offered = [line.strip() for line in out.splitlines() if line.strip().startswith("vmbot ask")]
    assert len(offered) >= 2
    assert all(line.startswith('vmbot ask "') and line.endswith('"') for line in offered)
    assert "Répondez par le numéro" not in out


def test_plain_batch_mode_repeats_each_question_before_its_answer() -> None:
    out = vmbot("ask", stdin="c quoi docker\nmachine à laver\n".encode()).stdout.decode()
    blocks = out.strip().split("\n\n")
    assert blocks[0].startswith("» c quoi docker\nDocker")
    assert any(block.startswith("» machine à laver\n") for block in blocks)


def test_ask_on_a_terminal_says_it_waits_for_questions(tmp_path: Path) -> None:
    child = pexpect.spawn(
        sys.executable, ["-m", "bot", "ask"], cwd=str(ROOT), encoding="utf-8", timeout=120
    )
    try:
        child.expect("attend vos questions")
        child.sendline("c'est quoi un hyperviseur ?")
        child.expect("hyperviseur est un logiciel")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_ask_wraps_its_answer_to_the_terminal() -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "ask", "c'est quoi un hyperviseur ?"],
        cwd=str(ROOT),
        env={k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
        encoding="utf-8",
        timeout=120,
        dimensions=(24, 60),
    )
    child.expect(pexpect.EOF)
    # stderr shares the terminal: a first run's cache lines are not the answer.
    answer = [line for line in child.before.splitlines() if not line.startswith("vmbot ")]
    assert any("hyperviseur" in line for line in answer)
    assert all(len(line) <= 60 for line in answer)
