"""A test-only app with one sensitive model registered with the access policy."""

from django.apps import AppConfig


class PolicyAppConfig(AppConfig):
    name = "tests.policyapp"
    label = "policyapp"

    def ready(self) -> None:
        from probity.core import access
        from probity.core.models import Role
        from tests.policyapp.models import Dossier

        access.register(
            Dossier,
            access.RecordRules(
                roles=frozenset({Role.AGENT, Role.SUPERVISOR}),
                office="office",
                agency_wide_roles=frozenset({Role.SUPERVISOR}),
                compartment="compartment",
                people=("people__employee",),
            ),
        )
