"""The ``waffo-portal`` command line.

Commands that act on your portal find it through ``--app module:attribute`` (or the
WAFFO_PORTAL_APP environment variable): the attribute is a ``Portal`` or a callable
returning one, so the CLI uses exactly your store, gateway and mailer.

    waffo-portal demo [--port 8000] [--provider waffo]
    waffo-portal render-invoice --demo --locale ja [--receipt] -o out.pdf
    waffo-portal migrate --database sqlite:///portal.db
    waffo-portal --app shop.billing:portal apply-due
    waffo-portal --app shop.billing:portal worker [--once] [--interval 5]
    waffo-portal --app shop.billing:portal create-login-link BUYER_ID --return-url /billing
    waffo-portal --app shop.billing:portal cancellation-report --since 2026-01-01 --format csv
    waffo-portal --app shop.billing:portal waffo sync --state waffo-sync.json
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import cli_commands
from .cli_commands import COMMANDS, CliError, run_handler
from .cli_waffo import register_waffo


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waffo-portal", description="Customer self-service billing portal tools.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'waffo-portal COMMAND --help' for a command's options.")
    parser.add_argument("--app", help="module:attribute of your Portal (or a factory); "
                                      "default: $WAFFO_PORTAL_APP")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in (*COMMANDS, register_waffo):
        register(commands)
    # The Waffo demo needs the fake Waffo (testing), a layer above cli_commands.
    commands.choices["demo"].set_defaults(handler=run_demo)
    return parser


def run_demo(args: argparse.Namespace) -> int:
    if args.provider != "waffo":
        return cli_commands.run_demo(args)
    try:  # imported here: only this demo needs the waffo extras
        from .demo_waffo import serve_waffo_demo
    except ImportError as error:
        raise CliError(f"the Waffo demo needs the waffo and waffo-testing extras ({error})"
                       ) from None
    serve_waffo_demo(args.host, args.port)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_handler(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
