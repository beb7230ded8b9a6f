"""The ``waffo-portal`` command line.

Commands that act on your portal find it through ``--app module:attribute`` (or the
WAFFO_PORTAL_APP environment variable): the attribute is a ``Portal`` or a callable
returning one, so the CLI uses exactly your store, gateway and mailer.

    waffo-portal demo [--port 8000]
    waffo-portal render-invoice --demo --locale ja [--receipt] -o out.pdf
    waffo-portal migrate --database sqlite:///portal.db
    waffo-portal --app shop.billing:portal apply-due
    waffo-portal --app shop.billing:portal create-login-link BUYER_ID --return-url /billing
    waffo-portal --app shop.billing:portal cancellation-report --since 2026-01-01 --format csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .cli_commands import COMMANDS, CliError
from .core.exceptions import PortalError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waffo-portal", description="Customer self-service billing portal tools.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'waffo-portal COMMAND --help' for a command's options.")
    parser.add_argument("--app", help="module:attribute of your Portal (or a factory); "
                                      "default: $WAFFO_PORTAL_APP")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
