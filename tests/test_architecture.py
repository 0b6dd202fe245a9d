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


# The core: understanding French, matching, the dialogue. A message and a state in, a
# reply and a state out; the data arrives already loaded.
CORE = [
    BOT / "domain.py",
    BOT / "engine.py",
    BOT / "assistant.py",
    *(BOT / "nlp").glob("*.py"),
    *(BOT / "dialogue").glob("*.py"),
]
# Load-time builders that live beside the logic they feed, run only when the index is
# rebuilt (bot/assembly.py calls them): spaCy's model and the spelling dictionaries.
BUILDERS = {
    ("lemmas.py", "model_version"),
    ("lemmas.py", "parser_version"),
    ("lemmas.py", "build_lemma_table"),
    ("dictionary.py", "word_lists_version"),
    ("dictionary.py", "build_word_lists"),
}
IO_MODULES = ("os", "sys", "time", "datetime", "socket", "urllib", "http", "subprocess", "shutil")
IO_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_file"}


def _io_uses(path: Path) -> list[str]:
    """What in this module touches the environment, files, clocks or the network,
    outside the load-time builders."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and (path.name, node.name) in BUILDERS:
            skipped.update(ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in IO_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in IO_MODULES:
                found.append(node.module)
        elif isinstance(node, ast.Call):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            if name in IO_CALLS:
                found.append(f"{name}() line {node.lineno}")
    return found


def test_the_core_touches_no_environment_file_clock_or_network() -> None:
    uses = {p.name: _io_uses(p) for p in CORE}
    assert {name: found for name, found in uses.items() if found} == {}


def test_the_io_check_sees_what_the_assembly_reads() -> None:
    # The check can fail: the module that loads the data is full of what it looks for.
    assert "os" in _io_uses(BOT / "assembly.py")


def test_the_dialogue_knows_the_engine_only_through_its_protocol() -> None:
    for path in (BOT / "dialogue").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in ("bot.engine", "bot.assembly"), path.name
