"""No module reads the clock when it is imported.

A date taken at import stays the day the process started (or the day pytest collected the
file): a server running past midnight, or a test suite that does, then compares yesterday with
today. CI once failed that way, at midnight in Shanghai, on a test module's ninety-day window.
Reading the clock inside a function, a lambda or a fixture is fine; a module constant, a class
attribute, a default argument or a decorator's argument is not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLOCK = ("localdate", "localtime", "timezone.now", "date.today", "datetime.now", "days_ago", "ago")


def _reads_the_clock(call: ast.Call) -> bool:
    name = ast.unparse(call.func)
    return any(name == word or name.endswith("." + word) for word in CLOCK)


def clock_read_at_import(source: str) -> list[str]:
    """The clock reads in `source` that run when the module is imported."""
    found = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # Its decorators and default values run at import; its body does not.
                for part in [*child.decorator_list, *child.args.defaults, *child.args.kw_defaults]:
                    if part is not None:
                        visit_all(part)
                continue
            if isinstance(child, ast.Lambda):
                continue
            if isinstance(child, ast.Call) and _reads_the_clock(child):
                found.append(f"line {child.lineno}: {ast.unparse(child)}")
            visit(child)

    def visit_all(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and _reads_the_clock(sub):
                found.append(f"line {sub.lineno}: {ast.unparse(sub)}")

    visit(ast.parse(source))
    return found


def _modules() -> list[Path]:
    files = [*(ROOT / "src" / "salesdesk").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    return sorted(p for p in files if "migrations" not in p.parts)


def test_no_module_reads_the_clock_when_imported():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in _modules()
        if (found := clock_read_at_import(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        'WIDE = {"date_from": ago(90), "date_to": ago(0)}',
        "TODAY = timezone.localdate()",
        "class Form:\n    day = forms.DateField(initial=timezone.localdate())",
        "def report(day=dt.date.today()):\n    return day",
        "@pytest.mark.parametrize('day', [days_ago(3)])\ndef test(day):\n    pass",
    ],
)
def test_a_clock_read_at_import_is_found(source):
    assert clock_read_at_import(source)


@pytest.mark.parametrize(
    "source",
    [
        "TODAY = timezone.localdate",  # the function itself, called later
        "def wide():\n    return {'date_to': ago(0)}",
        "at = models.DateTimeField(default=timezone.now)",
        "CHARTS = {'x': lambda: timezone.localdate()}",
    ],
)
def test_a_clock_read_when_called_is_not(source):
    assert clock_read_at_import(source) == []
