"""Framework-neutral HTTP values: the portal's whole contract with a web framework.

An adapter (Flask, Django, Starlette, the WSGI one in :mod:`.wsgi`) builds a
:class:`Request`, calls ``PortalWebApp.handle`` and copies the :class:`Response`
back. Both are frozen; nothing here imports a framework.

``Request.path`` is relative to where the portal is mounted (``/orders/ord_1``,
never ``/billing/orders/ord_1``).

Building a Request never raises on hostile input, since adapters build it outside the
portal's error handling: more than ``MAX_FIELDS`` fields or a body over the limit keep
nothing and set a flag (``Request.refusal``), which the app answers with 400 or 413.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import parse_qsl

import attrs

# What callers may pass for query strings, forms and headers: a mapping (values
# str or list of str) or (name, value) pairs, or for query and form a raw string.
MultiSource = (Mapping[str, str | list[str] | tuple[str, ...]] | Iterable[tuple[str, str]]
               | str | None)
MAX_FORM_BYTES = 64 * 1024  # every portal form is tiny; refuse to parse more
# What adapters read of a POST body at most: a form, or a provider's webhook delivery.
MAX_BODY_BYTES = 256 * 1024
MAX_FIELDS = 200


class MultiDict(Mapping[str, list[str]]):
    """An immutable multi-valued mapping: ``md["a"]`` is the list, ``md.get_one("a")`` the
    first value (or the default)."""

    def __init__(self, source: MultiSource = None) -> None:
        data: dict[str, list[str]] = {}
        # True when a query string or form offered more than MAX_FIELDS fields (none kept).
        self.too_many_fields: bool = isinstance(source, MultiDict) and source.too_many_fields
        try:
            pairs = _pairs(source)
        except ValueError:  # parse_qsl's max_num_fields: the only ValueError it raises here
            pairs, self.too_many_fields = [], True
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        self._data = data

    def __getitem__(self, key: str) -> list[str]:
        return list(self._data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def get_one(self, key: str, default: str = "") -> str:
        values = self._data.get(key)
        return values[0] if values else default

    def pairs(self) -> list[tuple[str, str]]:
        return [(name, value) for name, values in self._data.items() for value in values]

    def first_values(self) -> dict[str, str]:
        return {name: values[0] for name, values in self._data.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiDict) and other._data == self._data

    def __hash__(self) -> int:
        return hash(tuple(self.pairs()))

    def __repr__(self) -> str:
        return f"MultiDict({self.pairs()!r})"


def _pairs(source: MultiSource) -> list[tuple[str, str]]:
    if source is None:
        return []
    if isinstance(source, str):
        return parse_qsl(source, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    if isinstance(source, MultiDict):
        return source.pairs()
    if isinstance(source, Mapping):
        found: list[tuple[str, str]] = []
        for name, value in source.items():
            values = [value] if isinstance(value, str) else list(value)
            found.extend((str(name), str(v)) for v in values)
        return found
    return [(str(name), str(value)) for name, value in source]


class Headers(Mapping[str, str]):
    """Case-insensitive, immutable request headers (repeated headers joined with ", ")."""

    def __init__(self, source: MultiSource = None) -> None:
        data: dict[str, str] = {}
        for name, value in _pairs(source) if not isinstance(source, str) else []:
            key = name.lower()
            data[key] = f"{data[key]}, {value}" if key in data else value
        self._data = data

    def __getitem__(self, key: str) -> str:
        return self._data[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other._data == self._data

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))


def parse_cookie_header(header: str | None) -> dict[str, str]:
    """``a=1; b=2`` -> dict; the first of duplicate names wins (the most specific path)."""
    cookies: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


def is_form(content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind == "application/x-www-form-urlencoded"


def parse_form(body: bytes, content_type: str | None) -> MultiDict:
    """URL-encoded form bodies only: the portal's forms never upload files."""
    if not is_form(content_type) or len(body) > MAX_FORM_BYTES:
        return MultiDict()
    try:
        return MultiDict(body.decode("utf-8"))
    except UnicodeDecodeError:
        return MultiDict()


