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

from baseline import PEAK_KB

ROOT = Path(__file__).resolve().parent.parent
# Ends a program run in a child (which sets `code`, its exit code): reports last on
# stderr the child's own CPU time and peak memory (VmHWM: ru_maxrss would carry the
# parent's peak across exec).
_REPORT = (
    "\nimport resource, sys\nu = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('vmbot-timing', u.ru_utime + u.ru_stime, peak_kb(), file=sys.stderr)\n"
    "sys.exit(code)\n"
)
_CLI = "import sys\nfrom bot.adapters.cli import main\ncode = main(sys.argv[1:])\n"


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
    peak_mb: float


def run_cli(version: Version, args: Sequence[str], stdin: bytes) -> tuple[bytes, Timing]:
    """Run `vmbot ARGS` of this version on this input: its output, wall and child CPU
    time, and the child's peak memory."""
    return run_python(version, _CLI, args, stdin)


def run_python(
    version: Version, program: str, args: Sequence[str] = (), stdin: bytes = b""
) -> tuple[bytes, Timing]:
    """Run a Python program (which sets `code`, its exit code) in a fresh interpreter,
    with this version first on the import path: its output and its timing."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_KB + program + _REPORT, *args],
        input=stdin,
        capture_output=True,
        check=True,
        env=version.env(),
        cwd=version.root,
    )
    wall = time.perf_counter() - start
    cpu, peak_kb = done.stderr.decode().rsplit("vmbot-timing", 1)[1].split()[:2]
    return done.stdout, Timing(wall_s=wall, cpu_s=float(cpu), peak_mb=int(peak_kb) / 1024)


def medians(timings: Sequence[Timing]) -> dict[str, float]:
    return {
        "wall_s": round(statistics.median(t.wall_s for t in timings), 3),
        "cpu_s": round(statistics.median(t.cpu_s for t in timings), 3),
        "peak_mb": round(statistics.median(t.peak_mb for t in timings), 1),
    }
