"""core is the bottom layer: none of its modules imports a domain app (its tests may)."""

import ast
from pathlib import Path

import giaoban.core

CORE = Path(giaoban.core.__file__).parent
APPS = ("orgs", "reporting", "meetings", "media", "followup", "publishing", "home", "ops")


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_of_core_imports_a_domain_app():
    wrong = [
        f"{path.relative_to(CORE)}: {name}"
        for path in sorted(CORE.rglob("*.py"))
        if "tests" not in path.relative_to(CORE).parts
        for name in sorted(_imported(path))
        if name.split(".")[:2] in (["giaoban", app] for app in APPS)
    ]
    assert wrong == []
