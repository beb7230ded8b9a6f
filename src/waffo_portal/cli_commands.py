"""One function per CLI command: ``register_*`` adds the parser, ``run_*`` does the work."""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .core.config import SUPPORTED_LOCALES
from .core.exceptions import PortalError
from .core.report_safety import table_text
from .service import Portal

Subparsers = Any  # argparse's _SubParsersAction is private
MAIL_BATCH = 100  # Portal.deliver_mail()'s default limit


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def load_portal(spec: str | None) -> Portal:
    """Import ``module:attribute`` and return the Portal it names (or builds).

    The current directory is searched first, as ``flask --app`` does: a console script,
    unlike ``python -m``, does not put it on ``sys.path``."""

    spec = spec or os.environ.get("WAFFO_PORTAL_APP")
    if not spec or ":" not in spec:
        raise CliError("name your portal with --app module:attribute (or WAFFO_PORTAL_APP)")
    module_name, _, attribute = spec.partition(":")
    target: Any = getattr(_import_app_module(module_name, spec), attribute, _MISSING)
    if target is _MISSING:
        raise CliError(f"--app {spec}: module {module_name!r} has no attribute "
                       f"{attribute!r}")
    portal = target if isinstance(target, Portal) else target()
    if not isinstance(portal, Portal):
        raise CliError(f"{spec} is not a Portal nor a callable returning one")
    return portal


_MISSING = object()


def _import_app_module(module_name: str, spec: str) -> object:
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        # Last, not first (flask --app puts it first): a stray file in the directory a
        # cron job starts from must not shadow the standard library or an installed
        # package for the rest of the run.
        sys.path.append(here)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # Only the named module (or a parent package) missing is the user's typo; a missing
        # import *inside* their module is their module's error, shown as it is.
        if error.name is None or not f"{module_name}.".startswith(f"{error.name}."):
            raise
        raise CliError(f"--app {spec}: no module named {error.name!r} in {here} or on "
                       "sys.path (run from the directory that holds it, or set "
                       "PYTHONPATH)") from None


def portal_of(args: argparse.Namespace) -> Portal:
    """The portal a command acts on: handed over by a framework integration
    (``args.portal``, e.g. ``flask waffo``) or loaded from ``--app``."""
    given = getattr(args, "portal", None)
    return given if isinstance(given, Portal) else load_portal(args.app)


