"""Opening a case from intake's routing: numbering, parties, allegations and the case-age clock."""

from __future__ import annotations

import pytest

from probity.core.models import Deadline
from probity.intake.models import RoutingOutcome
from probity.investigations.models import CaseOrigin, CaseStatus, CaseType, PartyRole
from tests.conftest import Org
from tests.investigations.conftest import MakeCase, Team

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
    assert Deadline.objects.filter(rule__code="case-age-target", object_id=case.pk).count() == 1


def test_a_criminal_routing_opens_a_criminal_case(make_case: MakeCase) -> None:
    case = make_case(outcome=RoutingOutcome.INVESTIGATION_CRIMINAL)

    assert case.case_type == CaseType.CRIMINAL
