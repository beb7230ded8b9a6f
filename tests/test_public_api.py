"""The package's public names, now imported on first use (PEP 562)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import waffo_portal


def _type_checking_imports() -> dict[str, str]:
    """Name -> module of the imports mypy sees (the `if TYPE_CHECKING:` block)."""
    tree = ast.parse(Path(waffo_portal.__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    return {alias.name: f".{node.module}" for node in block.body
            if isinstance(node, ast.ImportFrom) for alias in node.names}


def test_lazy_table_matches_the_typed_imports_and_all() -> None:
    lazy = {name: module for module, names in waffo_portal._EXPORTS.items() for name in names}
    assert lazy == _type_checking_imports()
    assert set(lazy) | {"__version__"} == set(waffo_portal.__all__)


def test_every_public_name_resolves_to_its_defining_object() -> None:
    from waffo_portal.core.money import Money
    from waffo_portal.service import Portal

    namespace: dict[str, object] = {}
    exec("from waffo_portal import *", namespace)  # noqa: S102 - a fixed string
    assert set(waffo_portal.__all__) <= set(namespace)
    assert namespace["Money"] is Money and waffo_portal.Portal is Portal
    assert set(waffo_portal.__all__) <= set(dir(waffo_portal))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        waffo_portal.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def _loaded_by(module: str, watched: tuple[str, ...]) -> list[str]:
    """Which of ``watched`` a fresh interpreter has loaded after ``import module``."""
    code = (f"import sys; import {module}; "
            f"print(' '.join(m for m in {watched!r} if m in sys.modules))")
    src = str(Path(waffo_portal.__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {src!r}); {code}"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def test_importing_the_invoice_renderer_skips_unrelated_modules() -> None:
    assert _loaded_by("waffo_portal.invoices", (
        "waffo_portal.service", "waffo_portal.mail", "waffo_portal.core.billing_details",
        "waffo_portal.stores.memory")) == []


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version
    assert waffo_portal.__version__ == version("waffo-portal")


def test_importing_web_messages_loads_no_pdf_library_or_page_machinery() -> None:
    assert _loaded_by("waffo_portal.web.messages", (
        "reportlab", "xhtml2pdf", "jinja2", "waffo_portal.web.app", "waffo_portal.invoices")) == []


def test_the_facade_and_the_web_app_load_reportlab_only_when_a_pdf_is_drawn() -> None:
    assert _loaded_by("waffo_portal.web.app", (
        "reportlab", "xhtml2pdf", "waffo_portal.invoices.engine")) == []
