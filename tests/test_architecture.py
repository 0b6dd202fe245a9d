"""The core does no I/O: only adapters print, read input or import channel libraries."""

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
CHANNEL_LIBRARIES = ("prompt_toolkit", "slack_bolt", "slack_sdk", "argparse", "rich")


def _core_modules() -> list[Path]:
    return [p for p in BOT.rglob("*.py") if "adapters" not in p.parts and p.name != "__main__.py"]


def test_core_imports_no_channel_library() -> None:
    for path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(CHANNEL_LIBRARIES), f"{path.name} imports {name}"


def test_core_never_prints() -> None:
    for path in _core_modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "input", "exit"), path.name


def test_spacy_is_imported_in_one_module_only() -> None:
    importers = [p.name for p in BOT.rglob("*.py") if "import spacy" in p.read_text("utf-8")]
    assert importers == ["lemmas.py"]
