"""App configuration for intake: registers allegations with the access policy."""

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "probity.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from probity.core import access
        from probity.core.models import Role
        from probity.intake import duplicates, hooks, panels
        from probity.intake.models import Allegation

        # The Joint Intake Center sees the whole agency's intake; supervisors their office
        # subtree; anyone else only what they are assigned. Recusal covers every named person.
        access.register(
            Allegation,
            access.RecordRules(
                roles=frozenset({Role.INTAKE, Role.SUPERVISOR}),
                office="office",
                agency_wide_roles=frozenset({Role.INTAKE}),
                assigned="assigned_to",
                compartment="compartment",
                people=("people__employee",),
            ),
        )
        hooks.register_recorded(duplicates.match_recorded)
        panels.register()
        # `probity import allegations` and intake's year of demo data (modules in intake/).
        from probity.intake import demo, imports

        imports.connect()
        demo.connect()
