"""Drives advice personas through `vmbot chat --json` and scores each conversation.

    python benchmarks/dialogue.py benchmarks/data/fresh_personas.yaml
    python benchmarks/dialogue.py FILE --vmbot /other/checkout/.venv/bin/vmbot --transcripts

A persona (format in benchmarks/data/README.md) sends its opening, then answers each
follow-up question with its reply for that criterion (a plainer one if asked again),
and may digress instead of answering. A conversation succeeds when vmbot recommends
an acceptable outcome, within the persona's question budget, without asking any
question a third time and without being asked again for advice. Criteria vmbot
recorded against the persona's facts (the reply's `profile`, and the reasons shown
with the recommendation) are counted: an invented reason is the worst failure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# The criteria a persona's facts and replies must cover (intents/criteres.yaml's ids).
CRITERIA = tuple(
    c["id"]
    for c in yaml.safe_load((ROOT / "intents" / "criteres.yaml").read_text("utf-8"))["criteria"]
)
OUTCOMES = frozenset({"vm", "conteneur", "conteneur_sur_vm"})
FACTS = frozenset({"oui", "non", "nsp"})
PLAIN = {"oui": "oui", "non": "non", "nsp": "je ne sais pas"}
NUDGE = "Que me conseillez-vous pour mon projet ?"
MAX_MESSAGES = 30


@dataclass(frozen=True, kw_only=True)
class Persona:
    id: str
    styles: tuple[str, ...]
    facts: dict[str, str]
    opening: tuple[str, ...]
    replies: dict[str, str]
    replies_again: dict[str, str]
    digressions: dict[int, str]
    acceptable: frozenset[str]
    budget: int


@dataclass(kw_only=True)
class Run:
    persona: Persona
    transcript: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    questions: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    third_asks: list[str] = field(default_factory=list)
    nudges: int = 0
    recommendation: str | None = None
    profile: dict[str, str] | None = None
    shown: list[str] = field(default_factory=list)

    @property
    def invented(self) -> list[str]:
        """Criteria recorded as true (or shown as reasons) that the persona never has."""
        recorded = {c for c, v in (self.profile or {}).items() if v == "oui"} | set(self.shown)
        return sorted(c for c in recorded if self.persona.facts[c] != "oui")

    @property
    def contradicted(self) -> list[str]:
        """Criteria the persona has, recorded as absent."""
        return sorted(
            c
            for c, v in (self.profile or {}).items()
            if v == "non" and self.persona.facts[c] == "oui"
        )

    @property
    def acceptable(self) -> bool:
        return self.recommendation in self.persona.acceptable

    @property
    def success(self) -> bool:
        return (
            self.acceptable
            and self.questions <= self.persona.budget
            and not self.third_asks
            and not self.nudges
        )


def load_personas(path: Path) -> list[Persona]:
    """Personas of a YAML file; ValueError names the persona and the problem."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: a list of personas is expected")
    personas = []
    for entry in raw:
        pid = entry.get("id", "?") if isinstance(entry, dict) else "?"
        try:
            personas.append(_persona(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: persona {pid}: {exc}") from exc
    return personas


def _persona(entry: dict[str, Any]) -> Persona:
    facts = {c: str(entry["facts"][c]) for c in CRITERIA}
    if set(facts.values()) - FACTS:
        raise ValueError(f"facts must be among {sorted(FACTS)}")
    given = entry["replies"]
    # A persona who does not know may have nothing to say: the driver answers for them.
    replies = {
        c: str(given[c]) if c in given or facts[c] != "nsp" else PLAIN["nsp"] for c in CRITERIA
    }
    opening = entry["opening"]
    opening = (opening,) if isinstance(opening, str) else tuple(map(str, opening))
    acceptable = frozenset(entry["acceptable"])
    if not acceptable or acceptable - OUTCOMES:
        raise ValueError(f"acceptable must be among {sorted(OUTCOMES)}")
    return Persona(
        id=str(entry["id"]),
        styles=tuple(entry.get("styles", ())),
        facts=facts,
        opening=opening,
        replies=replies,
        replies_again={str(k): str(v) for k, v in (entry.get("replies_again") or {}).items()},
        digressions={int(d["after"]): str(d["text"]) for d in entry.get("digressions") or ()},
        acceptable=acceptable,
        budget=int(entry["budget"]),
    )


class Chat:
    """One `vmbot chat --json` process: a message in, its JSON reply out."""

    def __init__(self, vmbot: list[str]) -> None:
        self._process = subprocess.Popen(
            [*vmbot, "chat", "--json"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def say(self, text: str) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(" ".join(text.split()) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("vmbot chat stopped answering")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)


def play(persona: Persona, vmbot: list[str], reasons: dict[str, str]) -> Run:
    """One conversation, from the opening to a recommendation or a dead end."""
    run = Run(persona=persona)
    chat = Chat(vmbot)
    try:
        reply: dict[str, Any] = {}
        for text in persona.opening:
            reply = _send(chat, run, text)
        digressed = False
        digressions = dict(persona.digressions)
        while len(run.transcript) < MAX_MESSAGES:
            if reply.get("recommendation") and not reply.get("expecting"):
                break
            pending = reply.get("expecting")
            if pending is None:
                if run.nudges:
                    break  # asked twice for advice and still nothing: a dead end
                run.nudges += 1
                reply = _send(chat, run, NUDGE)
                continue
            if not digressed:
                run.questions += 1
            if run.questions in digressions and not digressed:
                digressed = True
                reply = _send(chat, run, digressions.pop(run.questions))
                continue
            digressed = False
            run.attempts[pending] += 1
            tries = run.attempts[pending]
            if tries >= 3:
                run.third_asks.append(pending)
            if tries == 1:
                text = persona.replies[pending]
            elif tries == 2 and pending in persona.replies_again:
                text = persona.replies_again[pending]
            else:
                text = PLAIN[persona.facts[pending]]
            reply = _send(chat, run, text)
    finally:
        chat.close()
    run.recommendation = reply.get("recommendation")
    profile = reply.get("profile")
    run.profile = dict(profile) if isinstance(profile, dict) else None
    if run.recommendation:
        text = reply.get("reply", "")
        run.shown = [c for c, reason in reasons.items() if f"- {reason}" in text]
    return run


def _send(chat: Chat, run: Run, text: str) -> dict[str, Any]:
    reply = chat.say(text)
    run.transcript.append((text, reply))
    return reply


def criterion_reasons(intents: Path) -> dict[str, str]:
    """Criterion id -> the reason sentence shown with a recommendation."""
    raw = yaml.safe_load((intents / "criteres.yaml").read_text(encoding="utf-8"))
    return {c["id"]: c["reason"] for c in raw["criteria"]}


def summary(runs: list[Run]) -> dict[str, Any]:
    n = len(runs)
    return {
        "personas": n,
        "success": sum(r.success for r in runs),
        "acceptable_outcome": sum(r.acceptable for r in runs),
        "within_budget": sum(r.questions <= r.persona.budget for r in runs),
        "third_asks": sum(bool(r.third_asks) for r in runs),
        "needed_nudge": sum(bool(r.nudges) for r in runs),
        "with_invented_criterion": sum(bool(r.invented) for r in runs),
        "invented_criteria": sum(len(r.invented) for r in runs),
        "contradicted_criteria": sum(len(r.contradicted) for r in runs),
        "profile_reported": all(r.profile is not None for r in runs),
        "mean_questions": round(sum(r.questions for r in runs) / n, 2) if n else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--vmbot", help="vmbot executable (default: this Python's -m bot)")
    parser.add_argument(
        "--intents", type=Path, default=ROOT / "intents", help="the checkout's intents/"
    )
    parser.add_argument("--transcripts", action="store_true", help="print every conversation")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    vmbot = [args.vmbot] if args.vmbot else [sys.executable, "-m", "bot"]
    reasons = criterion_reasons(args.intents)
    runs = [play(p, vmbot, reasons) for p in load_personas(args.file)]
    for run in runs:
        p = run.persona
        flags = [
            "ok" if run.success else "FAIL",
            f"got={run.recommendation}",
            f"want={'/'.join(sorted(p.acceptable))}",
            f"questions={run.questions}/{p.budget}",
        ]
        if run.third_asks:
            flags.append(f"asked-3x={','.join(run.third_asks)}")
        if run.nudges:
            flags.append("nudged")
        if run.invented:
            flags.append(f"invented={','.join(run.invented)}")
        if run.contradicted:
            flags.append(f"contradicted={','.join(run.contradicted)}")
        if not args.json:
            print(f"{p.id:<5} {' '.join(flags)}  [{','.join(p.styles)}]")
        if args.transcripts:
            for text, reply in run.transcript:
                print(f"    > {text}")
                shown = reply.get("reply", "").replace("\n", " ")
                print(f"    < [{reply.get('intent')}|{reply.get('expecting')}] {shown[:300]}")
    result = summary(runs)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
