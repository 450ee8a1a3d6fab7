"""The package's layers: imports only point down, and modules stay under 400 lines.

Layers, from the bottom: the modules directly in sim/ (``sim.errors``, ``sim.lockfile``, ...: each
imports nothing from sim but its fellows) and ``sim`` itself (version and the lazy notebook API,
which names higher modules only as strings in its ``_API`` table); ``sim.config``; ``sim.model``
(with ``sim.model.interventions``); ``sim.study``; ``sim.sweep`` (may use the study layer's
helpers, never the reverse); ``sim.report``; ``sim.commands``. A module may import its own layer
and any layer below it, and the bottom modules from anywhere. Every import counts, including
ones inside functions: a deferred import is still a dependency.

Known breaches are listed below, each with the reason it is still there; the engineers fixing
them remove their line. A listed breach that no longer occurs fails the test too, so the lists
only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"

# Bottom to top. The root package and the modules directly in sim/ share the bottom layer.
LAYERS = ["bottom", "config", "model", "study", "sweep", "report", "commands"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}
BOTTOM = {"sim", *(f"sim.{path.stem}" for path in SIM.glob("*.py") if path.stem != "__init__")}
MAX_LINES = 400

# Upward imports that exist today, as (importing module, imported module).
KNOWN_UPWARD: set[tuple[str, str]] = {
    # The national command's handler lives in study/ and writes files and a progress bar; it is
    # being moved to sim/commands/.
    ("sim.study.national", "sim.report.output"),
    ("sim.study.national", "sim.report.progress"),
    # The report checks that a recorded command line still parses with today's parser.
    ("sim.report.page", "sim.commands.cli"),
}

# Modules over MAX_LINES today, each being split into modules with one job.
KNOWN_LONG: set[str] = {
    "sim/study/compare.py",
    "sim/study/national.py",
    "sim/report/page.py",
}


def _module_name(path: Path) -> str:
    """Dotted name of a file under sim/ (a package's __init__ is the package)."""
    parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    """Whether a dotted sim name is a module or package (not an attribute of one)."""
    base = SIM.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imports(path: Path) -> set[str]:
    """Every sim module that a file imports, anywhere in it."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(anchor + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # `from sim.model import work` imports the module sim.model.work.
                submodule = f"{source}.{alias.name}"
                found.add(submodule if _is_module(submodule) else source)
    return {name for name in found if name == "sim" or name.startswith("sim.")}


def _layer(module: str) -> str:
    """The layer a sim module belongs to."""
    if module in BOTTOM:
        return "bottom"
    top = module.split(".")[1]
    if top not in RANK:
        raise AssertionError(f"{module}: not in any layer; add its package to LAYERS in tests/test_layers.py")
    return top


def _sources() -> list[Path]:
    return sorted(SIM.rglob("*.py"))


def _upward() -> dict[tuple[str, str], str]:
    """Every upward import, with the line that reports it."""
    found = {}
    for path in _sources():
        module = _module_name(path)
        for imported in sorted(_imports(path)):
            mine, theirs = _layer(module), _layer(imported)
            if imported not in BOTTOM and RANK[theirs] > RANK[mine]:
                found[module, imported] = f"{module} -> {imported} (layer {mine} may not import layer {theirs})"
    return found


def test_the_import_reader_sees_deferred_and_submodule_imports():
    """The checker itself: imports inside functions and `from package import module` count."""
    assert "sim.config.loading" in _imports(SIM / "sweep" / "evaluate.py")  # only inside functions
    assert "sim.model.work" in _imports(SIM / "model" / "dispatch.py")  # from sim.model import work
    assert _layer("sim.sweep.store") == "sweep" and _layer("sim") == "bottom"


def test_imports_point_down():
    found = _upward()
    new = [line for pair, line in sorted(found.items()) if pair not in KNOWN_UPWARD]
    assert not new, "imports that point up a layer:\n" + "\n".join(new)


def test_known_upward_imports_are_still_there():
    """A breach fixed by someone must leave the allow-list, so that it cannot come back."""
    gone = sorted(KNOWN_UPWARD - set(_upward()))
    assert not gone, f"fixed, so remove from KNOWN_UPWARD in tests/test_layers.py: {gone}"


def test_root_package_names_higher_layers_only_lazily():
    """sim/__init__ imports nothing from sim: its API names reach modules through _API strings."""
    root = SIM / "__init__.py"
    assert _imports(root) == set(), _imports(root)
    tree = ast.parse(root.read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_API" for t in node.targets)
    )
    assert isinstance(table, ast.Dict)
    for value in table.values:
        assert isinstance(value, ast.Constant) and _is_module(value.value), ast.dump(value)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_modules_are_short():
    long = [
        f"{name}: {_lines(path)} lines, over {MAX_LINES}; split it by job"
        for path in _sources()
        if (name := path.relative_to(SIM.parent).as_posix()) not in KNOWN_LONG and _lines(path) > MAX_LINES
    ]
    assert not long, "\n".join(long)


def test_known_long_modules_are_still_long():
    """A module split by someone must leave the allow-list (a deleted one too)."""
    path = SIM.parent
    shortened = sorted(name for name in KNOWN_LONG if not (path / name).is_file() or _lines(path / name) <= MAX_LINES)
    assert not shortened, f"now at most {MAX_LINES} lines, so remove from KNOWN_LONG: {shortened}"
