"""Users, roles and per-user grants: the manager's part of the foundation."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from salesdesk.core.audit import record_event
from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.models import CalendarDay, UserProfile
from salesdesk.core.roles import Role, role_of

GRANTS = {"quote_price", "set_rebate", "approve_commission"}


@transaction.atomic
def user_create(*, username: str, password: str, role: str, display_name: str = "", by=None) -> User:
    if role not in Role.values:
        raise DomainError(_("Unknown role: %(r)s") % {"r": role}, field="role")
    if User.objects.filter(username=username).exists():
        raise DomainError(_("That username is taken."), field="username")
    user = User(username=username, first_name=display_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise FieldErrors({"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.is_staff = role == Role.MANAGER
    user.save()
    user.groups.add(Group.objects.get(name=role))
    UserProfile.objects.create(user=user, display_name=display_name)
    record_event("user.created", by=by, obj=user, summary=f"{username} {role}")
    return user


@transaction.atomic
def user_grants_set(*, user: User, by, grants: set[str], max_rebate_per_unit: Decimal | None) -> User:
    """The manager grants quoting and commission permissions to one person."""
    if role_of(by) != Role.MANAGER:
        raise NotAllowed(_("Only the manager grants permissions."))
    unknown = grants - GRANTS
    if unknown:
        raise DomainError(_("Unknown permission: %(p)s") % {"p": ", ".join(sorted(unknown))}, field="grants")
    if max_rebate_per_unit is not None and max_rebate_per_unit < 0:
        raise DomainError(_("The rebate limit cannot be negative."), field="max_rebate_per_unit")
    perms = Permission.objects.filter(content_type__app_label="core", codename__in=GRANTS)
    user.user_permissions.remove(*perms)
    user.user_permissions.add(*[p for p in perms if p.codename in grants])
    profile, _created = UserProfile.objects.get_or_create(user=user)
    profile.max_rebate_per_unit = max_rebate_per_unit
    profile.save()
    record_event("user.grants_changed", by=by, obj=user, summary=",".join(sorted(grants)))
    return user


@transaction.atomic
def calendar_day_set(*, by, date, is_workday: bool, name: str = "") -> CalendarDay:
    """Mark a public holiday, or a weekend worked in its place (调休), for ship slots."""
    if role_of(by) != Role.MANAGER:
        raise NotAllowed(_("Only the manager keeps the working calendar."))
    day, _created = CalendarDay.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "name": name.strip()[:50]}
    )
    record_event(
        "calendar.day_set", by=by, obj=day, summary=f"{date} {'workday' if is_workday else 'holiday'} {name}"
    )
    return day


@transaction.atomic
def calendar_day_remove(*, by, day: CalendarDay) -> None:
    if role_of(by) != Role.MANAGER:
        raise NotAllowed(_("Only the manager keeps the working calendar."))
    record_event("calendar.day_removed", by=by, obj=day, summary=str(day.date))
    day.delete()
