"""A browser-like test client for :class:`~waffo_portal.web.PortalWebApp`, no framework needed.

It keeps cookies, follows redirects on request, and reads forms and links out of the
HTML, so a test submits a page's form the way a browser would (hidden CSRF token and
idempotency key included)::

    client = PortalTestClient(PortalWebApp(kit.portal))
    page = client.get("/login")
    client.submit(page, "/login", {"email": "ada@example.com"})
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import attrs

from ..web.app import PortalWebApp
from ..web.http import Request, Response


@attrs.define
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = attrs.field(factory=list)
    buttons: list[tuple[str, str]] = attrs.field(factory=list)

    def values(self) -> dict[str, str]:
        return dict(self.fields)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: bool = False
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs_}
        form = self.forms[-1] if self.forms else None
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").upper()))
        elif form is None:
            return
        elif tag == "input":
            self._input(form, a)
        elif tag == "button" and a.get("name"):
            form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = (a.get("name", ""), [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = (a.get("name", ""), [])

    def _input(self, form: Form, a: dict[str, str]) -> None:
        kind, name = a.get("type", "text").lower(), a.get("name")
        if not name or kind in ("submit", "button", "image", "reset", "file"):
            return
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self.forms:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            if name and chosen:
                self.forms[-1].fields.append((name, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1].fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None


@attrs.frozen
class TestResponse:
    """A Response plus what a test wants to read from it."""

    __test__ = False
    response: Response

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def text(self) -> str:
        return self.response.text

    def header(self, name: str) -> str | None:
        return self.response.header(name)

    @property
    def location(self) -> str | None:
        return self.response.header("location")

    def _parsed(self) -> _PageParser:
        parser = _PageParser()
        parser.feed(self.text)
        parser.close()
        return parser

    def forms(self) -> list[Form]:
        return self._parsed().forms

    def links(self) -> list[str]:
        return self._parsed().links

    def form(self, action: str) -> Form:
        """The form whose action ends with ``action`` (a path relative to the mount);
        a POST form wins over a GET form with the same action."""
        found = [f for f in self.forms() if urlsplit(f.action).path.endswith(action)]
        if not found:
            raise AssertionError(f"no form for {action!r} on this page")
        return next((f for f in found if f.method == "POST"), found[0])

    @property
    def csrf_token(self) -> str:
        for form in self.forms():
            token = form.values().get("csrf_token")
            if token:
                return token
        raise AssertionError("no CSRF token on this page")


class PortalTestClient:
    """Talks to a PortalWebApp like a browser: cookies kept, HTML forms submitted."""

    __test__ = False

    def __init__(self, app: PortalWebApp, *, remote_addr: str = "198.51.100.7",
                 scheme: str = "https", headers: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.remote_addr = remote_addr
        self.scheme = scheme
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.base_path = app.portal.config.base_path

    def relative(self, target: str) -> tuple[str, list[tuple[str, str]]]:
        """A browser URL or mount-relative path -> (mount-relative path, query pairs)."""
        parts = urlsplit(target)
        path = parts.path or "/"
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            path = path[len(self.base_path):] or "/"
        return path, parse_qsl(parts.query, keep_blank_values=True)

    def request(self, method: str, target: str, *, query: Mapping[str, str] | None = None,
                form: Mapping[str, str] | list[tuple[str, str]] | None = None,
                headers: Mapping[str, str] | None = None) -> TestResponse:
        path, pairs = self.relative(target)
        pairs.extend((query or {}).items())
        request = Request(method=method, path=path, query=pairs,
                          form=list(form.items()) if isinstance(form, Mapping) else form or [],
                          headers={**self.headers, **(headers or {})},
                          cookies=dict(self.cookies), remote_addr=self.remote_addr,
                          scheme=self.scheme)
        response = self.app.handle(request)
        for cookie in response.set_cookies:
            if cookie.max_age == 0:
                self.cookies.pop(cookie.name, None)
            else:
                self.cookies[cookie.name] = cookie.value
        return TestResponse(response)

    def get(self, target: str, **kwargs: object) -> TestResponse:
        return self.request("GET", target, **kwargs)  # type: ignore[arg-type]

    def head(self, target: str, **kwargs: object) -> TestResponse:
        return self.request("HEAD", target, **kwargs)  # type: ignore[arg-type]

    def post(self, target: str, form: Mapping[str, str] | list[tuple[str, str]] | None = None,
             **kwargs: object) -> TestResponse:
        return self.request("POST", target, form=form, **kwargs)  # type: ignore[arg-type]

    def follow(self, response: TestResponse) -> TestResponse:
        location = response.location
        assert location is not None, f"not a redirect: {response.status}"
        return self.get(location)

    def submit(self, page: TestResponse, action: str,
               data: Mapping[str, str] | None = None, *,
               button: tuple[str, str] | None = None) -> TestResponse:
        """Fill in and send the page's form posting to ``action`` (a mount-relative path)."""
        form = page.form(action)
        values = form.values() | dict(data or {})
        if button is not None:
            values[button[0]] = button[1]
        if form.method == "GET":
            return self.get(form.action, query=values)
        return self.post(form.action, values)
