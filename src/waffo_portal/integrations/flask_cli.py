"""``flask waffo …``: the ``waffo-portal`` commands, acting on the app's own portal.

    flask --app shop waffo apply-due
    flask --app shop waffo cancellation-report --since 2026-01-01 --format csv
    flask --app shop waffo sync --state waffo-sync.json      # waffo-portal waffo sync

Each command is the standalone CLI's own argparse parser and handler (options, output and
exit statuses are the same); only the portal comes from the Flask app instead of
``--app module:attribute``. ``demo`` is left out: it serves its own app.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import click
import flask
from flask.cli import AppGroup, with_appcontext

from ..cli_commands import COMMANDS, run_handler
from ..cli_waffo import register_waffo
from ..service import Portal

LEFT_OUT = frozenset({"demo"})
PortalLookup = Callable[[flask.Flask], Portal]


def command_parsers() -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """name -> (one-line help, parser) of every command, ``waffo sync`` as ``sync``."""
    root = argparse.ArgumentParser(prog="flask waffo")
    commands = root.add_subparsers()
    for register in (*COMMANDS, register_waffo):
        register(commands)
    found = _helps_and_parsers(commands)
    _, waffo = found.pop("waffo")
    nested = next(a for a in waffo._actions if isinstance(a, argparse._SubParsersAction))
    found.update(_helps_and_parsers(nested))
    for name, (_, parser) in found.items():
        parser.prog = f"flask waffo {name}"
    return {name: found[name] for name in found if name not in LEFT_OUT}


def _helps_and_parsers(
        commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    # argparse keeps a sub-command's help only on its private pseudo-actions.
    helps = {action.dest: action.help or "" for action in commands._choices_actions}
    return {name: (helps.get(name, ""), parser) for name, parser in commands.choices.items()}


def waffo_cli(portal_for: PortalLookup) -> AppGroup:
    """The ``waffo`` command group; ``portal_for(app)`` finds the app's portal."""
    group = AppGroup("waffo", help="waffo-portal: renewals, mail, reports, provider sync.")
    for name, (text, parser) in command_parsers().items():
        group.add_command(_command(name, text, parser, portal_for))
    return group


def _command(name: str, text: str, parser: argparse.ArgumentParser,
             portal_for: PortalLookup) -> click.Command:
    def run(args: tuple[str, ...]) -> None:
        # argparse prints usage errors and --help itself and exits (2 and 0), like the CLI.
        parsed = parser.parse_args(list(args))
        parsed.app, parsed.portal = None, portal_for(flask.current_app)
        click.get_current_context().exit(run_handler(parsed))

    return click.Command(
        name, callback=with_appcontext(run), help=text, short_help=text, add_help_option=False,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)])


__all__ = ["command_parsers", "waffo_cli"]
