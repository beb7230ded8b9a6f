"""The checks every page passes at every width: no sideways scroll, axe-core with no
violation of any impact, no English on a translated page, no raw codes, and the way back
to the merchant. Each failure is one ``Failure`` row, so a run lists them all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from .english import english_on_page, raw_codes

# What a buyer reads or hears: the rendered text (innerText follows CSS: hidden text is
# left out, blocks and cells become lines) and the attributes a browser shows or speaks.
# Text marked as another language (the language menu's "English") is not a leak.
COLLECT_TEXT = """() => {
  const own = document.documentElement.lang;
  const lines = t => (t || "").split(/[\\n\\t]+/).map(s => s.trim()).filter(Boolean);
  const foreign = new Set();
  for (const el of document.body.querySelectorAll("[lang]")) {
    if (el.closest("[lang]") === el && el.lang !== own) {
      lines(el.innerText || el.textContent).forEach(l => foreign.add(l));
    }
  }
  const out = [document.title, ...lines(document.body.innerText)];
  const shown = el => el.getClientRects().length > 0;
  for (const el of document.querySelectorAll("[aria-label],[title],[placeholder],[alt]")) {
    if (el.closest("[lang]") && el.closest("[lang]").lang !== own) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.hasAttribute(name) && (shown(el) || name === "aria-label")) {
        out.push(el.getAttribute(name));
      }
    }
  }
  for (const el of document.querySelectorAll(
      "input[type=submit],input[type=button],input[type=reset]")) {
    if (shown(el)) out.push(el.value);
  }
  for (const el of document.querySelectorAll("select option")) {
    if (shown(el.parentElement) && !(el.closest("[lang]") && el.closest("[lang]").lang !== own))
      out.push(el.textContent);
  }
  return out.map(s => (s || "").trim()).filter(s => s && !foreign.has(s));
}"""
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@attrs.frozen
class Failure:
    framework: str
    locale: str
    page: str
    width: int
    check: str
    detail: str

    def __str__(self) -> str:
        return (f"{self.framework} {self.locale} {self.page} @{self.width}: "
                f"{self.check}: {self.detail}")


def axe_violations(page: Any, axe: str) -> list[str]:
    # DevTools evaluation, not add_script_tag: the portal's CSP (script-src 'self') blocks
    # an inline script, and bypass_csp would hide CSP breakage from the test.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe)
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> "
            f"{[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


def check_page(page: Any, axe: str, locale: str) -> list[tuple[str, str]]:
    """(check, detail) for everything wrong with the page as it is shown now."""
    problems: list[tuple[str, str]] = []
    scroll, inner = page.evaluate(WIDTHS)
    if scroll > inner:
        problems.append(("scroll", f"scrollWidth {scroll} > innerWidth {inner}"
                         f"; widest: {widest(page)}"))
    problems.extend(("axe", v) for v in axe_violations(page, axe))
    lines = page.evaluate(COLLECT_TEXT)
    problems.extend(("english", found) for found in english_on_page(lines, locale))
    problems.extend(("raw_code", code) for code in raw_codes(lines))
    back = page.locator("a.back-to-merchant")
    if back.count() == 0 or not back.first.get_attribute("href"):
        problems.append(("back_to_merchant", "no a.back-to-merchant with an href"))
    return problems


def widest(page: Any) -> str:
    """The elements sticking out past the viewport, so a scroll failure says where."""
    found: list[str] = page.evaluate("""() => {
      const w = window.innerWidth + 0.5, out = [];
      const out_of = el => el.getBoundingClientRect().right > w;
      for (const el of document.body.querySelectorAll("*")) {
        if (out_of(el) && ![...el.children].some(out_of)) {
          const cls = typeof el.className === "string" && el.className.trim()
            ? "." + el.className.trim().split(/\\s+/).join(".") : "";
          out.push(el.tagName.toLowerCase() + cls + " right="
                   + Math.round(el.getBoundingClientRect().right));
        }
      }
      return out.slice(0, 4);
    }""")
    return ", ".join(found)


def shoot(page: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