def run_handler(args: argparse.Namespace) -> int:
    """Run the command ``args`` was parsed for; errors become one line on stderr and an
    exit status (1: the portal refused, 2: a usage or environment problem)."""
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except PortalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (CliError, OSError, ValueError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def parse_day(text: str) -> datetime:
    """A date (2026-01-31) or an ISO timestamp, as aware UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-01-31) nor an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def register_render_invoice(commands: Subparsers) -> None:
    parser = commands.add_parser("render-invoice",
                                 help="render an order's invoice or receipt, or the sample")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--demo", action="store_true", help="the built-in sample invoice")
    which.add_argument("--order", metavar="ORDER_ID",
                       help="this order's invoice (with --buyer; needs --app)")
    parser.add_argument("--buyer", metavar="BUYER_ID", help="the buyer the order belongs to")
    parser.add_argument("--locale", help=f"one of {', '.join(SUPPORTED_LOCALES)} (default: "
                                         "en for the sample, the buyer's for an order)")
    parser.add_argument("--receipt", action="store_true", help="a receipt instead of an invoice")
    parser.add_argument("-o", "--output", required=True, help="PDF file to write ('-': stdout)")
    parser.set_defaults(handler=run_render_invoice)


def run_render_invoice(args: argparse.Namespace) -> int:
    from .i18n import normalize_locale

    locale = None if args.locale is None else normalize_locale(args.locale)
    if args.locale is not None and locale is None:
        raise CliError(f"unsupported locale {args.locale!r}")
    if args.order is not None:
        if not args.buyer:
            raise CliError("--order needs --buyer BUYER_ID (the buyer the order belongs to)")
        pdf = portal_of(args).render_invoice_pdf(args.buyer, args.order, locale,
                                                 receipt=args.receipt)
    else:
        from .invoices import render_demo_invoice

        pdf = render_demo_invoice(locale or "en", receipt=args.receipt)
    if args.output == "-":
        sys.stdout.buffer.write(pdf)
    else:
        Path(args.output).write_bytes(pdf)
    return 0


def register_migrate(commands: Subparsers) -> None:
    parser = commands.add_parser("migrate", help="create or upgrade the SQL schema in place")
    parser.add_argument("--database", default=os.environ.get("WAFFO_PORTAL_DATABASE"),
                        help="SQLAlchemy URL, e.g. sqlite:///portal.db (default: "
                             "$WAFFO_PORTAL_DATABASE)")
    parser.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:

    if not args.database:
        raise CliError("give --database URL (or set WAFFO_PORTAL_DATABASE)")
    from .stores.sql import build_engine, migrate
    from .stores.sql.migrate import current_revision

    engine = build_engine(args.database)
    try:
        migrate(engine)
        print(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


def register_apply_due(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "apply-due", help="renewals, scheduled downgrades and cancellations (for cron; safe "
                          "to run from several hosts at once)")
    add_apply_due_arguments(parser)
    parser.set_defaults(handler=run_apply_due)


def add_apply_due_arguments(parser: argparse.ArgumentParser) -> None:
    """apply-due's options (here, ``flask waffo`` and ``manage.py waffo_apply_due``)."""
    parser.add_argument("--now", type=parse_day, help="pretend it is this time (ISO 8601)")


def _print_progress(counts: Mapping[str, int]) -> None:
    done = sum(counts.values())
    print(f"\r{done} subscriptions processed", end="", file=sys.stderr, flush=True)


def run_apply_due(args: argparse.Namespace) -> int:
    portal = portal_of(args)
    if portal.provider_mode:
        print("nothing to apply: the billing provider of record renews and cancels, and "
              "its webhooks bring the changes")
        return 0
    report = portal.apply_due(args.now, on_progress=_print_progress)
    if report.total:
        print(file=sys.stderr)
    summary = ", ".join(f"{name}: {count}" for name, count in sorted(report.counts.items()))
    print(summary or "nothing was due")
    return 1 if report.counts.get("error") or report.counts.get("payment_error") else 0


def register_worker(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "worker", help="send the outbox's mail (login links), retrying failures; safe to "
                       "run on several hosts at once")
    add_worker_arguments(parser)
    parser.set_defaults(handler=run_worker)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between passes (default: 5)")


def run_worker(args: argparse.Namespace) -> int:
    portal = portal_of(args)
    while True:
        report = portal.deliver_mail()
        if report.total or args.once:
            print(f"sent: {report.sent}, retrying: {report.retrying}, "
                  f"given up: {report.given_up}", flush=True)
        if args.once:
            return 1 if report.given_up else 0
        if report.total < MAIL_BATCH:  # a full batch: more may be due at once
            time.sleep(args.interval)


def register_create_login_link(commands: Subparsers) -> None:
    parser = commands.add_parser("create-login-link",
                                 help="print a single-use portal URL for a buyer")
    parser.add_argument("buyer_id")
    parser.add_argument("--return-url", default="", help="where to land after login")
    parser.set_defaults(handler=run_create_login_link)


def run_create_login_link(args: argparse.Namespace) -> int:
    portal = portal_of(args)
    print(portal.create_login_link(args.buyer_id, return_url=args.return_url))
    return 0


def register_cancellation_report(commands: Subparsers) -> None:
    parser = commands.add_parser("cancellation-report",
                                 help="why buyers cancel: reasons and comments over a range")
    add_cancellation_report_arguments(parser)
    parser.set_defaults(handler=run_cancellation_report)


def add_cancellation_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=parse_day,
                        help="start (default: 30 days before --until)")
    parser.add_argument("--until", type=parse_day, help="end, exclusive (default: now)")
    parser.add_argument("--format", choices=("table", "csv"), default="table")


def run_cancellation_report(args: argparse.Namespace) -> int:
    portal = portal_of(args)
    until = args.until or portal.now()
    report = portal.cancellation_report(args.since or until - timedelta(days=30), until)
    if args.format == "csv":
        csv.writer(sys.stdout).writerows(report.csv_rows())  # quotes embedded line feeds
        return 0
    print(f"Cancellations {report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}: "
          f"{len(report.entries)}")
    # Stored text may predate the input rules: one comment is always one visible row.
    counts = [(table_text(reason), count) for reason, count in report.counts()]
    width = max((len(reason) for reason, _ in counts), default=6)
    for reason, count in counts:
        print(f"  {reason:<{width}}  {count:>5}")
    comments = [e for e in report.entries if e.comment]
    if comments:
        print("Comments:")
    for entry in comments:
        print(f"  {entry.requested_at:%Y-%m-%d}  [{table_text(entry.reason)}]  "
              f"{table_text(entry.comment)}")
    return 0


def register_demo(commands: Subparsers) -> None:
    parser = commands.add_parser("demo", help="serve a demo merchant with the portal mounted")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--database", default="demo.db",
                        help="SQLite file, created and seeded if new (default: demo.db; "
                             "not used with --provider waffo, which keeps all in memory)")
    parser.add_argument("--provider", choices=("test", "waffo"), default="test",
                        help="test: the portal bills through a test gateway (default); "
                             "waffo: through a fake Waffo Pancake started beside it")
    parser.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from .demo_server import serve_demo

    serve_demo(args.host, args.port, args.database)
    return 0


COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    register_demo, register_render_invoice, register_migrate, register_apply_due,
    register_worker, register_create_login_link, register_cancellation_report,
)
