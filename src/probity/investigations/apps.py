"""App configuration for investigations: access rules, intake routing hook, roles, panels."""

from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "probity.investigations"
    label = "investigations"
    verbose_name = "Investigations"

    def ready(self) -> None:
        from probity.core import access
        from probity.core.models import Role
        from probity.investigations.models import Case, DisciplineAction

        # Need to know: supervisors see their office subtree's cases; agents only the cases they
        # lead or are on the team of (RecordAssignment rows). Restricted cases need a compartment
        # grant; anyone named in a case (subject, witness, complainant) never sees it.
        access.register(
            Case,
            access.RecordRules(
                roles=frozenset({Role.SUPERVISOR}),
                office="office",
                assigned="lead_agent",
                compartment="compartment",
                people=("parties__employee",),
            ),
        )
        # Labor and employee relations handle discipline agency-wide; supervisors in their subtree
        # of the employee's office. The disciplined employee never sees their own action.
        access.register(
            DisciplineAction,
            access.RecordRules(
                roles=frozenset({Role.LABOR_RELATIONS, Role.SUPERVISOR}),
                office="office",
                agency_wide_roles=frozenset({Role.LABOR_RELATIONS}),
                compartment="case__compartment",
                people=("employee", "case__parties__employee"),
            ),
        )
        from probity.investigations import integration

        integration.connect()
