"""The screenshots in docs/screenshots.md: which pages, and how they are made small.

The browser matrix saves these (Flask example) into ``$WAFFO_SCREENSHOTS`` when it is set;
``python scripts/screenshots.py`` runs it and writes docs/screenshots.md from ``DOCS``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN = ROOT / "docs" / "screenshots.md"
IMAGES = "images/screens"  # relative to docs/
WIDTHS = (1280, 390)
DOCS_WIDTH = {1280: 640, 390: 390}  # pixels wide in the docs

# (page, caption): English at both widths.
MAIN = (
    ("login", "Sign in by email"),
    ("login_confirm", "Confirm the emailed link (GET shows, POST consumes)"),
    ("overview", "Overview"),
    ("overview_past_due", "Overview after a failed renewal (past-due banner)"),
    ("orders", "Orders"),
    ("order", "Order with a failed and a successful payment"),
    ("invoice", "Invoice with language choice"),
    ("subscription_active", "Active subscription"),
    ("subscription_trialing", "Subscription in a free trial"),
    ("subscription_past_due", "Past-due subscription: pay now, update the card"),
    ("subscription_canceling", "Canceled at period end, reactivate"),
    ("change", "Plan picker"),
    ("review", "Plan change review (proration lines)"),
    ("cancel", "Cancel with a summary and a reason"),
    ("billing_invalid", "Billing details with a per-field error"),
    ("tax", "Tax information"),
    ("404_signed_in", "Unknown page, signed in"),
    ("logged_out", "Logged out, with the way back to the shop"),
)
# (page, locale, width, caption): right to left, and a script without spaces.
EXAMPLES = (
    ("overview", "ar", 1280, "Arabic overview"),
    ("orders", "ar", 390, "Arabic orders, stacked on a phone"),
    ("billing", "ar", 390, "Arabic billing details"),
    ("tax", "ar", 390, "Arabic tax information"),
    ("subscription_past_due", "th", 1280, "Thai past-due subscription"),
    ("order", "th", 390, "Thai order"),
    ("tax", "th", 390, "Thai tax information"),
)


def wanted() -> set[tuple[str, str, int]]:
    shots = {(page, "en", width) for page, _ in MAIN for width in WIDTHS}
    return shots | {(page, locale, width) for page, locale, width, _ in EXAMPLES}


def file_name(page: str, locale: str, width: int) -> str:
    return f"{page}_{locale}_{width}.png"


def save_small(source: Path, folder: Path, width: int) -> None:
    """A palette PNG ``DOCS_WIDTH[width]`` pixels wide: a few dozen KB a page."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        target = DOCS_WIDTH[width]
        rgb = image.convert("RGB")
        if rgb.width > target:
            rgb = rgb.resize((target, round(rgb.height * target / rgb.width)),
                             Image.Resampling.LANCZOS)
        small = rgb.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        small.save(folder / source.name, optimize=True)


def markdown() -> str:
    def img(page: str, locale: str, width: int, alt: str) -> str:
        return f"![{alt}, {width} px]({IMAGES}/{file_name(page, locale, width)})"

    lines = [
        "# Screenshots", "",
        "Taken by the browser suite (headless Chromium against the Flask example shop, demo",
        "data, `tests/browser/test_matrix.py`), which checks every page in en, ja, ar and th",
        "at 1280 and 390 px: no sideways scroll, no axe-core violation, no English on a",
        "translated page, and the link back to the shop. Every run saves all pages under",
        "`artifacts/browser/matrix/`; to regenerate this page and its images:", "",
        "```sh", ".venv/bin/python scripts/screenshots.py", "```", "",
        "(It runs `WAFFO_SCREENSHOTS=docs/images/screens pytest tests/browser/test_matrix.py",
        "-k flask`, which saves small copies of the pages below, then writes this page.",
        "Install Noto CJK and a Thai font first, e.g. Debian's `fonts-noto-cjk` and",
        "`fonts-thai-tlwg`: without them Japanese and Thai text shows as boxes.)", "",
        "| Page | 1280 px | 390 px |", "| --- | --- | --- |",
    ]
    lines += [f"| {caption} | {img(page, 'en', 1280, caption)} | "
              f"{img(page, 'en', 390, caption)} |" for page, caption in MAIN]
    lines += ["", "## Arabic (right to left) and Thai", "", "| Page | |", "| --- | --- |"]
    lines += [f"| {caption} ({width} px) | {img(page, locale, width, caption)} |"
              for page, locale, width, caption in EXAMPLES]
    return "\n".join(lines) + "\n"
