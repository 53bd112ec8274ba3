from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.core.audit import record_event
from salesdesk.core.models import LoginAttempt


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def login_throttled(username: str, client: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(at__gte=since)
    limit = settings.LOGIN_THROTTLE_LIMIT
    return (
        recent.filter(username=username.lower()).count() >= limit
        or recent.filter(client=client).count() >= limit * 5
    )


def login_failed(username: str, client: str) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], client=client)
    record_event("login.failed", summary=username[:150])


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        client = client_address(self.request) if self.request else ""
        if username and login_throttled(username, client):
            raise forms.ValidationError(
                _("Too many failed logins. Wait 15 minutes or ask the manager to reset your password."),
                code="throttled",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login_failed(username, client)
            raise


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        LoginAttempt.objects.filter(username=form.get_user().get_username().lower()).delete()
        record_event("login.succeeded", by=form.get_user())
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event("logout", by=request.user)
    logout(request)
    return redirect("login")
