"""The terminal REPL through prompt_toolkit's pipe input, and `vmbot chat` in a real terminal."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.adapters.chat_lines import chat_lines
from bot.adapters.repl import run_repl
from bot.assembly import assistant_for
from bot.assistant import Assistant
from bot.dialogue.state import Reply
from bot.engine import Bot

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def assistant(bot: Bot) -> Assistant:
    return assistant_for(bot)


def typed(assistant: Assistant, tmp_path: Path, keys: str) -> list[Reply]:
    """The replies of a REPL session fed these keystrokes."""
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        return run_repl(assistant, history_path=tmp_path / "h", input=pipe, output=DummyOutput())


def test_repl_answers_and_quits_on_command(assistant: Assistant, tmp_path: Path) -> None:
    replies = typed(assistant, tmp_path, "c'est quoi un hyperviseur ?\n/quitter\n")
    assert [r.intent for r in replies] == ["definition_hyperviseur"]


def test_repl_keeps_history_in_a_file(assistant: Assistant, tmp_path: Path) -> None:
    history = tmp_path / "data" / "historique"
    with create_pipe_input() as pipe:
        pipe.send_text("bonjour\n/quitter\n")
        run_repl(assistant, history_path=history, input=pipe, output=DummyOutput())
    assert "bonjour" in history.read_text()


def test_ctrl_c_cancels_the_line_and_ctrl_d_quits(assistant: Assistant, tmp_path: Path) -> None:
    replies = typed(assistant, tmp_path, "docker est-il sécurisé\x03merci\n\x04")
    assert [r.intent for r in replies] == ["remerciement"]


def test_repl_commands_do_not_reach_the_bot(assistant: Assistant, tmp_path: Path) -> None:
    replies = typed(assistant, tmp_path, "/aide\n/sources\n/inconnue\n\n/recommencer\n/quitter\n")
    assert [r.intent for r in replies] == ["recommencer"]


def test_repl_works_without_a_writable_history(assistant: Assistant, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with create_pipe_input() as pipe:
        pipe.send_text("merci\n/quitter\n")
        replies = run_repl(
            assistant, history_path=blocker / "sub" / "h", input=pipe, output=DummyOutput()
        )
    assert replies[0].intent == "remerciement"


def _chat(lines: str, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        input=lines.encode(),
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    assert b"Traceback" not in result.stderr
    return result.stdout.decode().splitlines()


def test_chat_json_gives_one_line_per_message_and_skips_empty_ones() -> None:
    lines = _chat("bonjour\n\nun conseil pour mon projet\nnon\n", "--json")
    objects = [json.loads(line) for line in lines]
    assert [o["message"] for o in objects] == ["bonjour", "un conseil pour mon projet", "non"]
    assert set(objects[0]) == {
        "message",
        "reply",
        "intent",
        "confidence",
        "kind",
        "choices",
        "expecting",
        "recommendation",
        "profile",
        "sources",
    }
    assert objects[1]["expecting"] is not None and objects[1]["recommendation"] is None


def test_chat_json_drives_a_whole_recommendation_by_reading_expecting(bot: Bot) -> None:
    vm_side = {c.id for c in bot.catalog.criteria.values() if c.favours == "vm"}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        text=True,
        env=os.environ.copy(),
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("je cherche un conseil pour mon application\n")
        process.stdin.flush()
        reply = json.loads(process.stdout.readline())
        asked = 0
        while reply["expecting"] is not None and asked < 10:
            asked += 1
            process.stdin.write(("oui" if reply["expecting"] in vm_side else "non") + "\n")
            process.stdin.flush()
            reply = json.loads(process.stdout.readline())
        process.stdin.close()
        process.wait(timeout=60)
    assert reply["recommendation"] == "vm" and asked <= 6
    assert reply["sources"]


def test_chat_in_a_real_terminal_reaches_a_recommendation(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "XDG_DATA_HOME": str(tmp_path),
        "TERM": "xterm",
        "COLUMNS": "80",
        "LINES": "40",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "chat"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 80),
    )
    try:
        child.expect("vous › ")
        child.sendline("un conseil pour mon projet")
        # A question ends its line with " ?" (colour codes may follow); the echo of
        # what is typed never does, since nothing typed here holds a "?".
        question = r" \?(?:\x1b\[[0-9;]*m)*\r+\n"
        for _ in range(10):
            if child.expect(["Je vous recommande", question]) == 0:
                break
            child.sendline("oui")
        else:
            pytest.fail("no recommendation after ten answers")
        child.expect("vous › ")
        child.sendline("/quitter")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert (tmp_path / "vmbot" / "historique").is_file()


def test_chat_json_understands_the_repl_commands() -> None:
    lines = "c'est quoi un hyperviseur ?\n/sources\n/aide\n/recommencer\n/quitter\nbonjour\n"
    out = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--json"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    ).stdout
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["message"] for r in replies] == [
        "c'est quoi un hyperviseur ?",
        "/sources",
        "/aide",
        "/recommencer",
    ]
    assert replies[1]["sources"] == replies[0]["sources"] != []
    assert replies[1]["intent"] is None and "/sources" in replies[2]["reply"]
    assert replies[3]["intent"] == "recommencer"


def test_a_line_starting_with_a_slash_but_not_a_command_is_a_message(
    assistant: Assistant, tmp_path: Path
) -> None:
    replies = typed(assistant, tmp_path, "/etc/hosts sert à quoi ?\n/quitter\n")
    assert len(replies) == 1


@pytest.mark.parametrize("leave", ["exit", "quit", "/q", "/exit", "QUITTER"])
def test_the_usual_ways_to_leave_a_prompt_leave(
    assistant: Assistant, tmp_path: Path, leave: str
) -> None:
    replies = typed(assistant, tmp_path, f"salut\n{leave}\nc'est quoi docker ?\n")
    assert [r.intent for r in replies] == ["salutation"]


def test_a_question_starting_with_exit_is_a_question(assistant: Assistant, tmp_path: Path) -> None:
    replies = typed(assistant, tmp_path, "exit code d'un conteneur docker ?\n/quitter\n")
    assert len(replies) == 1


def test_slash_help_shows_the_commands(assistant: Assistant) -> None:
    out = StringIO()
    chat_lines(assistant, ["/help"], out, as_json=False)
    assert "/sources" in out.getvalue() and "/recommencer" in out.getvalue()


def test_a_bare_number_in_chat_picks_one_of_the_offered_choices(hesitant_bot: Bot) -> None:
    out = StringIO()
    lines = ["docker ou vm ?", "2"]
    chat_lines(assistant_for(hesitant_bot), lines, out, as_json=True)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert len(first["choices"]) >= 2
    assert second["intent"] == first["choices"][1] and second["choices"] == []
