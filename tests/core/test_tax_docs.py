"""docs/invoices-and-tax.md: its worked examples run as printed (a doc that drifts fails)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "invoices-and-tax.md"


def _examples() -> str:
    section = DOC.read_text(encoding="utf-8").split("## Worked examples", 1)[1]
    return section.split("```python\n", 1)[1].split("\n```", 1)[0]


def test_the_worked_examples_hold() -> None:
    snippet = _examples()
    assert snippet.count("assert bill(") == 4
    exec(compile(snippet, str(DOC), "exec"), {})  # noqa: S102  (our own documentation)


def test_the_table_agrees_with_the_examples() -> None:
    text = DOC.read_text(encoding="utf-8")
    for row in ("| 19 % | €24.37 | €4.63 | €29.00 |", "| 10 % | ¥2,727 | ¥273 | ¥3,000 |",
                "| 0 % | €29.00 | €0.00 | €29.00 |"):
        assert row in text
