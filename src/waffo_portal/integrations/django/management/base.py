"""What the ``waffo_*`` management commands share: the configured Portal, errors as
``CommandError`` and the standalone CLI's printing routed to the command's streams.

The commands run the same code as ``waffo-portal``: apply-due and render-invoice call the
facade; cancellation-report and ``waffo sync`` reuse the CLI's runner with the Portal of
``settings.WAFFO_PORTAL``, so the output is the same as the standalone CLI's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from ....cli_commands import CliError
from ....core.exceptions import PortalError
from ..conf import get_portal


class _Stream:
    """A text file over an OutputWrapper that adds no line ending of its own (print()
    writes its own)."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()


class PortalCommand(BaseCommand):
    """Runs ``run``: PortalError and the CLI's errors become CommandError, and so does a
    non-zero status (``failure`` is the message), so cron sees the exit status."""

    failure = "failed"

    def run(self, **options: Any) -> int:  # pragma: no cover - each command overrides
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            status = self.run(**options)
        except (PortalError, CliError) as error:
            raise CommandError(str(error)) from error
        except (OSError, ValueError) as error:  # e.g. an unwritable --state or --output
            raise CommandError(f"{type(error).__name__}: {error}", returncode=2) from error
        if status:
            raise CommandError(self.failure, returncode=status)

    def run_cli(self, runner: Callable[[argparse.Namespace], int], **values: Any) -> int:
        """A ``waffo-portal`` runner with this project's Portal, printing to our streams."""
        with self.streams():
            # The configured Portal itself: no --app import, no sys.path change.
            return runner(argparse.Namespace(app=None, portal=get_portal(), **values))

    @contextmanager
    def streams(self) -> Iterator[None]:
        with redirect_stdout(_Stream(self.stdout)), redirect_stderr(_Stream(self.stderr)):
            yield
