"""The JSON API (v1): token auth, one error shape, routers from each app."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from salesdesk.core.audit import record_event
from salesdesk.core.errors import DomainError
from salesdesk.core.models import ApiToken
from salesdesk.core.schemas import ErrorOut, error_body
from salesdesk.core.views import client_address, login_failed, login_throttled


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=_hash(token), expires_at__gt=timezone.now())
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        request.user = row.user
        return row.user


api = NinjaAPI(
    title="salesdesk API",
    version="1",
    description="业务助理工作台 — customers, prices, orders, shipping and money.",
    auth=BearerToken(),
    urls_namespace="api",
)


def _error(request, status: int, detail: str, errors: list[dict] | None = None):
    return api.create_response(request, error_body(detail, errors), status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status_code, str(exc.message), exc.as_errors())


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in {"body", "payload", "query", "path"}]
        errors.append({"field": ".".join(loc) or "__all__", "message": err.get("msg", "")})
    return _error(request, 422, _("The request has invalid fields."), errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, _("Log in first: send Authorization: Bearer <token>."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")  # ninja's own text is not translatable
    return _error(request, exc.status_code, message)


class TokenIn(Schema):
    # The username reaches the database, which refuses NUL characters: refuse them here.
    username: str = Field(..., max_length=150, pattern=r"^[^\x00]*$")
    password: str = Field(..., max_length=4096)


class TokenOut(Schema):
    token: str
    expires_at: str


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, frozenset({400, 401, 422, 429}): ErrorOut},
    tags=["auth"],
)
def token_create(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (valid 12 hours)."""
    client = client_address(request)
    if login_throttled(payload.username, client):
        raise HttpError(429, _("Too many failed logins. Wait 15 minutes."))
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        login_failed(payload.username, client)
        raise HttpError(401, _("Wrong username or password."))
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(user=user, key_hash=_hash(token), expires_at=expires)
    record_event("api.token_issued", by=user)
    return {"token": token, "expires_at": expires.isoformat()}


def _register_routers() -> None:
    from salesdesk.calls.api import router as calls_router
    from salesdesk.catalog.api import router as catalog_router
    from salesdesk.commissions.api import router as commissions_router
    from salesdesk.customers.api import router as customers_router
    from salesdesk.orders.api import router as orders_router
    from salesdesk.receivables.api import router as receivables_router
    from salesdesk.reports.api import router as reports_router
    from salesdesk.warehouse.api import router as warehouse_router
    from salesdesk.workbench.api import router as workbench_router

    api.add_router("", customers_router)
    api.add_router("", catalog_router)
    api.add_router("", calls_router)
    api.add_router("", orders_router)
    api.add_router("", warehouse_router)
    api.add_router("", receivables_router)
    api.add_router("", commissions_router)
    api.add_router("", workbench_router)
    api.add_router("", reports_router)


_register_routers()
