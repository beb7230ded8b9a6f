"""The ``waffo-portal`` command line.

    waffo-portal render-invoice --demo --locale ja [--receipt] -o out.pdf
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import SUPPORTED_LOCALES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="waffo-portal", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    invoice = commands.add_parser("render-invoice", help="render an invoice or receipt PDF")
    invoice.add_argument("--demo", action="store_true", required=True,
                         help="render the built-in sample invoice (the only source for now)")
    invoice.add_argument("--locale", default="en", help=f"one of {', '.join(SUPPORTED_LOCALES)}")
    invoice.add_argument("--receipt", action="store_true", help="a receipt instead of an invoice")
    invoice.add_argument("-o", "--output", required=True,
                         help="the PDF file to write ('-': stdout)")
    invoice.set_defaults(handler=_render_invoice)
    return parser


def _render_invoice(args: argparse.Namespace) -> int:
    from .i18n import normalize_locale
    from .invoices import render_demo_invoice

    locale = normalize_locale(args.locale)
    if locale is None:
        print(f"unsupported locale {args.locale!r}", file=sys.stderr)
        return 2
    pdf = render_demo_invoice(locale, receipt=args.receipt)
    if args.output == "-":
        sys.stdout.buffer.write(pdf)
    else:
        Path(args.output).write_bytes(pdf)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
