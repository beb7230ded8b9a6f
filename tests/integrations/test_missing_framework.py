"""Each adapter, imported without its framework, names the extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def run_blocked(blocked: list[str], statement: str) -> subprocess.CompletedProcess[str]:
    code = "\n".join([
        "import sys",
        f"sys.path.insert(0, {str(SRC)!r})",
        *(f"sys.modules[{name!r}] = None" for name in blocked),
        statement,
    ])
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize(("module", "blocked", "extra"), [
    ("waffo_portal.integrations.flask", ["flask"], "flask"),
    ("waffo_portal.integrations.starlette", ["starlette", "starlette.concurrency"],
     "starlette"),
    ("waffo_portal.integrations.django", ["django"], "django"),
])
def test_missing_framework_names_the_extra(module: str, blocked: list[str], extra: str) -> None:
    result = run_blocked(blocked, f"import {module}")
    assert result.returncode == 1
    assert f'ImportError: {module} needs' in result.stderr
    assert f'pip install "waffo-portal[{extra}]"' in result.stderr


def test_core_and_web_import_without_any_framework() -> None:
    result = run_blocked(
        ["flask", "django", "starlette", "sqlalchemy", "werkzeug"],
        "import waffo_portal, waffo_portal.web, waffo_portal.integrations; print('ok')")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
