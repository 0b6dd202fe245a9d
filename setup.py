"""Build hook: the distribution ships a prebuilt index (bot/data/index), so that an
installed vmbot answers its first question without loading spaCy or training.

Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

_PREBUILD = (
    "import sys; from pathlib import Path; from bot.assembly import prebuild; "
    "prebuild(Path(sys.argv[1]), Path(sys.argv[2]))"
)


class BuildWithIndex(build_py):
    """Copies the package, then builds the index from the data it carries."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout and caches its own index
        package = Path(self.build_lib) / "bot"
        env = {k: v for k, v in os.environ.items() if k not in ("VMBOT_DATA", "PYTHONPATH")}
        env["PYTHONPATH"] = str(self.build_lib)
        # The same interpreter as the build: it has vmbot's dependencies when the build
        # runs without isolation (python -m build --no-isolation, .ci/run).
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _PREBUILD,
                str(package / "data"),
                str(package / "data" / "index"),
            ],
            env=env,
            check=False,
        )
        if done.returncode != 0:
            self.warn("vmbot: no prebuilt index (dependencies missing); built on first use")


setup(cmdclass={"build_py": BuildWithIndex})
