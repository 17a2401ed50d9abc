"""Opening a case from intake's routing: numbering, parties, allegations and the case-age clock."""

from __future__ import annotations

import pytest

from probity.core.models import Deadline
from probity.intake.models import Allegation, Channel, RoutingOutcome
from probity.intake.services.links import link_allegations
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.investigations.models import Case, CaseOrigin, CaseStatus, CaseType, PartyRole
from tests.conftest import Org
from tests.investigations.conftest import MakeCase, Team, route_to_investigation

pytestmark = pytest.mark.django_db


def test_routing_an_allegation_to_an_investigation_opens_a_case_at_the_field_office_above_its_port(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    case = make_case()

    assert case.office == org.tucson
    assert case.number.startswith("OPR-TUC-")
    assert case.status == CaseStatus.OPENED
    assert case.origin == CaseOrigin.ROUTED
    assert case.case_type == CaseType.ADMINISTRATIVE
    roles = {(p.employee_id, p.role) for p in case.parties.all()}
    assert (team.subject.pk, PartyRole.SUBJECT) in roles
    assert (team.witness.pk, PartyRole.WITNESS) in roles
    assert [(a.subject.employee_id, a.category.code) for a in case.case_allegations.all()] == [
        (team.subject.pk, "false-statements")
    ]
    assert Deadline.objects.filter(rule__code="investigation-target", object_id=case.pk).count() == 1


def test_a_criminal_routing_opens_a_criminal_case(make_case: MakeCase) -> None:
    case = make_case(outcome=RoutingOutcome.INVESTIGATION_CRIMINAL)

    assert case.case_type == CaseType.CRIMINAL


def test_linked_allegations_routed_together_share_one_case_and_its_described_parties(
    team: Team, org: Org
) -> None:
    def described_officer(summary: str) -> Allegation:
        return record_allegation(
            actor=team.intake,
            data=AllegationInput(
                channel=Channel.PHONE,
                summary=summary,
                narrative="An officer pushed a traveler at the pedestrian crossing.",
                category_codes=("excessive-force",),
                office_id=org.nogales_port.pk,
                people=(
                    PersonInput(role="subject", badge_number="4471", description="CBP officer"),
                    PersonInput(role="complainant", name="Carla Complainant"),
                ),
            ),
        )

    first = described_officer("Traveler pushed at Nogales")
    second = described_officer("Same push, reported again")
    link_allegations(actor=team.intake, allegation=second, other=first)

    route_to_investigation(first, team.intake)

    case = Case.objects.get(sources__allegation=first)
    assert set(case.sources.values_list("allegation_id", flat=True)) == {first.pk, second.pk}
    assert sorted(case.parties.values_list("role", "description")) == [
        (PartyRole.COMPLAINANT, ""),
        (PartyRole.SUBJECT, "CBP officer"),
    ]
    assert case.case_allegations.count() == 1
