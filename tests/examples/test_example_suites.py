"""Each example's own tests, run as its merchant would: ``pytest`` inside the example
(its pytest.ini and conftest, not this suite's), with this interpreter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import EXAMPLES

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(("example", "test_file"), [
    ("flask_app", "tests/test_shop.py"), ("django_project", "tests/test_shop_pages.py")])
def test_the_examples_own_tests_pass(example: str, test_file: str) -> None:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(PYTHONPATH=str(SRC), PYTHONDONTWRITEBYTECODE="1")  # also when not installed
    # No cache directory: running the suite leaves the example's tree as it was.
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"],
                         cwd=EXAMPLES / example, env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    passed = re.findall(rf"^PASSED {re.escape(test_file)}::test_\w+$", run.stdout, re.M)
    assert len(passed) >= 5, run.stdout  # the example's tests ran, not this suite's
