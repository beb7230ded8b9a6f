"""The core must import and work with every web framework and SQL toolkit absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = """
import sys
for name in ("flask", "django", "starlette", "sqlalchemy", "fastapi", "werkzeug"):
    sys.modules[name] = None  # import of a blocked name raises ImportError
import waffo_portal
from waffo_portal.testing import make_kit
kit = make_kit()
out = kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                             idempotency_key="isolation-key-000001")
assert out.kind == "upgrade", out
loaded = [m for m in ("flask", "django", "starlette", "sqlalchemy") if sys.modules.get(m)]
assert not loaded, loaded
print("core-ok")
"""


def test_core_works_with_frameworks_blocked() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env={"PYTHONPATH": str(SRC)}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "core-ok"
