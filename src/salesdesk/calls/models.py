from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import ChoiceLabels
from salesdesk.customers.models import Customer


class CallRecord(models.Model):
    """来电记录: one answered call, logged while it happens."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    company = models.CharField(_("company"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    need = models.TextField(_("what they need"), blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call record")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=600) | Q(duration_minutes__isnull=True),
                name="call_duration_sane",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.company or self.phone}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")  # someone still owes the caller an answer
    RESOLVED = "resolved", _("Resolved")  # answered; the resolution says how


class FollowUp(ChoiceLabels, models.Model):
    """A question from a call that the person answering could not settle (千万不能放之不理)."""

    call = models.ForeignKey(CallRecord, on_delete=models.PROTECT, related_name="follow_ups")
    question = models.TextField(_("question"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN, db_index=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {FollowUpStatus.OPEN: {FollowUpStatus.RESOLVED}, FollowUpStatus.RESOLVED: set()}

    class Meta:
        ordering = ["status", "due_on", "created_at"]
        verbose_name = _("follow-up")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(resolution="") & Q(resolved_by__isnull=False)),
                name="followup_resolution_recorded",
            )
        ]

    def __str__(self) -> str:
        return self.question[:40]
