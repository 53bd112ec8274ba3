"""Morning reminders: the workbench items `salesdesk daily` found for each user, kept for the day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """One workbench item as it stood when the daily run computed it.

    `key` names the item (its section, link and title), so a second run on the same day finds
    it already written: one reminder per user, day and item, enforced by the database.
    """

    # The unique (user, day, key) is the index by user too.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    day = models.DateField(_("day"), db_index=True)
    section = models.CharField(_("section"), max_length=40)  # the workbench section's key
    title = models.CharField(_("title"), max_length=300)
    detail = models.CharField(_("detail"), max_length=1000, blank=True)
    url = models.CharField(_("link"), max_length=500)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(_("done at"), null=True, blank=True)  # ticked off by its user

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "key"], name="one_reminder_per_item_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id} {self.title}"
