"""The merchant's test from docs/waffo.md runs as printed (a doc that drifts fails here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "waffo.md"


def _testing_snippet() -> str:
    section = DOC.read_text(encoding="utf-8").split(
        "## Testing your integration with the fake Waffo", 1)[1]
    return section.split("```python\n", 1)[1].split("\n```", 1)[0]


def test_the_documented_integration_test_passes(tmp_path: Path) -> None:
    snippet = _testing_snippet()
    assert "def test_" in snippet and "FakeWaffo" in snippet
    (tmp_path / "test_shop_billing.py").write_text(snippet, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_shop_billing.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout
