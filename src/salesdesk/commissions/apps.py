from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "salesdesk.commissions"
    label = "commissions"
    verbose_name = _("Commissions")

    def ready(self) -> None:
        from salesdesk.commissions import hooks  # noqa: F401  (accrual on posting)
