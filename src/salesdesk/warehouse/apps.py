from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "salesdesk.warehouse"
    label = "warehouse"
    verbose_name = _("Warehouse")

    def ready(self) -> None:
        from salesdesk.warehouse import hooks  # noqa: F401  (adds the stock check and order tracking)
