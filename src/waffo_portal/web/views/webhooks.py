"""``POST <portal>/webhooks/<source>``: a billing provider's delivery, answered in JSON.

2xx once the delivery is in the inbox (or was already), so the provider stops sending
it; 4xx when it can never be taken in as sent (bad signature: 400; records that break
the sync rules: 422); 409 when a record depends on one not received yet, and 5xx on a
store failure, both of which the provider should deliver again later.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from ...core.exceptions import NotFound, PortalError, ValidationError
from ..http import Request, Response

if TYPE_CHECKING:
    from ..app import PortalWebApp

log = logging.getLogger("waffo_portal.webhooks")
_JSON = "application/json"


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(status, (("Content-Type", _JSON),), json.dumps(payload).encode())


def receive(web: PortalWebApp, request: Request, source: str) -> Response:
    try:
        result = web.portal.sync.receive_webhook(source, request.headers, request.body)
    except NotFound:
        return _json(404, {"error": "unknown_source"})
    except ValidationError as exc:
        log.warning("webhook %s refused: %s", source, exc.keys)
        return _json(422, {"error": exc.code, "fields": exc.keys})
    except PortalError as exc:
        log.warning("webhook %s refused (%s): %s", source, exc.code, exc)
        return _json(exc.status_code if exc.status_code < 500 else 503,
                     {"error": exc.code, "key": exc.key})
    return _json(200, {"status": result.outcome.value, "delivery_id": result.delivery_id})
