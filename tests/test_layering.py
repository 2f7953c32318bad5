"""The one-way flow of docs/ARCHITECTURE.md, machine-checked: no module imports a layer above its own.

    host → kolla → answers → preflight → pipeline → support → service → ui → commands → cli

Every import counts, module-level or inside a function (a lazy import is still a dependency).
The base modules (``wizard``, ``wizard.errors``, ``wizard.files``, ``wizard.durations``,
``wizard.inputs``) may be imported from anywhere and import no layer. A new top-level module
fails the test until it is given a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

WIZARD = Path(__file__).resolve().parents[1] / "wizard"

#: Rank of each layer: a module may import its own rank or a lower one. The most specific name wins.
LAYERS: dict[str, int] = {
    "wizard": 0,
    "wizard.errors": 0,
    "wizard.files": 0,
    "wizard.durations": 0,
    "wizard.inputs": 0,  # reading input files safely: used by host facts, answers and steps files
    "wizard.host": 10,
    "wizard.kolla": 20,
    "wizard.answers": 30,
    "wizard.preflight": 35,  # the facts judged against the answers and the release
    "wizard.pipeline": 40,
    "wizard.support": 45,  # bundle, destroy, recover-mariadb: after an install, below the service
    "wizard.service": 50,
    "wizard.ui": 60,
    "wizard.commands": 70,
    "wizard.cli": 80,
    "wizard.__main__": 90,
}

#: Upward edges not fixed yet, each with the reason it is still there. Empty is the goal.
KNOWN: dict[tuple[str, str], str] = {}


def layer_of(module: str) -> str:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in LAYERS and (n > 1 or len(parts) == 1):
            return name
    raise AssertionError(f"{module}: in no layer; add its package to LAYERS")


def _module_name(path: Path) -> str:
    rel = path.relative_to(WIZARD.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every ``wizard`` module ``path`` imports, resolving relative imports."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "wizard")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == "wizard":
                out.add(target)
    return out


def upward_edges() -> dict[tuple[str, str], str]:
    found = {}
    for path in sorted(WIZARD.rglob("*.py")):
        module = _module_name(path)
        mine = layer_of(module)
        for target in imports_of(path):
            theirs = layer_of(target)
            if LAYERS[theirs] > LAYERS[mine]:
                found[(module, target)] = f"{mine} (rank {LAYERS[mine]}) imports {theirs} (rank {LAYERS[theirs]})"
    return found


def test_no_module_imports_a_layer_above_its_own():
    found = upward_edges()
    new = {edge: why for edge, why in found.items() if edge not in KNOWN}
    assert not new, "upward imports:\n" + "\n".join(f"  {a} -> {b}: {why}" for (a, b), why in sorted(new.items()))


def test_every_known_exception_still_exists():
    """An exception that was fixed is removed from KNOWN, so the list only shrinks."""
    stale = set(KNOWN) - set(upward_edges())
    assert not stale, f"fixed, remove from KNOWN: {sorted(stale)}"


def test_the_checker_sees_a_lazy_upward_import(tmp_path):
    bad = tmp_path / "wizard" / "host" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from wizard.pipeline import runner\n    from ..answers import defaults\n")
    global WIZARD
    saved, WIZARD = WIZARD, tmp_path / "wizard"
    try:
        assert imports_of(bad) == {"wizard.pipeline", "wizard.answers"}
        assert layer_of("wizard.host.bad") == "wizard.host"
        assert layer_of("wizard.preflight.checks") == "wizard.preflight"
    finally:
        WIZARD = saved
