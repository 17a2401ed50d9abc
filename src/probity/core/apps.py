"""App configuration for the core module."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "probity.core"
    label = "core"
    verbose_name = "Probity core"

    def ready(self) -> None:
        from probity.core import signals  # noqa: F401  (connects login/logout audit receivers)
        from probity.core.roles import sync_role_groups
        from probity.core.views import deadlines  # noqa: F401  (registers deadline panels and navigation)

        post_migrate.connect(sync_role_groups, dispatch_uid="probity-sync-role-groups")
        from probity.core import panels  # noqa: F401  (role panels, registered after the deadline panels)
