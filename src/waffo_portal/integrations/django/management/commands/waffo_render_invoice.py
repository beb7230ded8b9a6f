"""``manage.py waffo_render_invoice ORDER_ID [--locale ja] [--receipt] [--output F.pdf]``:
an order's invoice (or receipt) as PDF, as the buyer downloads it.

Like ``Portal.issue_invoice``, a paid order with no invoice yet (paid before numbering
moved to payment time) is numbered first; an unpaid order has none (an error)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from .....core.config import SUPPORTED_LOCALES
from .....i18n import normalize_locale
from ...conf import get_portal
from ..base import PortalCommand


class Command(PortalCommand):
    help = "Write an order's invoice (or receipt) as a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("order_id")
        parser.add_argument("--locale", help="one of " + ", ".join(SUPPORTED_LOCALES) +
                                             " (default: the buyer's)")
        parser.add_argument("--receipt", action="store_true",
                            help="the receipt instead of the invoice")
        parser.add_argument("-o", "--output",
                            help="PDF file to write (default: <invoice number>.pdf)")

    def run(self, **options: Any) -> int:
        locale = options["locale"]
        if locale is not None and normalize_locale(locale) is None:
            raise CommandError(f"unsupported locale {locale!r}; use one of "
                               f"{', '.join(SUPPORTED_LOCALES)}")
        portal, order_id = get_portal(), options["order_id"]
        invoice = portal.issue_invoice(order_id)  # NotFound / Conflict: CommandError
        pdf = portal.render_invoice_pdf(invoice.buyer_id, order_id, normalize_locale(locale)
                                        if locale else None, receipt=options["receipt"])
        # A number is the merchant's prefix and digits; keep the default name a plain one.
        default = re.sub(r"[^A-Za-z0-9._-]", "_", invoice.number) + ".pdf"
        path = Path(options["output"] or default)
        try:
            path.write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}") from None
        self.stdout.write(f"wrote {path} (invoice {invoice.number}, {len(pdf)} bytes)")
        return 0
