"""The shape rules of settings: known keys, value types, host lists, and how a problem reads.

Pure helpers for :mod:`core.config`: each returns ``(setting, message)`` pairs, so a
mistyped key, a value of the wrong type and an impossible value are all reported at once,
each naming its setting.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

Problem = tuple[str, str]
# Values never shown in a message: a config error may end up in a log.
SECRET_SETTINGS = frozenset({"secret_keys", "audit_secret"})


def _is_strings(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)


# attrs field annotation (a string under postponed annotations) -> (accepts, expected).
_TYPES: Mapping[str, tuple[Callable[[object], bool], str]] = {
    "str": (lambda v: isinstance(v, str), "a string"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "timedelta": (lambda v: isinstance(v, timedelta),
                  "a timedelta (or seconds, in a settings dict)"),
    "tuple[str, ...]": (_is_strings, "a list of strings"),
    "Mapping[str, Decimal]": (lambda v: isinstance(v, Mapping),
                              "a dict of country code to tax percent"),
    "Branding": (lambda v: type(v).__name__ == "Branding" or isinstance(v, Mapping),
                 "a Branding or a dict of its keys"),
}


def unknown_keys(where: str, given: Iterable[str], known: Collection[str]) -> list[Problem]:
    """One problem per key that is not a setting, with the closest known key as a hint.

    Inside ``where`` (``branding``) the problem is that setting's; at the top it is the key's.
    """
    found: list[Problem] = []
    for key in sorted(set(given) - set(known), key=str):
        close = difflib.get_close_matches(str(key), sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if where:
            found.append((where, f"{where}: unknown key {key!r}{hint}"))
        else:
            found.append((str(key), f"unknown setting {key!r}{hint}"))
    return found


def type_problem(setting: str, value: object, annotation: str) -> str | None:
    """Why ``value`` does not fit a field annotated ``annotation``, or None."""
    accepts, expected = _TYPES.get(annotation, (lambda v: True, ""))
    if accepts(value):
        return None
    shown = "" if setting.rpartition(".")[2] in SECRET_SETTINGS else f" {value!r}"
    if annotation == "tuple[str, ...]" and isinstance(value, list | tuple):
        bad = next(item for item in value if not isinstance(item, str))
        shown = "" if setting in SECRET_SETTINGS else f" {bad!r}"
        return f"{setting}: expected {expected}, got an item of type {type(bad).__name__}{shown}"
    return f"{setting}: expected {expected}, got {type(value).__name__}{shown}"


def field_type_problems(where: str, values: Mapping[str, Any],
                        annotations: Mapping[str, str]) -> list[Problem]:
    """A problem per value (of a known field) whose type does not fit."""
    found: list[Problem] = []
    for name, value in values.items():
        if name not in annotations:
            continue
        setting = f"{where}.{name}" if where else name
        if (problem := type_problem(setting, value, annotations[name])) is not None:
            found.append((setting, problem))
    return found


def seconds_to_timedelta(value: object) -> object:
    """A number of seconds (as settings files write durations) becomes a timedelta."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return timedelta(seconds=value)
        except (ValueError, OverflowError):  # nan, inf, 1e20: left for the type check
            return value
    return value


def return_host_problems(hosts: Iterable[str]) -> list[Problem]:
    """Entries are compared with a URL's ``host[:port]``: a URL or a path never matches."""
    found: list[Problem] = []
    for entry in hosts:
        if "://" in entry:
            netloc = urlsplit(entry).netloc
            found.append(("allowed_return_hosts", f"allowed_return_hosts: {entry!r} is a URL; "
                                                  f"give the host only: {netloc!r}"))
        elif not entry or any(c in entry for c in "/?#@ \\") or not entry.isprintable():
            host = entry.split("/", 1)[0].strip()
            hint = f"; give the host only: {host!r}" if host and host != entry else ""
            found.append(("allowed_return_hosts", f"allowed_return_hosts: {entry!r} is not a "
                                                  f"host like shop.example{hint}"))
    return found


def problem_line(setting: str, message: str) -> Problem:
    """``(setting, "setting: problem")``: every line names its full setting once."""
    leaf = setting.rpartition(".")[2]
    if message.startswith(setting) or not setting:
        return setting, message
    if leaf != setting and message.startswith(leaf):  # "primary_color must ..." in branding
        return setting, setting[: -len(leaf)] + message
    return setting, f"{setting}: {message}"


__all__ = ["SECRET_SETTINGS", "Problem", "field_type_problems", "problem_line",
           "return_host_problems", "seconds_to_timedelta", "type_problem", "unknown_keys"]
