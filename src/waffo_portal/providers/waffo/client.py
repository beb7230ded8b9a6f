"""A signed HTTP client for Waffo Pancake's API (every call is a POST of JSON).

Each call is serialised once and those bytes are signed and sent. Writes carry the
caller's idempotency key, and a retry (after a timeout, a 5xx, a 429 or a 409 "already
being processed") sends the same key again, so Waffo runs the write once. All attempts
of one call share one deadline, shorter than the portal's change lease. Waffo's error
envelope ``{"data": null, "errors": [{"message", "layer"}]}`` becomes a portal
exception with a message key: the buyer reads a translated sentence, the log the rest.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import httpx

from ...core.exceptions import PlanChangeNotAllowed, PortalError, ProviderUnavailable
from .settings import WaffoSettings
from .signing import request_headers

log = logging.getLogger("waffo_portal.providers.waffo")

ISSUE_TOKEN: Final = "/v1/actions/auth/issue-session-token"  # noqa: S105 (a path)
GRAPHQL: Final = "/v1/graphql"
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_RETRY_STATUSES: Final = frozenset({409, 429, 500, 502, 503, 504})
_ATTEMPTS: Final = 3
_BACKOFF: Final = 0.5  # seconds before the 2nd attempt, doubled for the 3rd

# Waffo's refusals a buyer can act on (exact messages from its SDKs), by message key.
_REFUSALS: Final[Mapping[str, str]] = {
    "Subscription with an unpaid balance cannot be reactivated": "provider.unpaid_balance",
    "Target plan is not in the same product group as the current plan":
        "plan.not_replaceable",
    "Self-service plan change is not enabled for this product group":
        "provider.not_self_service",
}


class WaffoRefused(PlanChangeNotAllowed):
    """Waffo answered 4xx: the request was understood and refused; retrying is useless."""

    code = "provider_refused"

    def __init__(self, status: int, messages: tuple[str, ...]) -> None:
        key = next((_REFUSALS[m] for m in messages if m in _REFUSALS), "provider.refused")
        super().__init__(key=key, status=status, messages=messages)
        self.status = status
        self.messages = messages


def _messages(payload: object) -> tuple[str, ...]:
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return ()
    return tuple(str(e.get("message", "")) for e in errors if isinstance(e, dict))


class WaffoClient:
    """``transport`` replaces the network (tests, proxies); ``sleep`` the back-off wait;
    ``now`` the Unix time the requests are stamped with."""

    def __init__(self, settings: WaffoSettings, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._now = now
        self._budget = threading.local()  # the deadline of the action in progress, if any
        self._http = httpx.Client(base_url=settings.base_url, transport=transport,
                                  follow_redirects=False)
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    @contextmanager
    def budget(self) -> Iterator[None]:
        """All calls inside share one ``deadline_seconds`` (an action makes several: the
        write, a token, the read-back), so that together they stay below the portal's
        change lease. Nested budgets keep the outer deadline."""
        outer = getattr(self._budget, "until", None)
        self._budget.until = outer or time.monotonic() + self.settings.deadline_seconds
        try:
            yield
        finally:
            self._budget.until = outer

    # -- the three kinds of call ---------------------------------------------------
    def action(self, path: str, body: Mapping[str, Any], *, idempotency_key: str | None = None,
               token: str | None = None) -> dict[str, Any]:
        """A REST action; returns its ``data``. ``token``: as the buyer (Bearer)."""
        if idempotency_key is not None and not _KEY.match(idempotency_key):
            raise ValueError("a Waffo idempotency key is 1-256 of [A-Za-z0-9_-]")
        payload = self._post(path, body, idempotency_key=idempotency_key, token=token)
        data = payload.get("data")
        messages = _messages(payload)
        if messages or not isinstance(data, dict):
            raise ProviderUnavailable(reason="envelope", messages=messages)
        return data

    def graphql(self, query: str, variables: Mapping[str, Any], *,
                token: str | None = None) -> dict[str, Any]:
        """A read; never with an idempotency key (Waffo would cache it for a day).
        Any error in the answer fails the read (ProviderUnavailable)."""
        try:
            payload = self._post(GRAPHQL, {"query": query, "variables": dict(variables)},
                                 idempotency_key=None, token=token)
        except WaffoRefused as refused:  # a 4xx to a read: our query, not the buyer's change
            raise ProviderUnavailable(reason="graphql refused",
                                      messages=refused.messages) from None
        data, messages = payload.get("data"), _messages(payload)
        if messages or not isinstance(data, dict):
            # A partial answer is not used: a field that failed comes back null and would
            # be synced as if Waffo had emptied it.
            log.warning("Waffo GraphQL answered with errors: %s", "; ".join(messages))
            raise ProviderUnavailable(reason="graphql", messages=messages)
        return data

    def session_token(self, buyer_identity: str) -> str:
        """A five-minute token acting as the buyer (minted per use, never cached)."""
        data = self.action(ISSUE_TOKEN, {"storeId": self.settings.store_id,
                                         "buyerIdentity": buyer_identity})
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise ProviderUnavailable(reason="token")
        return token

    # -- transport -----------------------------------------------------------------
    def _headers(self, path: str, body: bytes, token: str | None,
                 idempotency_key: str | None) -> dict[str, str]:
        if token is None:
            headers = request_headers(self.settings.signing_key, self.settings.merchant_id,
                                      path, int(self._now()), body)
        else:
            headers = {"Content-Type": "application/json",
                       "Authorization": f"Bearer {token}",
                       "X-Environment": self.settings.environment}
        if idempotency_key is not None:
            headers["X-Idempotency-Key"] = idempotency_key
        return headers

    def _post(self, path: str, body: Mapping[str, Any], *, idempotency_key: str | None,
              token: str | None) -> dict[str, Any]:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        deadline = time.monotonic() + self.settings.deadline_seconds
        deadline = min(deadline, getattr(self._budget, "until", None) or deadline)
        last: PortalError = ProviderUnavailable(reason="no attempt")
        for attempt in range(_ATTEMPTS):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                # Signed per attempt: the timestamp must be fresh, the body stays the same.
                answer = self._http.post(path, content=raw, headers=self._headers(
                    path, raw, token, idempotency_key), timeout=remaining)
            except httpx.HTTPError as error:
                log.warning("Waffo %s attempt %d failed: %s", path, attempt + 1, error)
                last = ProviderUnavailable(reason="transport")
            else:
                payload = _decode(answer)
                if payload is None:  # a proxy's HTML error page, or a broken answer
                    last = ProviderUnavailable(reason="not json", status=answer.status_code)
                    if answer.status_code not in _RETRY_STATUSES:
                        raise last
                elif answer.status_code < 300:
                    for warning in _messages({"errors": payload.get("warnings")}):
                        log.warning("Waffo %s warns: %s", path, warning)
                    return payload
                else:
                    self._refuse_or_retry(path, answer.status_code, payload)
                    last = ProviderUnavailable(
                        key="provider.busy" if answer.status_code in (409, 429)
                        else "provider.unavailable", status=answer.status_code)
            wait = _BACKOFF * 2 ** attempt
            if attempt + 1 < _ATTEMPTS and deadline - time.monotonic() > wait:
                self._sleep(wait)
        raise last

    @staticmethod
    def _refuse_or_retry(path: str, status: int, payload: dict[str, Any]) -> None:
        messages = _messages(payload)
        log.warning("Waffo %s answered %d: %s", path, status, "; ".join(messages))
        if status == 401:  # the merchant's key or the buyer's token: the log says which
            raise ProviderUnavailable(reason="credentials", messages=messages)
        if status not in _RETRY_STATUSES:
            raise WaffoRefused(status, messages)


def _decode(answer: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = answer.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