def _upper(value: str) -> str:
    return str(value).upper()


def _header_pairs(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in value)


def _cookie_tuple(value: Iterable[Cookie]) -> tuple[Cookie, ...]:
    return tuple(value)


@attrs.frozen
class Request:
    """One HTTP request as the portal sees it.

    ``form`` may be left empty: a URL-encoded ``body`` is then parsed. ``cookies``
    defaults to the ``Cookie`` header. ``scheme`` is what the browser used (after
    any trusted proxy), and decides HSTS. An adapter that did not read a body because it
    is over ``MAX_BODY_BYTES`` says so with ``body_too_large``.
    """

    method: str = attrs.field(converter=_upper)
    path: str
    query: MultiDict = attrs.field(factory=MultiDict, converter=MultiDict)
    form: MultiDict = attrs.field(factory=MultiDict, converter=MultiDict)
    headers: Headers = attrs.field(factory=Headers, converter=Headers)
    cookies: Mapping[str, str] = attrs.field(factory=dict)
    remote_addr: str = ""
    scheme: str = "https"
    body: bytes = b""
    body_too_large: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.form and self.body:
            object.__setattr__(self, "form",
                               parse_form(self.body, self.headers.get("content-type")))
        if not self.cookies and "cookie" in self.headers:
            object.__setattr__(self, "cookies", parse_cookie_header(self.headers["cookie"]))

    def refusal(self, *, form_route: bool = True) -> int | None:
        """413 for a body over the limit, 400 for too many fields, else None.

        ``form_route=False`` (a webhook, which reads the raw body) judges only the body
        size against ``MAX_BODY_BYTES`` and the query, not the form limits.
        """
        if self.body_too_large:
            return 413
        if form_route and len(self.body) > MAX_FORM_BYTES and is_form(
                self.headers.get("content-type")):
            return 413  # a form body we refused to parse: not "this form has expired"
        if self.query.too_many_fields or (form_route and self.form.too_many_fields):
            return 400
        return None


@attrs.frozen
class Cookie:
    """One ``Set-Cookie``; ``max_age=0`` deletes it."""

    name: str
    value: str
    path: str = "/"
    max_age: int | None = None
    secure: bool = True
    http_only: bool = True
    same_site: str = "Lax"

    def header_value(self) -> str:
        parts = [f"{self.name}={self.value}", f"Path={self.path}"]
        if self.max_age is not None:
            parts.append(f"Max-Age={self.max_age}")
            if self.max_age == 0:
                parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
        if self.secure:
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        parts.append(f"SameSite={self.same_site}")
        return "; ".join(parts)


@attrs.frozen
class Response:
    """What to send back. ``headers`` excludes cookies: send each of ``set_cookies``
    as its own ``Set-Cookie`` header (``all_headers()`` does that for you)."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_header_pairs)
    body: bytes = b""
    set_cookies: tuple[Cookie, ...] = attrs.field(default=(), converter=_cookie_tuple)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def with_headers(self, extra: Iterable[tuple[str, str]], *, replace: bool = False) -> Response:
        """Add headers; existing names win unless ``replace``."""
        extra = list(extra)
        names = {name.lower() for name, _ in extra}
        if replace:
            kept = [(k, v) for k, v in self.headers if k.lower() not in names]
            return attrs.evolve(self, headers=[*kept, *extra])
        present = {k.lower() for k, _ in self.headers}
        added = [(k, v) for k, v in extra if k.lower() not in present]
        return attrs.evolve(self, headers=[*self.headers, *added])

    def with_cookies(self, *cookies: Cookie) -> Response:
        if not cookies:
            return self
        return attrs.evolve(self, set_cookies=[*self.set_cookies, *cookies])

    def all_headers(self) -> list[tuple[str, str]]:
        return [*self.headers, *(("Set-Cookie", c.header_value()) for c in self.set_cookies)]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


__all__ = ["Cookie", "Headers", "MultiDict", "Request", "Response", "parse_cookie_header",
           "parse_form"]
