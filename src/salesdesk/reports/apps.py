from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "salesdesk.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from salesdesk.reports import definitions  # noqa: F401  (registers every report)
