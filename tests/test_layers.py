"""Imports point down the layers: commands -> report -> study and sweep -> model -> config.

Every import counts, those inside functions too, so a lazy import cannot hide a cycle. ``sim``
itself (the version, the notebook API) and ``sim.errors`` may be imported from any layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
RANK = {"config": 0, "model": 1, "study": 2, "sweep": 2, "report": 3, "commands": 4}
# What a layer must not import, beyond the layers above it.
SIDEWAYS = {"study": {"sweep"}}


def _imported(path: Path) -> set[str]:
    """Every ``sim.*`` module a file imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("sim.")}


def _layer(module: str) -> str | None:
    part = module.split(".")[1]
    return part if part in RANK else None


FILES = sorted(p for p in SIM.rglob("*.py") if p.relative_to(SIM).parts[0] in RANK)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SIM)))
def test_a_module_imports_only_its_own_layer_and_those_below(path: Path) -> None:
    own = path.relative_to(SIM).parts[0]
    wrong = sorted(
        module
        for module in _imported(path)
        if (layer := _layer(module)) is not None and (RANK[layer] > RANK[own] or layer in SIDEWAYS.get(own, set()))
    )
    assert not wrong, f"{path.relative_to(SIM)} imports {wrong} (a layer above it)"


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from sim.commands.cli import build_parser\n", encoding="utf-8")
    assert "sim.commands.cli" in _imported(sample)
