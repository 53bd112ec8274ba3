from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesdesk.core import services
from salesdesk.core.audit import name_events, record_event
from salesdesk.core.errors import DomainError
from salesdesk.core.forms import show_domain_error
from salesdesk.core.middleware import start_session_clock
from salesdesk.core.models import CalendarDay, LoginAttempt
from salesdesk.core.roles import Role, role_of
from salesdesk.core.user_forms import GRANT_CHOICES, CalendarDayForm, GrantsForm, UserCreateForm

name_events(
    {
        "login.succeeded": gettext_lazy("Logged in"),
        "login.failed": gettext_lazy("Failed login"),
        "logout": gettext_lazy("Logged out"),
        "user.created": gettext_lazy("User created"),
        "user.grants_changed": gettext_lazy("Permissions changed"),
        "api.token_issued": gettext_lazy("API token issued"),
        "calendar.day_set": gettext_lazy("Working calendar changed"),
        "calendar.day_removed": gettext_lazy("Working calendar changed"),
    }
)


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
        start_session_clock(self.request)
        LoginAttempt.objects.filter(username=form.get_user().get_username().lower()).delete()
        record_event("login.succeeded", by=form.get_user())
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event("logout", by=request.user)
    logout(request)
    return redirect("login")


def _require_manager(request: HttpRequest) -> None:
    if role_of(request.user) != Role.MANAGER:
        raise PermissionDenied


def user_list(request: HttpRequest) -> HttpResponse:
    """The manager's list of people, their roles and what each has been granted."""
    _require_manager(request)
    users = (
        User.objects.prefetch_related("groups", "user_permissions")
        .select_related("profile")
        .order_by("username")
    )
    rows = [
        {
            "user": u,
            "role": next((Role(g.name).label for g in u.groups.all() if g.name in Role.values), "—"),
            "grants": [
                label
                for code, label in GRANT_CHOICES
                if any(p.codename == code for p in u.user_permissions.all())
            ],
            "limit": getattr(getattr(u, "profile", None), "max_rebate_per_unit", None),
        }
        for u in users
    ]
    return render(request, "core/user_list.html", {"rows": rows, "active_area": "settings"})


def user_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("User %(u)s created.") % {"u": user.username})
            return redirect("core:user-list")
    return render(request, "core/user_form.html", {"form": form, "active_area": "settings"})


def user_grants(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    user = get_object_or_404(User, pk=pk)
    profile = getattr(user, "profile", None)
    initial = {
        "grants": [
            code for code, _label in GRANT_CHOICES if user.user_permissions.filter(codename=code).exists()
        ],
        "max_rebate_per_unit": profile.max_rebate_per_unit if profile else None,
    }
    form = GrantsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_grants_set(
                user=user,
                by=request.user,
                grants=set(form.cleaned_data["grants"]),
                max_rebate_per_unit=form.cleaned_data["max_rebate_per_unit"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Permissions of %(u)s saved.") % {"u": user.username})
            return redirect("core:user-list")
    return render(
        request, "core/user_grants.html", {"form": form, "subject": user, "active_area": "settings"}
    )


def calendar(request: HttpRequest) -> HttpResponse:
    """The working calendar that ship slots follow: holidays and worked weekends."""
    _require_manager(request)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_day_set(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("core:calendar")
    days = CalendarDay.objects.filter(date__gte=timezone.localdate() - timedelta(days=31))
    return render(request, "core/calendar.html", {"form": form, "days": days, "active_area": "settings"})


@require_POST
def calendar_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    services.calendar_day_remove(by=request.user, day=get_object_or_404(CalendarDay, pk=pk))
    messages.success(request, _("Calendar saved."))
    return redirect("core:calendar")
