"""``waffo-portal waffo sync``: backfill and reconcile the portal from Waffo's GraphQL.

Plans first, then every page of each order kind, oldest first, each page applied as one
batch through the sync API. After each applied page the cursor (the last order's
``createdAt``) is saved to ``--state`` by writing a temporary file and renaming it, so
a run stopped by a Waffo outage, a crash or Ctrl-C continues after the last page it
applied. A finished state is kept as finished: syncing again needs ``--restart``.

Waffo's adapter stamps every record with the time it was read, so a full second run
writes every record again (a fresh read wins over an older one); the counts say so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import attrs

from .cli_commands import CliError, Subparsers, portal_of
from .core.exceptions import ProviderUnavailable
from .service import Portal
from .use_cases.sync import MAX_BATCH, SyncReport

if TYPE_CHECKING:
    from .providers.waffo import WaffoReader

KINDS: Final = ("subscription", "onetime")
LABELS: Final = {"subscription": "subscriptions", "onetime": "one-time orders"}
STATE_VERSION: Final = 1
MAX_PAGE: Final = 1000
BAR_WIDTH: Final = 30


@attrs.define
class KindState:
    after: str | None = None  # createdAt of the last order applied
    seen: list[str] = attrs.Factory(list)  # the ids applied at ``after``
    done: int = 0  # orders applied so far
    expected: int = 0  # the most orders Waffo said there were
    finished: bool = False


@attrs.define
class SyncState:
    store_id: str
    kinds: dict[str, KindState]
    finished_at: str | None = None

    @classmethod
    def fresh(cls, store_id: str) -> SyncState:
        return cls(store_id, {kind: KindState() for kind in KINDS})

    def finished(self, kinds: Sequence[str]) -> bool:
        return all(self.kinds[kind].finished for kind in kinds)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "store_id": self.store_id,
                "finished_at": self.finished_at,
                "kinds": {kind: attrs.asdict(state) for kind, state in self.kinds.items()}}


def read_state(path: Path, store_id: str) -> SyncState | None:
    """The state saved at ``path`` (None if there is no file); refuses a file that is
    not one, or is another store's (its cursors would skip orders here)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise CliError(f"{path} is not a waffo sync state file ({error})") from None
    try:
        if raw["version"] != STATE_VERSION:
            raise TypeError(raw["version"])
        kinds = {kind: KindState(**raw["kinds"][kind]) for kind in KINDS}
        state = SyncState(str(raw["store_id"]), kinds, raw.get("finished_at"))
    except (KeyError, TypeError):
        raise CliError(f"{path} is not a waffo sync state file") from None
    if state.store_id != store_id:
        raise CliError(f"{path} holds the cursor of Waffo store {state.store_id}, not of "
                       f"{store_id}: give another --state file")
    return state


def write_state(path: Path, state: SyncState) -> None:
    """Atomically: a reader (or the next run) sees the old state or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(state.to_json(), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class Progress:
    """``\\rsubscriptions [#####-----] 120/300`` on one line of ``stream`` (None: quiet)."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self._open = False

    def show(self, label: str, done: int, total: int) -> None:
        if self.stream is None:
            return
        total = max(total, done)  # orders created during the run
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        self.stream.write(f"\r{label} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
                          f"{done}/{total}")
        self.stream.flush()
        self._open = True

    def end(self) -> None:
        if self.stream is not None and self._open:
            self.stream.write("\n")
            self.stream.flush()
        self._open = False


@attrs.define
class Tally:
    """What one section (plans, or one order kind) wrote in this run."""

    orders: int = 0
    pages: int = 0
    skipped: list[tuple[str, dict[str, str]]] = attrs.field(factory=list)
    written: Counter[str] = attrs.field(factory=Counter)
    unchanged: Counter[str] = attrs.field(factory=Counter)

    def add(self, report: SyncReport) -> None:
        self.written.update(report.written)
        self.unchanged.update(report.unchanged)


def _counts(counts: Mapping[str, int]) -> str:
    shown = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()) if count)
    return f"{sum(counts.values())} ({shown})" if shown else "0"


def summary(tallies: Mapping[str, Tally]) -> str:
    lines = []
    for section, tally in tallies.items():
        pages = f"{tally.pages} page{'' if tally.pages == 1 else 's'}"
        read = "" if section == "plans" else f"{tally.orders} orders in {pages}; "
        lines.append(f"{section}: {read}written {_counts(tally.written)}, "
                     f"unchanged {_counts(tally.unchanged)}")
        lines += [f"  skipped {order_id}: {', '.join(f'{f} ({k})' for f, k in problems.items())}"
                  for order_id, problems in tally.skipped]
    return "\n".join(lines)


def _parse_kinds(text: str) -> list[str]:
    kinds = [kind.strip() for kind in text.split(",") if kind.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(KINDS)}")
    return [kind for kind in KINDS if kind in kinds]  # subscriptions first, as Waffo's


def _page_size(text: str) -> int:
    size = int(text)
    if not 1 <= size <= MAX_PAGE:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_PAGE}")
    return size


