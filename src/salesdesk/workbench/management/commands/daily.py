"""`salesdesk daily`: write each user's workbench items as this morning's reminders (for cron),
and refresh the statistics the database plans its queries with."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from salesdesk.core.db import refresh_statistics
from salesdesk.workbench.services import reminders_write


class Command(BaseCommand):
    help = (
        "Compute every active user's workbench and write today's reminders, shown on the workbench "
        "after login. Safe to run more than once a day: items already written are not written again."
    )

    def handle(self, *args, **options) -> None:
        # Cron has no browser to ask: reminders are written in the company's language.
        with translation.override(settings.LANGUAGE_CODE):
            count = reminders_write()
        self.stdout.write(f"salesdesk: reminders written: {count}.")
        refresh_statistics()
