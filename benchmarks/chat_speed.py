"""`vmbot chat --json` over 1,000 lines of advice conversations, against another revision.

    python benchmarks/chat_speed.py [--base REVISION] [--runs N]

The lines are the personas' (benchmarks/data/*_personas.yaml): each opening, its
replies to every criterion, its digressions, then /recommencer; cycled up to 1,000
lines. Both versions read the same lines, alternately, several times; the figures are
medians of whole processes (warm caches), wall and CPU, and the outputs must agree.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml
from versions import ROOT, Timing, current, exported, medians, run_cli

LINES = 1_000


def chat_script(count: int = LINES) -> list[str]:
    """Advice conversations, one message a line, cycled to `count` lines."""
    lines: list[str] = []
    for path in sorted((ROOT / "benchmarks" / "data").glob("*_personas.yaml")):
        for persona in yaml.safe_load(path.read_text("utf-8")):
            opening = persona["opening"]
            lines += [opening] if isinstance(opening, str) else opening
            lines += persona["replies"].values()
            lines += [d["text"] for d in persona.get("digressions") or ()]
            lines.append("/recommencer")
    return [" ".join(line.split()) for line in (lines * (count // len(lines) + 1))[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="HEAD", help="the revision to compare with")
    parser.add_argument("--this", default=None, help="a revision instead of the working tree")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = exported(args.base)
    this = exported(args.this) if args.this else current(Path(base.root) / ".cache-this")
    stdin = ("\n".join(chat_script()) + "\n").encode()
    times: dict[str, list[Timing]] = {"base": [], "this": []}
    outputs = {}
    for version, key in ((base, "base"), (this, "this")):  # warm each cache
        outputs[key], _ = run_cli(version, ["chat", "--json"], stdin)
    for _ in range(args.runs):
        for version, key in ((base, "base"), (this, "this")):
            _, timing = run_cli(version, ["chat", "--json"], stdin)
            times[key].append(timing)
    result = {
        "lines": LINES,
        "runs": args.runs,
        "base": {"revision": args.base, **medians(times["base"])},
        "this": {"revision": args.this or "working tree", **medians(times["this"])},
        "same_replies": outputs["base"] == outputs["this"],
    }
    result["cpu_speedup"] = round(result["base"]["cpu_s"] / result["this"]["cpu_s"], 2)
    result["wall_speedup"] = round(result["base"]["wall_s"] / result["this"]["wall_s"], 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
