"""Each concern has one home, and imports between the homes flow one way.

outbox ← workshops ← schedule, registration, accounts ← submissions ← demo; ``config``
imports no domain app. A module may import another app only at its top (an import inside a
function hides a cycle), except in ``AppConfig.ready()``, Django's place for it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("outbox", "workshops", "accounts", "schedule", "registration", "submissions", "demo")
ALLOWED = {
    "config": set(),
    "outbox": {"config"},
    "workshops": {"config", "outbox"},
    "accounts": {"config", "outbox", "workshops"},
    "schedule": {"config", "outbox", "workshops"},
    "registration": {"config", "outbox", "workshops"},
    "submissions": {"config", "outbox", "workshops", "accounts", "schedule"},
    "demo": {
        "config",
        "outbox",
        "workshops",
        "accounts",
        "schedule",
        "registration",
        "submissions",
    },
}


def imports(path: Path) -> list[tuple[str, bool]]:
    """Return (module, inside a function) for each absolute import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready":
            nested.update(id(sub) for sub in ast.walk(node) if sub is not node)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, id(node) in nested))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, id(node) in nested) for alias in node.names)
    return found


def modules(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_imports_flow_one_way(app):
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in modules(app)
        for module, _ in imports(path)
        if (top := module.split(".")[0]) in {*DOMAIN, "config"}
        and top != app
        and top not in ALLOWED[app]
    }
    assert not wrong


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_no_app_is_imported_inside_a_function(app):
    hidden = {
        f"{path.relative_to(ROOT)} imports {module} inside a function"
        for path in modules(app)
        for module, inside in imports(path)
        if inside
        and module.split(".")[0] in {*DOMAIN, "config"}
        # OR-Tools is heavy: the reviewer assignment loads it when it is used, not at start.
        and module != "submissions.assignment"
    }
    assert not hidden


def test_the_allowed_imports_have_no_cycle():
    def visit(app: str, path: tuple[str, ...]) -> None:
        assert app not in path, " → ".join((*path, app))
        for dep in ALLOWED[app]:
            visit(dep, (*path, app))

    assert set(ALLOWED) == {*DOMAIN, "config"}
    for app in ALLOWED:
        visit(app, ())
