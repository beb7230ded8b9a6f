"""Gettext catalogs: extract messages, update the .po files, check them.

    python scripts/i18n.py extract   # sources -> src/waffo_portal/locale/<domain>.pot
    python scripts/i18n.py update    # .pot -> every locale's .po (new entries empty)
    python scripts/i18n.py check     # exit 1 if any .po misses, empties or fuzzies a message

Extraction is babel's (``babel.messages.extract`` with the mapping in babel.cfg,
jinja2's babel extractor for templates). The portal compiles .po files in
memory at run time (waffo_portal.i18n), so there is no compile step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "waffo_portal" / "locale"
DOMAINS = {"invoices": ROOT / "babel.cfg", "portal": ROOT / "babel-portal.cfg"}
HEADER = ("# waffo-portal translations.\n"
          "# Source strings: scripts/i18n.py extract; see docs/invoices.md.")
sys.path.insert(0, str(ROOT / "src"))

from waffo_portal.core.config import SUPPORTED_LOCALES  # noqa: E402


def pot_path(domain: str) -> Path:
    return LOCALE_DIR / f"{domain}.pot"


def po_path(locale: str, domain: str) -> Path:
    return LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / f"{domain}.po"


def extract(domain: str) -> Catalog:
    with DOMAINS[domain].open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="waffo-portal", domain=domain)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    with pot_path(domain).open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False)
    return catalog


def update(domain: str) -> None:
    with pot_path(domain).open("rb") as source:
        template = read_po(source)
    for locale in SUPPORTED_LOCALES:
        path = po_path(locale, domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=locale.replace("-", "_"))
        else:
            catalog = Catalog(locale=locale.replace("-", "_"), domain=domain,
                              header_comment=HEADER)
        catalog.update(template, no_fuzzy_matching=True)
        # A fuzzy header would be dropped when compiling, and with it the charset.
        catalog.fuzzy = False
        catalog.project, catalog.version = "waffo-portal", "1"
        catalog.msgid_bugs_address = ""
        with path.open("wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True)


def problems(domain: str) -> list[str]:
    """Every missing, empty or fuzzy translation, as readable lines."""
    with pot_path(domain).open("rb") as source:
        wanted = [m.id for m in read_po(source) if m.id]
    found: list[str] = []
    for locale in SUPPORTED_LOCALES:
        path = po_path(locale, domain)
        if not path.exists():
            found.append(f"{locale}: no catalog {path}")
            continue
        with path.open("rb") as source:
            catalog = read_po(source)
        for msgid in wanted:
            message = catalog.get(msgid)
            if message is None or not message.string:
                found.append(f"{locale}: untranslated {msgid!r}")
            elif message.fuzzy:
                found.append(f"{locale}: fuzzy {msgid!r}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    for domain in DOMAINS:
        if command == "extract":
            print(f"{domain}: {len(extract(domain))} messages")
        elif command == "update":
            update(domain)
        elif command == "check":
            for line in problems(domain):
                print(line)
            if problems(domain):
                return 1
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
