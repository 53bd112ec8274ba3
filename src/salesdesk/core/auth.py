"""Django's model backend, with a user's permissions read together with the role (`access_of`)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from salesdesk.core.roles import access_of


def _own(user, obj) -> bool:
    """Whether the one read answers: an active person asked about no particular object. The rest
    (a superuser has every permission, an inactive one none) is Django's to answer."""
    return user.is_active and not user.is_anonymous and obj is None and not user.is_superuser


class RoleBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        if _own(user_obj, obj):
            return access_of(user_obj).user_permissions
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        if _own(user_obj, obj):
            return access_of(user_obj).group_permissions
        return super().get_group_permissions(user_obj, obj)

    def get_all_permissions(self, user_obj, obj=None):
        if _own(user_obj, obj):
            return access_of(user_obj).permissions
        return super().get_all_permissions(user_obj, obj)
