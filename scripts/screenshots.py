"""Regenerate docs/screenshots.md and docs/images/screens/ from the browser suite.

    .venv/bin/python scripts/screenshots.py

Runs the browser matrix on the Flask example shop (tests/browser/test_matrix.py) with
WAFFO_SCREENSHOTS set, so it saves small copies of the pages listed in
tests/browser/screens.py, then writes the Markdown page and removes images no longer
listed. Needs Chromium (WAFFO_CHROMIUM, default /usr/bin/chromium) and Pillow. Exits
non-zero when the suite found problems (the images are regenerated all the same).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.screens import MARKDOWN, file_name, markdown, wanted  # noqa: E402

FOLDER = ROOT / "docs" / "images" / "screens"


def main() -> int:
    started = time.time()
    env = {**os.environ, "WAFFO_SCREENSHOTS": str(FOLDER)}
    env.setdefault("WAFFO_CHROMIUM", "/usr/bin/chromium")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-n", "2", "tests/browser/test_matrix.py", "-k", "flask"],
                            cwd=ROOT, env=env, check=False)
    names = {file_name(*shot) for shot in wanted()}
    missing = sorted(n for n in names if not (FOLDER / n).exists()
                     or (FOLDER / n).stat().st_mtime < started)
    if missing:
        print(f"not regenerated: {', '.join(missing)}", file=sys.stderr)
        return 1
    for stale in FOLDER.glob("*.png"):
        if stale.name not in names:
            stale.unlink()
    MARKDOWN.write_text(markdown(), encoding="utf-8")
    size = sum(p.stat().st_size for p in FOLDER.glob("*.png"))
    print(f"{MARKDOWN.relative_to(ROOT)}: {len(names)} images, {size / 1e6:.1f} MB")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
