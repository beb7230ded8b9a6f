"""Flask: mount the portal under a URL prefix of any Flask app.

    portal_ext = WaffoPortal(store=store, mailer=mailer, gateway=gateway)
    portal_ext.init_app(app)          # reads WAFFO_PORTAL_* from app.config
    return portal_ext.enter(buyer_id, next="/billing/subscriptions")   # in your views
    WaffoPortal.portal_for(app).apply_due()   # cron, APScheduler, Celery: no app context

``init_app`` also adds the ``flask waffo …`` commands (:mod:`.flask_cli`).

Settings are every ``WAFFO_PORTAL_<NAME>`` key of ``app.config``, passed to
:meth:`PortalConfig.from_mapping` as ``<name>``. The URL prefix defaults to the path of
``WAFFO_PORTAL_BASE_URL`` and MUST agree with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from os import PathLike

try:
    import flask
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    from ._common import missing_framework

    raise missing_framework("waffo_portal.integrations.flask", "Flask", "flask") from exc

import jinja2
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.exceptions import ConfigurationError
from ..ports import (
    BillingProvider,
    Clock,
    EventSink,
    Mailer,
    PaymentGateway,
    Store,
    TaxPolicy,
    WebhookSource,
)
from ..service import Portal
from ..web import PortalWebApp, Request, Response
from ..web.http import MAX_BODY_BYTES
from ._common import check_mount, config_from_prefixed, normalize_prefix
from .flask_cli import waffo_cli

CONFIG_PREFIX = "WAFFO_PORTAL_"
EXTENSION_KEY = "waffo_portal"


def to_portal_request(request: flask.Request, path: str) -> Request:
    # A body of unknown length (chunked) is not read at all: get_data() would buffer all
    # of it. Browsers always send Content-Length with the portal's forms.
    length, post, body = request.content_length or 0, request.method == "POST", b""
    too_large = post and length > MAX_BODY_BYTES  # left unread: the portal answers 413
    if post and 0 < length <= MAX_BODY_BYTES:
        try:
            body = request.get_data()
        except RequestEntityTooLarge:  # the host's MAX_CONTENT_LENGTH is lower still
            too_large = True
    return Request(
        method=request.method, path=path,
        query=request.query_string.decode("utf-8", "replace"),
        headers=list(request.headers.items()),
        remote_addr=request.environ.get("REMOTE_ADDR", ""),
        scheme=request.scheme, body=body, body_too_large=too_large,
    )


def to_flask_response(response: Response) -> flask.Response:
    return flask.Response(response.body, status=response.status,
                          headers=response.all_headers())


def portal_blueprint(web: PortalWebApp, name: str = "waffo_portal") -> flask.Blueprint:
    """A blueprint with one catch-all route; register it with ``url_prefix``."""
    blueprint = flask.Blueprint(name, __name__)
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    @blueprint.route("/", defaults={"subpath": ""}, methods=methods,
                     provide_automatic_options=False)
    @blueprint.route("/<path:subpath>", methods=methods, provide_automatic_options=False)
    def portal(subpath: str) -> flask.Response:
        return to_flask_response(web.handle(to_portal_request(flask.request, "/" + subpath)))

    return blueprint


class WaffoPortal:
    """The Flask extension. Ports are passed in code; settings come from ``app.config``."""

    def __init__(self, app: flask.Flask | None = None, *, store: Store, mailer: Mailer,
                 gateway: PaymentGateway | None = None,
                 provider: BillingProvider | None = None,
                 webhooks: Sequence[WebhookSource] = (), clock: Clock | None = None,
                 events: EventSink | None = None, tax_policy: TaxPolicy | None = None,
                 template_dirs: Iterable[str | PathLike[str]] = (),
                 template_loader: jinja2.BaseLoader | None = None) -> None:
        self._store, self._mailer, self._gateway = store, mailer, gateway
        self._provider, self._webhooks = provider, tuple(webhooks)
        self._clock, self._events, self._tax_policy = clock, events, tax_policy
        self._template_dirs = list(template_dirs)
        self._template_loader = template_loader
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask, url_prefix: str | None = None,
                 name: str = "waffo_portal") -> PortalWebApp:
        """Validate the settings, build the portal and mount it (ConfigurationError if the
        settings are invalid or ``url_prefix`` disagrees with ``base_url``)."""
        config = config_from_prefixed(app.config, CONFIG_PREFIX)
        prefix = config.base_path if url_prefix is None else url_prefix
        check_mount(config, prefix, f"url_prefix of blueprint {name!r}")
        portal = Portal(config, store=self._store, mailer=self._mailer, gateway=self._gateway,
                        provider=self._provider, webhooks=self._webhooks, clock=self._clock,
                        events=self._events, tax_policy=self._tax_policy)
        web = PortalWebApp(portal, template_dirs=self._template_dirs,
                           template_loader=self._template_loader)
        app.register_blueprint(portal_blueprint(web, name),
                               url_prefix=normalize_prefix(prefix) or None)
        app.extensions[EXTENSION_KEY] = web
        app.cli.add_command(waffo_cli(self.portal_for))
        return web

    @classmethod
    def portal_for(cls, app: flask.Flask) -> Portal:
        """``app``'s :class:`Portal`, with no app context needed: for scheduled jobs
        (cron, APScheduler, Celery) that hold the app. ConfigurationError if ``init_app``
        was not called for ``app``."""
        web: PortalWebApp | None = app.extensions.get(EXTENSION_KEY)
        if web is None:
            raise ConfigurationError(f"WaffoPortal.init_app() was not called for the Flask "
                                     f"app {app.name!r}: it has no portal")
        return web.portal

    @property
    def web(self) -> PortalWebApp:
        """The current app's portal web app (inside an app or request context)."""
        found: PortalWebApp = flask.current_app.extensions[EXTENSION_KEY]
        return found

    @property
    def portal(self) -> Portal:
        """The current app's :class:`Portal`, e.g. for ``email_portal_link``."""
        return self.web.portal

    def enter(self, buyer_id: str, *, next: str = "") -> flask.Response:
        """From your own logged-in view (same site): log ``buyer_id`` into the portal and
        redirect there (303) in one step. Raises NotFound or ValidationError (``next``)."""
        return to_flask_response(self.web.enter(buyer_id, next=next,
                                                cookies=flask.request.cookies))


__all__ = ["WaffoPortal", "portal_blueprint", "to_flask_response", "to_portal_request"]