def register_waffo(commands: Subparsers) -> None:
    parser = commands.add_parser("waffo", help="Waffo Pancake: backfill and reconcile")
    actions = parser.add_subparsers(dest="waffo_command", required=True, metavar="ACTION")
    sync = actions.add_parser(
        "sync", help="read every plan and order from Waffo into the portal (resumable)")
    add_sync_arguments(sync)
    sync.set_defaults(handler=run_waffo_sync)


def add_sync_arguments(sync: argparse.ArgumentParser) -> None:
    """waffo sync's options (here, ``flask waffo sync`` and ``manage.py waffo_sync``)."""
    sync.add_argument("--state", help="file keeping the cursor: a rerun continues after the "
                                      "last page applied")
    sync.add_argument("--restart", action="store_true",
                      help="start over, also when the state file says the sync finished")
    sync.add_argument("--page-size", type=_page_size, default=100,
                      help=f"orders per GraphQL page (1-{MAX_PAGE}, default 100)")
    sync.add_argument("--kinds", default=",".join(KINDS), type=_parse_kinds,
                      help="which orders: subscription,onetime (default: both)")
    sync.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _reader(portal: Portal) -> WaffoReader:
    try:  # imported here: the other commands must not need the waffo extra
        from .providers.waffo import WaffoProvider
    except ImportError as error:
        raise CliError(f"waffo sync needs the waffo extra ({error})") from None
    provider = portal.provider
    if not isinstance(provider, WaffoProvider):
        raise CliError(f"waffo sync needs a portal whose provider is a WaffoProvider; this "
                       f"one has {type(provider).__name__}")
    return provider.reader


def run_waffo_sync(args: argparse.Namespace) -> int:
    portal = portal_of(args)
    reader = _reader(portal)
    path = Path(args.state) if args.state else None
    store_id = reader.settings.store_id
    saved = read_state(path, store_id) if path is not None else None
    if saved is not None and saved.finished(args.kinds) and not args.restart:
        print(f"already finished at {saved.finished_at} (state in {path}); pass --restart "
              "to sync everything again")
        return 0
    state = saved if saved is not None and not args.restart else SyncState.fresh(store_id)
    progress = Progress(None if args.no_progress else sys.stderr)
    tallies: dict[str, Tally] = {"plans": Tally()}
    failure: ProviderUnavailable | None = None
    try:
        tallies["plans"].add(portal.sync.apply(reader.plans(portal.now(), fresh=True)))
        for kind in args.kinds:
            tallies[LABELS[kind]] = _sync_kind(portal, reader, kind, state, args.page_size,
                                               path, progress)
    except ProviderUnavailable as error:
        failure = error
    finally:
        progress.end()  # also on Ctrl-C: the shell prompt starts on its own line
    if failure is not None:
        print(_interrupted(failure, state, path), file=sys.stderr)
        return 1
    state.finished_at = portal.now().isoformat()
    if path is not None:
        write_state(path, state)
    print(summary(tallies))
    skipped = sum(len(tally.skipped) for tally in tallies.values())
    if skipped:
        print(f"warning: {skipped} orders could not be read and were left out (listed "
              "above); the others were synced", file=sys.stderr)
    return 1 if _short(state, args.kinds) or skipped else 0


def _sync_kind(portal: Portal, reader: WaffoReader, kind: str, state: SyncState,
               page_size: int, path: Path | None, progress: Progress) -> Tally:
    """Every page of ``kind`` after the saved cursor; the state is saved after each."""
    tally, current = Tally(), state.kinds[kind]
    if current.finished:
        return tally
    for page in reader.every_page(kind, current.after, page_size, portal.now,
                                  frozenset(current.seen)):
        records = page.records
        tally.add(portal.sync.apply(records, batch_size=max(1, min(len(records), MAX_BATCH))))
        tally.orders += page.orders
        tally.pages += 1
        tally.skipped += page.skipped
        current.expected = max(current.expected, current.done + page.total)
        current.done += page.orders
        current.after = page.last_created_at or current.after
        current.seen = sorted(page.seen)
        current.finished = page.last_created_at is None
        if path is not None:
            write_state(path, state)
        progress.show(LABELS[kind], current.done, current.expected)
    progress.end()  # each kind's bar keeps its own line
    return tally


def _interrupted(error: ProviderUnavailable, state: SyncState, path: Path | None) -> str:
    applied = sum(kind.done for kind in state.kinds.values())
    if path is None:
        tail = ("Run the same command again to sync (it starts over: pass --state FILE to "
                "make a run resumable)")
    else:
        tail = (f"The cursor is saved in {path}: run the same command again to resume after "
                "the last page applied")
    return (f"error: Waffo is unavailable ({error}); {applied} orders applied so far. "
            f"{tail}.")


def _short(state: SyncState, kinds: Sequence[str]) -> bool:
    """Fewer orders read than Waffo counted (orders created meanwhile are counted, or
    Waffo's paging did not behave as pinned): say so, and fail, rather than report a
    complete sync."""
    short = False
    for kind in kinds:
        current = state.kinds[kind]
        if current.done < current.expected:
            short = True
            print(f"warning: Waffo counted {current.expected} {LABELS[kind]} but "
                  f"{current.done} were read; run again with --restart and a larger "
                  "--page-size", file=sys.stderr)
    return short
