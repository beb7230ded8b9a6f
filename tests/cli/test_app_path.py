"""``waffo-portal --app merchant:factory`` finds merchant.py in the current directory, as
``flask --app`` does, with no PYTHONPATH; and says which of module or factory is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "waffo-portal"  # the installed console script
MERCHANT = """
from waffo_portal.testing import make_kit

def factory():
    return make_kit().portal
"""


def waffo_portal(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "merchant.py").write_text(MERCHANT, encoding="utf-8")
    return tmp_path


def test_the_module_in_the_current_directory_is_found(shop: Path) -> None:
    result = waffo_portal(shop, "--app", "merchant:factory", "apply-due")
    assert (result.returncode, result.stdout, result.stderr) == (0, "nothing was due\n", "")


def test_a_missing_module_is_named_with_the_directory_searched(shop: Path) -> None:
    result = waffo_portal(shop, "--app", "merchnat:factory", "apply-due")
    assert result.returncode == 2
    assert result.stderr == (f"error: --app merchnat:factory: no module named 'merchnat' in "
                             f"{shop} or on sys.path (run from the directory that holds it, "
                             "or set PYTHONPATH)\n")


def test_a_missing_factory_names_module_and_attribute(shop: Path) -> None:
    result = waffo_portal(shop, "--app", "merchant:fatcory", "apply-due")
    assert result.returncode == 2
    assert result.stderr == ("error: --app merchant:fatcory: module 'merchant' has no "
                             "attribute 'fatcory'\n")


def test_an_import_failing_inside_the_module_is_not_called_a_missing_module(
        shop: Path) -> None:
    (shop / "merchant.py").write_text("import not_installed_here\n", encoding="utf-8")
    result = waffo_portal(shop, "--app", "merchant:factory", "apply-due")
    assert result.returncode == 2
    assert result.stderr == "error: No module named 'not_installed_here'\n"


def test_the_current_directory_never_shadows_an_installed_module(tmp_path: Path) -> None:
    # A stray pypdf.py where cron starts must not replace the installed package.
    (tmp_path / "pypdf.py").write_text("raise SystemExit('the stray pypdf.py was imported')\n")
    (tmp_path / "merchant.py").write_text(
        "from waffo_portal.testing import make_kit\n"
        "def factory():\n"
        "    import pypdf\n"
        "    assert hasattr(pypdf, 'PdfReader')\n"
        "    return make_kit().portal\n", encoding="utf-8")
    result = waffo_portal(tmp_path, "--app", "merchant:factory", "apply-due")
    assert result.returncode == 0, result.stderr
    assert "stray" not in result.stdout + result.stderr
