"""App configuration for oversight: access rules, roles, hooks, panels and demo."""

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "probity.oversight"
    label = "oversight"
    verbose_name = "Oversight"

    def ready(self) -> None:
        from probity.core import access
        from probity.core.models import Role
        from probity.oversight.models import CriticalIncident, DeathInCustody, GiglioRequest, PreaTrack

        # The use-of-force and critical-incident program managers work agency-wide; supervisors
        # see their office subtree; a reviewer sees the incidents assigned to them. Employees
        # involved in an incident never see it (recusal).
        access.register(
            CriticalIncident,
            access.RecordRules(
                roles=frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR}),
                office="office",
                agency_wide_roles=frozenset({Role.PROGRAM_MANAGER}),
                assigned="reviewer",
                compartment="compartment",
                people=("employees__employee",),
            ),
        )
        access.register(
            DeathInCustody,
            access.RecordRules(
                roles=frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR}),
                office="office",
                agency_wide_roles=frozenset({Role.PROGRAM_MANAGER}),
                assigned="review__reviewer",
            ),
        )
        # A PREA track is the allegation's: its office, compartment and people.
        access.register(
            PreaTrack,
            access.RecordRules(
                roles=frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR}),
                office="allegation__office",
                agency_wide_roles=frozenset({Role.PROGRAM_MANAGER}),
                compartment="allegation__compartment",
                people=("allegation__people__employee",),
            ),
        )
        # Giglio officials see the requests (their role, agency-wide); never one about themselves.
        access.register(
            GiglioRequest,
            access.RecordRules(
                roles=frozenset({Role.GIGLIO}),
                agency_wide_roles=frozenset({Role.GIGLIO}),
                assigned="giglio_official",
                people=("employee",),
            ),
        )
        from probity.oversight import integration

        integration.connect()
