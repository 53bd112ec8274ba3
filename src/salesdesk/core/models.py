from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from salesdesk.core.money import UNIT_PRICE

_LABELS: dict[models.Field, dict] = {}


class ChoiceLabels:
    """`get_FOO_display()` from a table of the field's labels made once, not at every call.

    Django makes a dict of the field's choices at each call and hashes every label to make it,
    which translates every lazy label: 25 µs a call, and a page of 25 orders shows 136 of them
    (a fifth of the order list's time). The table keeps the lazy labels; only the one shown is
    translated, into the language active then. Every model with choices takes this first in its
    bases (`tests/core/test_choice_labels.py`).
    """

    def _get_FIELD_display(self, field):
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


class Sequence(models.Model):
    """One row per numbering series (customer codes, register numbers, documents).

    The row is locked and bumped inside the caller's transaction, so a rolled-back
    document gives its number back: no gaps, no duplicates.
    """

    key = models.CharField(max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class UserProfile(models.Model):
    """What the manager grants a user beyond the role (报价权限, 回佣权限, 回佣额度)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # 回佣额度: the highest rebate per unit this user may set; empty means no limit.
    max_rebate_per_unit = models.DecimalField(
        _("maximum rebate per unit"), null=True, blank=True, **UNIT_PRICE
    )

    class Meta:
        verbose_name = _("user profile")
        permissions = [
            ("quote_price", _("May quote prices other than the agreed price (报价权限)")),
            ("set_rebate", _("May set rebate prices and payees (回佣权限)")),
            ("approve_commission", _("May approve commission statements")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_rebate_per_unit__gte=0) | models.Q(max_rebate_per_unit__isnull=True),
                name="profile_max_rebate_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class AuditEvent(models.Model):
    """Append-only record of document events, approvals, logins and denials."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    @property
    def name(self) -> str:
        from salesdesk.core.audit import event_name

        return event_name(self.action)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class IdempotencyRecord(models.Model):
    """The first answer to an unsafe API request carrying an Idempotency-Key.

    The unique constraint is what makes a retry, even a concurrent one, create nothing new.
    """

    owner = models.CharField(max_length=80)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_once_per_key")]

    def __str__(self) -> str:
        return self.key


class LoginAttempt(models.Model):
    """Failed logins, counted to throttle password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    """Every workflow transition of every document: who moved it, from what, to what, when."""

    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.from_status}→{self.to_status}"


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a public holiday, or a weekend worked in its place (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
