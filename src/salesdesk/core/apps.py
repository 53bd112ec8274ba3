from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salesdesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Imported for what they register: system checks, and the `any_of` lookup.
        from salesdesk.core import checks, db  # noqa: F401
        from salesdesk.core.roles import sync_role_groups

        # Groups are data, but they must exist on every database, also a fresh test one.
        post_migrate.connect(sync_role_groups, dispatch_uid="salesdesk-role-groups")
