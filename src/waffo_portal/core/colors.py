"""WCAG contrast of ``#rrggbb`` colours: which text colour reads on the merchant's brand."""

from __future__ import annotations

MIN_CONTRAST = 4.5  # WCAG AA, normal text


def luminance(hex_color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(background: str) -> str:
    """White where it keeps 4.5:1 on ``background``, else near-black."""
    return "#ffffff" if contrast(background, "#ffffff") >= MIN_CONTRAST else "#111111"
