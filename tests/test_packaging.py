"""The distribution: a wheel built from the checkout carries its data and runs anywhere."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a build needs from the checkout: tests, benchmarks and caches stay out.
_SOURCES = ("pyproject.toml", "setup.py", "README.md", "bot", "intents", "corpus")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline from a copy of the checkout (the checkout stays clean)."""
    source = tmp_path_factory.mktemp("source")
    for name in _SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, source],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("vmbot-*.whl")
    return built


def _install(wheel: Path, venv: Path) -> Path:
    """A fresh virtual environment holding the wheel; its dependencies are the ones this
    environment already has (added to its path, so nothing is downloaded). Returns its
    site-packages folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel],
        check=True,
        capture_output=True,
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Plain path lines: this environment's own .pth files (vmbot's editable finder among
    # them) are not run, so `bot` can only come from the wheel.
    Path(purelib, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return Path(purelib)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    _install(wheel, venv)
    return venv


@pytest.fixture
def installed_without_index(installed: Path) -> Iterator[Path]:
    """What an isolated build installs (`pipx install .`): its build environment has no
    spaCy, so the wheel carries the data but no prebuilt index. The installed wheel, its
    index set aside during the test (a second install would take seconds)."""
    (index,) = installed.glob("lib/python*/site-packages/bot/data/index")
    aside = index.with_name("index-set-aside")
    index.rename(aside)
    yield installed
    aside.rename(index)


def _vmbot(
    venv: Path, *args: str, stdin: str = "", cwd: Path, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VMBOT_DATA", "PYTHONPATH")}
    if cache is not None:
        env["VMBOT_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [venv / "bin" / "vmbot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_the_wheel_carries_the_data_and_nothing_of_the_checkout_besides(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/data/intents/conversation.yaml" in names
    assert "bot/data/corpus/docker-vs-vm.yaml" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "intents/"))]


def test_the_wheel_ships_the_index_built_from_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.split("/")[-1].split("-")[0] for n in names if n.startswith("bot/data/index/")}
    assert {"lemmas", "index", "needs", "dictionaries"} <= shipped


def test_an_installed_vmbot_answers_from_another_folder(installed: Path, tmp_path: Path) -> None:
    done = _vmbot(installed, "ask", "--json", "c'est quoi un hyperviseur ?", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["intent"] == "definition_hyperviseur"


def test_a_fresh_install_answers_and_advises_without_building_anything(
    installed: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "cache"
    done = _vmbot(
        installed,
        "chat",
        "--json",
        stdin="j'aimerais un conseil pour mon projet\n",
        cwd=tmp_path,
        cache=empty,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["intent"] == "recommandation"
    assert "prépare" not in done.stderr  # the shipped index was used: no spaCy, no training
    assert not list(empty.glob("*"))


def test_an_installed_vmbot_lists_its_faq(installed: Path, tmp_path: Path) -> None:
    done = _vmbot(installed, "faq", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "hyperviseur" in done.stdout.lower()


def test_an_installed_vmbot_gives_advice_in_json_lines(installed: Path, tmp_path: Path) -> None:
    done = _vmbot(
        installed,
        "chat",
        "--json",
        stdin="j'aimerais un conseil pour mon projet\n",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert replies[-1]["intent"] == "recommandation"
    assert replies[-1]["expecting"] is not None  # the first follow-up question


def test_an_installed_vmbot_eval_asks_for_a_file(installed: Path, tmp_path: Path) -> None:
    done = _vmbot(installed, "eval", cwd=tmp_path)
    assert done.returncode == 2
    assert "indiquez le fichier" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_data_is_reported_as_missing_with_the_way_to_give_it(
    installed: Path, tmp_path: Path
) -> None:
    done = _vmbot(installed, "--data", str(tmp_path / "absent"), "ask", "salut", cwd=tmp_path)
    assert done.returncode == 1
    assert "introuvables" in done.stderr and "VMBOT_DATA" in done.stderr
    assert "invalides" not in done.stderr


def test_an_install_without_a_prebuilt_index_prepares_it_and_says_so(
    installed_without_index: Path, _cache_dir: Path, tmp_path: Path
) -> None:
    # Given a cache holding the artefacts of the same code and data but the word lists:
    # the way from no shipped index to an announced build is the same for every
    # artefact, and these take seconds where spaCy's lemmas and the training take a
    # minute (both are built from nothing, announced, in the session's first run).
    cache = tmp_path / "cache"
    cache.mkdir()
    for path in _cache_dir.glob("*.vmbot"):
        if not path.name.startswith(("common-words-", "dictionaries-")):
            shutil.copy(path, cache / path.name)
    done = _vmbot(
        installed_without_index,
        "ask",
        "--json",
        "c'est quoi un hyperviseur ?",
        cwd=tmp_path,
        cache=cache,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["intent"] == "definition_hyperviseur"
    assert "vmbot prépare les dictionnaires" in done.stderr
    assert list(cache.glob("dictionaries-*.vmbot"))
