"""The generated API reference (docs/reference/) and the template reference keep every object.

``mkdocs build --strict`` (the test command) fails on a ``:::`` directive that does not
resolve; these tests fail when a page or a directive is dropped, or a new public name,
port, event type or template arrives without one.
"""

from __future__ import annotations

import ast
import importlib
import re
import typing
from pathlib import Path

import pytest

import waffo_portal
from waffo_portal import ports
from waffo_portal.core import exceptions
from waffo_portal.core.proration import ChangeKind

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def _directives() -> dict[str, str]:
    """Identifier -> the reference page it is on."""
    found: dict[str, str] = {}
    for page in sorted(REFERENCE.glob("*.md")):
        for identifier in DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            found[identifier] = page.name
    return found


def _resolve(identifier: str) -> object:
    module_name, _, attribute = identifier.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except ModuleNotFoundError:  # the identifier is a module itself
        return importlib.import_module(identifier)


def _documented_objects() -> list[object]:
    return [_resolve(identifier) for identifier in _directives()]


def test_every_directive_names_an_existing_object() -> None:
    for identifier in _directives():
        _resolve(identifier)  # raises for a renamed or removed object


@pytest.mark.parametrize("name", sorted(set(waffo_portal.__all__) - {"__version__"}))
def test_every_public_name_has_a_directive(name: str) -> None:
    documented = _documented_objects()
    value = getattr(waffo_portal, name)
    assert any(value is obj for obj in documented), (
        f"waffo_portal.{name} is in no ::: directive under docs/reference/")


def test_the_version_is_documented() -> None:
    assert "__version__" in (REFERENCE / "extras.md").read_text(encoding="utf-8")


def _protocols() -> list[str]:
    return [name for name in ports.__all__
            if getattr(getattr(ports, name), "_is_protocol", False)]


def test_every_port_protocol_has_a_directive() -> None:
    assert len(_protocols()) >= 15  # the check would pass vacuously if the test broke
    directives = _directives()
    missing = [name for name in _protocols() if f"waffo_portal.ports.{name}" not in directives]
    assert missing == []


def test_every_exception_has_a_directive_and_a_table_row() -> None:
    page = (REFERENCE / "exceptions.md").read_text(encoding="utf-8")
    directives = _directives()
    for name in exceptions.__all__:
        assert f"waffo_portal.core.exceptions.{name}" in directives, name
        cls = getattr(exceptions, name)
        row = next((line for line in page.splitlines() if line.startswith(f"| `{name}` |")),
                   None)
        assert row is not None, f"{name} has no row in the exceptions table"
        assert f"| {cls.status_code} | `{cls.code}` |" in row, (
            f"{name}: the table's status or code differs from the class")


def test_every_reference_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in REFERENCE.glob("*.md"):
        assert f"reference/{page.name}" in nav, page.name
    assert "templates.md" in nav


def _emitted_event_types() -> set[str]:
    """The literal types of every ``deps.emit(...)`` call in the use cases."""
    found: set[str] = set()
    for source in (ROOT / "src" / "waffo_portal" / "use_cases").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "emit" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_every_event_type_is_in_the_events_table() -> None:
    page = (REFERENCE / "events.md").read_text(encoding="utf-8")
    literal = _emitted_event_types()
    assert {"billing.updated", "order.paid", "subscription.canceling"} <= literal
    # The types built from a value: plan changes by ChangeKind, renewals by outcome,
    # endings by status.
    built = {f"subscription.{kind.value}" for kind in ChangeKind} | {
        "subscription.renewed", "subscription.past_due", "subscription.canceled",
        "subscription.expired"}
    missing = [kind for kind in sorted(literal | built) if f"| `{kind}` |" not in page]
    assert missing == []


def test_every_template_is_in_the_template_reference() -> None:
    page = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    folder = ROOT / "src" / "waffo_portal" / "web" / "templates" / "waffo_portal"
    templates = sorted(path.name for path in folder.glob("*.html"))
    assert "base.html" in templates
    missing = [name for name in templates if f"`{name}`" not in page]
    assert missing == []


def test_models_page_states_the_units() -> None:
    page = (REFERENCE / "models.md").read_text(encoding="utf-8")
    for phrase in ("minor units", "percent", "UTC", "gross", "net"):
        assert phrase in page
    assert typing.get_type_hints(waffo_portal.Order)["tax_rate"].__name__ == "Decimal"


def _render_calls() -> list[tuple[str, str]]:
    """(template, keyword) of every ``page.render("x.html", ..., keyword=...)`` in web/."""
    found: list[tuple[str, str]] = []
    for source in (ROOT / "src" / "waffo_portal" / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "render" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and str(node.args[0].value).endswith(".html")):
                found.extend((str(node.args[0].value), keyword.arg)
                             for keyword in node.keywords if keyword.arg)
    return found


def test_every_context_variable_a_view_passes_is_in_the_template_reference() -> None:
    page = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    calls = _render_calls()
    assert ("error.html", "title") in calls
    rows = {line.split("|")[1].strip(): line for line in page.splitlines()
            if line.startswith("| `") and line.split("|")[1].strip().endswith(".html`")}
    missing = [(template, name) for template, name in calls
               if f"`{name}`" not in rows.get(f"`{template}`", "")]
    assert missing == []
