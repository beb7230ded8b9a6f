"""The layer contracts of ``make lint`` hold, and they fail when someone breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True,
                          text=True, check=False, env={"PYTHONPATH": str(tree / "src")})


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src" / "waffo_portal", tmp_path / "src" / "waffo_portal",
                    ignore=shutil.ignore_patterns("__pycache__", "*.ttf", "*.mo"))
    return tmp_path


def _add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / "src" / "waffo_portal" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{statement}\n", encoding="utf-8")


def test_the_contracts_hold_on_the_real_tree(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "statement", "broken"), [
    ("core/money.py", "import jinja2  # noqa", "import no framework"),
    ("core/models.py", "import smtplib  # noqa", "import no framework"),
    ("ports.py", "import sqlalchemy  # noqa", "import no framework"),
    ("core/proration.py", "from waffo_portal import service  # noqa", "One way down"),
    ("ports.py", "from waffo_portal.mail import smtp  # noqa", "One way down"),
    ("use_cases/auth.py", "from waffo_portal.web import http  # noqa", "One way down"),
    ("stores/memory.py", "from waffo_portal.use_cases import auth  # noqa", "One way down"),
])
def test_a_forbidden_import_breaks_make_lint(tree: Path, module: str, statement: str,
                                              broken: str) -> None:
    _add_import(tree, module, statement)
    result = _lint(tree)
    assert result.returncode != 0
    assert "0 broken" not in result.stdout
    broken_section = result.stdout.split("Broken contracts", 1)[1]
    assert broken in broken_section


PORTS_MUST_NOT_LOAD = ("waffo_portal.mail", "waffo_portal.mail.smtp", "waffo_portal.payments",
                       "waffo_portal.stores", "waffo_portal.service", "waffo_portal.web",
                       "waffo_portal.invoices", "reportlab", "xhtml2pdf", "jinja2", "smtplib",
                       "sqlalchemy", "itsdangerous")


def test_importing_the_ports_loads_no_adapter() -> None:
    code = ("import sys, waffo_portal.ports, waffo_portal.protocols; "
            f"print(' '.join(m for m in {PORTS_MUST_NOT_LOAD!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src")}).stdout.strip()
    assert out == ""
