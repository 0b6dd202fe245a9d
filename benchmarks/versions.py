"""Run another revision of vmbot beside this checkout, for figures side by side in one run.

The machine is shared and noisy: only ratios measured in the same run mean much. A
revision is exported (`git archive`) to a temporary folder and run with the same
interpreter, that folder first on the import path; each version gets its own cache.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Runs a command line in a child and reports the child's own CPU time on stderr.
_TIMED = (
    "import resource, sys; from bot.adapters.cli import main; code = main(sys.argv[1:]); "
    "u = resource.getrusage(resource.RUSAGE_SELF); "
    "print('cpu', u.ru_utime + u.ru_stime, file=sys.stderr); sys.exit(code)"
)


@dataclass(frozen=True, kw_only=True)
class Version:
    """A checkout to run: its folder (on the import path) and its own cache folder."""

    name: str
    root: Path
    cache: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.root), "VMBOT_CACHE_DIR": str(self.cache)}


def current(cache: Path) -> Version:
    """This checkout, as it is on disk."""
    return Version(name="this", root=ROOT, cache=cache)


def exported(revision: str, into: Path | None = None) -> Version:
    """A revision of this repository, exported to a temporary folder."""
    folder = Path(into or tempfile.mkdtemp(prefix="vmbot-rev-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return Version(name=revision, root=folder, cache=folder / ".cache")


@dataclass(frozen=True, kw_only=True)
class Timing:
    wall_s: float
    cpu_s: float


def run_cli(version: Version, args: Sequence[str], stdin: bytes) -> tuple[bytes, Timing]:
    """Run `vmbot ARGS` of this version on this input: its output, wall and child CPU time."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _TIMED, *args],
        input=stdin,
        capture_output=True,
        check=True,
        env=version.env(),
        cwd=version.root,
    )
    wall = time.perf_counter() - start
    cpu = float(done.stderr.decode().rsplit("cpu", 1)[1].split()[0])
    return done.stdout, Timing(wall_s=wall, cpu_s=cpu)


def medians(timings: Sequence[Timing]) -> dict[str, float]:
    return {
        "wall_s": round(statistics.median(t.wall_s for t in timings), 3),
        "cpu_s": round(statistics.median(t.cpu_s for t in timings), 3),
    }
