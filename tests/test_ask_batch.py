"""`vmbot ask --json` on many lines answers them in batches of what has arrived: the
same answers as one by one, and a program that writes a line and waits still gets
its answer before it writes the next."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_program_that_waits_for_each_answer_gets_it_before_sending_the_next() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    assert child.stdin is not None and child.stdout is not None
    intents: list[str | None] = []

    def converse() -> None:
        assert child.stdin is not None and child.stdout is not None
        for question in ("c quoi docker", "merci"):
            child.stdin.write(question.encode() + b"\n")
            child.stdin.flush()
            intents.append(json.loads(child.stdout.readline())["intent"])
        child.stdin.close()

    talker = threading.Thread(target=converse, daemon=True)
    talker.start()
    talker.join(timeout=120)
    finished = not talker.is_alive()
    child.kill()
    child.wait()
    child.stdout.close()
    assert finished, "vmbot waited for more lines before answering"
    assert intents == ["definition_docker", "remerciement"]


def test_a_file_of_questions_gets_one_answer_per_line_in_order() -> None:
    questions = [
        "c quoi docker",
        "",
        "machine à laver",
        "merci",
        "c'est quoi un hyperviseur ?",
    ] * 300
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=("\n".join(questions) + "\n").encode(),
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        env=os.environ.copy(),
        check=True,
    )
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [a["question"] for a in answers] == questions
    assert [a["intent"] for a in answers[:5]] * 300 == [a["intent"] for a in answers]
