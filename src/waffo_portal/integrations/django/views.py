"""The one view: Django request -> portal Request -> portal Response -> HttpResponse.

The portal does its own CSRF checks, sessions and security headers, so the view is
exempt from Django's CSRF middleware and touches no Django session. ``enter`` is for the
merchant's own views: the direct hand-off into the portal.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from ...web import Request, Response
from ...web.http import MAX_BODY_BYTES
from .._common import joined_headers
from .conf import get_web_app


def to_portal_request(request: HttpRequest, path: str) -> Request:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    post, body = request.method == "POST", b""
    headers = list(request.headers.items())
    too_large = post and length > MAX_BODY_BYTES  # left unread: the portal answers 413
    if post and 0 < length <= MAX_BODY_BYTES:
        try:
            body, headers = _form_body(request, headers)
        except RequestDataTooBig:  # the host's DATA_UPLOAD_MAX_MEMORY_SIZE is lower still
            too_large = True
    return Request(
        method=request.method or "GET", path=path,
        query=request.META.get("QUERY_STRING", ""), headers=headers,
        remote_addr=request.META.get("REMOTE_ADDR", ""), scheme=request.scheme or "http",
        body=body, body_too_large=too_large,
    )


def _form_body(request: HttpRequest,
               headers: list[tuple[str, str]]) -> tuple[bytes, list[tuple[str, str]]]:
    """The body as the portal reads it. The portal parses only urlencoded forms; a
    multipart one (the Django test Client's default) is re-encoded from Django's parsed
    ``request.POST``. Its files are dropped: no portal form takes an upload."""
    if request.content_type != "multipart/form-data":
        return request.body, headers
    kept = [(name, value) for name, value in headers
            if name.lower() not in ("content-type", "content-length")]
    kept.append(("Content-Type", "application/x-www-form-urlencoded"))
    try:
        return request.POST.urlencode().encode("ascii"), kept
    except MultiPartParserError:  # a broken body: the portal refuses it as an empty form
        return b"", kept


def to_django_response(response: Response) -> HttpResponse:
    answer = HttpResponse(response.body, status=response.status)
    for name, value in joined_headers(response.headers).items():
        answer[name] = value
    for cookie in response.set_cookies:
        answer.set_cookie(cookie.name, cookie.value, max_age=cookie.max_age, path=cookie.path,
                          secure=cookie.secure, httponly=cookie.http_only,
                          samesite=cookie.same_site)
    return answer


@csrf_exempt
def portal(request: HttpRequest, subpath: str) -> HttpResponse:
    return to_django_response(get_web_app().handle(to_portal_request(request, "/" + subpath)))


def enter(request: HttpRequest, buyer_id: str, *, next: str = "") -> HttpResponse:
    """From your own logged-in view (same site): log ``buyer_id`` into the portal and
    redirect there (303) in one step. Raises NotFound or ValidationError (``next``)."""
    return to_django_response(get_web_app().enter(buyer_id, next=next,
                                                  cookies=request.COOKIES))
