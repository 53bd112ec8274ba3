"""Request-wide rules: pages need a login, sessions idle out, API writes are idempotent."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from salesdesk.core.models import IdempotencyRecord
from salesdesk.core.schemas import error_body

_PUBLIC_PREFIXES = ("/api/", "/static/", "/i18n/")
_WAIT_FOR_FIRST_SECONDS = 15


class ApiErrorsAsJsonMiddleware:
    """An address under /api/ that does not exist, or a method an address does not take, answers
    in the API's one error shape: Django's URL resolver and django-ninja answer those two with
    HTML, which a client reading `detail` and `errors` cannot read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if not request.path.startswith("/api/") or is_json or response.status_code not in (404, 405):
            return response
        if response.status_code == 404:
            detail = _("Not found.")
        else:
            detail = _("This address does not take %(method)s.") % {"method": request.method}
        answer = JsonResponse(error_body(detail), status=response.status_code)
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose English with the switch in the header.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC
    installed in English would greet a sales assistant in English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


LAST_SEEN_STEP = 60  # seconds


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a logged-in user; the API authenticates with its own tokens.

    Also ends a session idle for longer than SESSION_IDLE_SECONDS, or older than
    SESSION_COOKIE_AGE however busy: Django renews a session's expiry each time it is saved,
    and this middleware saves it on every request.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(_PUBLIC_PREFIXES):
            return None
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            started = request.session.setdefault("logged_in_at", now)
            if now - last > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
            elif now - last >= LAST_SEEN_STEP:
                # Once a minute is exact enough for a 30-minute limit, and spares every page
                # view a write (and on SQLite a flush to disk) of the session row.
                request.session["last_seen"] = now
        return super().process_view(request, view_func, view_args, view_kwargs)


def start_session_clock(request: HttpRequest) -> None:
    """At login: both limits count from now, even if the next request comes late."""
    request.session["logged_in_at"] = request.session["last_seen"] = int(time.time())


class IdempotencyMiddleware:
    """A retried unsafe API request with the same Idempotency-Key gets the first answer.

    The key is claimed by inserting a row before the request runs; the unique constraint
    makes a concurrent duplicate fail to claim it. The same key with a different body
    is refused with 409.
    """

    header = "HTTP_IDEMPOTENCY_KEY"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(self.header, "").strip()
        if not key or request.method not in {"POST", "PATCH", "PUT", "DELETE"}:
            return self.get_response(request)
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200 or not key.isprintable():
            return _problem(
                400, _("Idempotency-Key must be at most 200 printable characters."), "Idempotency-Key"
            )
        owner = _owner_of(request)
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(owner=owner, key=key, request_hash=digest)
        except IntegrityError:
            return _replay(owner, key, digest)
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()  # let the client try again
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            response_body=response.content,
            content_type=response.get("Content-Type", ""),
        )
        return response


def _owner_of(request: HttpRequest) -> str:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "token:" + hashlib.sha256(auth.encode()).hexdigest()[:64]
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:64]


def _replay(owner: str, key: str, digest: str) -> HttpResponse:
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    # A concurrent twin is still running: wait for its answer rather than fail the retry.
    deadline = time.monotonic() + _WAIT_FOR_FIRST_SECONDS
    while record is not None and record.status_code is None and time.monotonic() < deadline:
        time.sleep(0.05)
        record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is None:  # the first attempt failed and released the key meanwhile
        return _problem(409, _("The first request with this Idempotency-Key failed; retry it."))
    if record.request_hash != digest:
        return _problem(
            409, _("This Idempotency-Key was already used for a different request."), "Idempotency-Key"
        )
    if record.status_code is None:
        return _problem(409, _("The first request with this Idempotency-Key is still running."))
    response = HttpResponse(
        bytes(record.response_body or b""), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replay"] = "true"
    return response


def _problem(status: int, message: str, field: str = "__all__") -> JsonResponse:
    return JsonResponse({"detail": message, "errors": [{"field": field, "message": message}]}, status=status)


class ContentSecurityPolicyMiddleware:
    """Pages load scripts and styles only from our own static files (all vendored)."""

    policy = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
    )
    # Swagger UI writes <style> elements at run time.
    docs_policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith("/api/") and request.path.endswith("/docs")
            response["Content-Security-Policy"] = self.docs_policy if docs else self.policy
        return response


class RefuseNulMiddleware:
    """A NUL character in the address or a form is never meant; PostgreSQL cannot store it,
    and a view that passes it to a query would answer 500. Refuse it once, here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return _problem(400, _("The address contains a NUL character."), "path")
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return _problem(400, _("%(field)s contains a NUL character.") % {"field": key}, key)
        return self.get_response(request)
