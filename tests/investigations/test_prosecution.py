"""Prosecution referrals: referring moves the case, a declination returns it to administrative
work, charges mark the subject for Giglio; and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from probity.core.models import AuditEvent
from probity.core.workflow import IllegalTransition
from probity.investigations.models import (
    CaseEvent,
    CaseStatus,
    CaseType,
    Disposition,
    GiglioMark,
    GiglioReason,
    ProsecutionDecision,
    ProsecutionReferral,
    ProsecutorKind,
)
from probity.investigations.services import cases
from probity.investigations.services.prosecution import (
    record_disposition,
    record_prosecution_decision,
    refer_for_prosecution,
)
from tests.conftest import Org, make_employee
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.outcomes_setup import (
    ADMINISTRATIVE,
    JOINT,
    START,
    TODAY,
    staffed_case,
    subject_of,
    witness_of,
    written,
)

pytestmark = pytest.mark.django_db
S = CaseStatus
USAO = "U.S. Attorney, District of Arizona"


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(START) as traveller:
        yield traveller


def refer(case: Any, team: Team, **overrides: Any) -> ProsecutionReferral:
    values: dict[str, Any] = {
        "actor": team.agent,
        "case": case,
        "subject": subject_of(case, team.subject),
        "prosecutor_kind": ProsecutorKind.US_ATTORNEY,
        "prosecutor_office": USAO,
        "presented_on": TODAY,
    }
    values.update(overrides)
    return refer_for_prosecution(**values)


# Referring


def test_referring_a_subject_moves_an_investigating_criminal_case_to_referred_for_prosecution(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)

    referral = refer(case, team, prosecutor_office=f"  {USAO} ")

    assert referral.decision == ProsecutionDecision.PENDING
    assert referral.prosecutor_office == USAO
    assert referral.subject.employee == team.subject
    assert referral.created_by == team.agent
    case.refresh_from_db()
    assert case.status == S.PROSECUTION
    move = CaseEvent.objects.filter(case=case, kind="transition").last()
    assert move is not None
    assert (move.from_value, move.to_value) == (S.INVESTIGATING, S.PROSECUTION)
    assert USAO in move.reason
    created = AuditEvent.objects.get(object_type="investigations.prosecutionreferral", action="create")
    assert created.changes["prosecutor_office"] == [None, USAO]
    assert AuditEvent.objects.filter(
        object_type="investigations.case", object_id=str(case.pk), action="transition"
    ).exists()


def test_a_second_subject_presented_while_the_case_waits_adds_a_referral_without_moving_it(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    other = make_employee("E100003", "Otto", "Other", org.nogales_port)
    case = staffed_case(make_case, team, subjects=(team.subject, other))
    refer(case, team)

    second = refer(case, team, subject=subject_of(case, other), prosecutor_kind=ProsecutorKind.STATE)

    case.refresh_from_db()
    assert case.status == S.PROSECUTION
    assert second.prosecutor_kind == ProsecutorKind.STATE
    assert CaseEvent.objects.filter(
        case=case, kind="note", reason__contains="Referred for prosecution"
    ).exists()


def test_an_administrative_case_is_never_referred_for_prosecution(make_case: MakeCase, team: Team) -> None:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer(case, team)

    assert "case_type" in refused.value.message_dict
    assert written() == before


def test_a_referral_names_a_subject_of_the_case_a_known_prosecutor_and_a_date_not_in_the_future(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer(
            case,
            team,
            subject=witness_of(case),
            prosecutor_kind="federal-ish",
            prosecutor_office="   ",
            presented_on=TODAY + dt.timedelta(days=1),
        )

    problems = refused.value.message_dict
    assert set(problems) == {"subject", "prosecutor_kind", "prosecutor_office", "presented_on"}
    assert problems["presented_on"] == ["The date cannot be in the future."]
    assert written() == before


def test_a_referral_cannot_predate_the_case(make_case: MakeCase, team: Team) -> None:
    case = staffed_case(make_case, team)
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer(case, team, presented_on=TODAY - dt.timedelta(days=3))

    assert "before the case was opened" in refused.value.message_dict["presented_on"][0]
    assert written() == before


def test_a_subject_whose_referral_awaits_a_decision_is_not_presented_again(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    refer(case, team)
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer(case, team, prosecutor_kind=ProsecutorKind.STATE, prosecutor_office="Pima County Attorney")

    assert "awaits a decision" in refused.value.message_dict["subject"][0]
    assert written() == before


def test_a_team_member_who_is_not_the_lead_may_not_refer(make_case: MakeCase, team: Team) -> None:
    case = staffed_case(make_case, team)
    cases.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    before = written()

    with pytest.raises(PermissionDenied, match="lead agent or a supervisor"):
        refer(case, team, actor=team.second_agent)

    assert written() == before


@pytest.mark.parametrize("who", ["el_paso_agent", "recused_agent", "labor_relations", "outsider"])
def test_someone_who_may_not_see_the_case_gets_404_and_nothing_is_written(
    make_case: MakeCase, team: Team, who: str
) -> None:
    case = staffed_case(make_case, team, subjects=(team.subject, team.recused_employee))
    before = written()

    with pytest.raises(Http404):
        refer(case, team, actor=getattr(team, who))

    assert written() == before


# The prosecutor's decision


def test_a_declination_sends_a_case_held_in_abeyance_back_to_administrative_investigation(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    cases.move_case(actor=team.supervisor, case=case, target=S.ABEYANCE, reason="Awaiting the USAO")

    record_prosecution_decision(
        actor=team.agent, referral=referral, decision=ProsecutionDecision.DECLINED, decided_on=TODAY
    )

    case.refresh_from_db()
    referral.refresh_from_db()
    assert referral.decision == ProsecutionDecision.DECLINED
    assert referral.decided_on == TODAY
    assert case.status == S.INVESTIGATING
    assert case.case_type == CaseType.ADMINISTRATIVE
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    move, conversion = events[-2], events[-1]
    assert (move.kind, move.from_value, move.to_value) == ("transition", S.ABEYANCE, S.INVESTIGATING)
    assert (conversion.kind, conversion.from_value, conversion.to_value) == (
        "conversion",
        CaseType.CRIMINAL,
        CaseType.ADMINISTRATIVE,
    )
    assert "declined" in conversion.reason
    audited = AuditEvent.objects.filter(object_type="investigations.case", object_id=str(case.pk))
    assert audited.filter(action="transition", changes__status=[S.ABEYANCE, S.INVESTIGATING]).exists()
    assert audited.filter(changes__case_type=[CaseType.CRIMINAL, CaseType.ADMINISTRATIVE]).exists()


def test_a_declined_joint_case_resumes_investigating_and_stays_joint(make_case: MakeCase, team: Team) -> None:
    case = staffed_case(make_case, team, outcome=JOINT)
    referral = refer(case, team)

    record_prosecution_decision(
        actor=team.supervisor, referral=referral, decision=ProsecutionDecision.DECLINED, decided_on=TODAY
    )

    case.refresh_from_db()
    assert case.status == S.INVESTIGATING
    assert case.case_type == CaseType.JOINT
    assert not CaseEvent.objects.filter(case=case, kind="conversion").exists()


def test_a_declination_leaves_the_case_waiting_while_another_referral_is_open(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    other = make_employee("E100003", "Otto", "Other", org.nogales_port)
    case = staffed_case(make_case, team, subjects=(team.subject, other))
    first = refer(case, team)
    refer(case, team, subject=subject_of(case, other))

    record_prosecution_decision(
        actor=team.agent, referral=first, decision=ProsecutionDecision.DECLINED, decided_on=TODAY
    )

    case.refresh_from_db()
    assert (case.status, case.case_type) == (S.PROSECUTION, CaseType.CRIMINAL)


def test_an_accepted_referral_with_charges_marks_the_subject_for_giglio_once(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)

    record_prosecution_decision(
        actor=team.agent,
        referral=referral,
        decision=ProsecutionDecision.ACCEPTED,
        decided_on=TODAY,
        charges="18 U.S.C. 1001: false statements",
    )
    record_disposition(
        actor=team.agent,
        referral=referral,
        disposition=Disposition.PLEA,
        disposition_on=TODAY,
        sentence="Two years' probation",
        charges="18 U.S.C. 1001 (one count)",
    )

    mark = GiglioMark.objects.get()
    assert (mark.employee, mark.reason, mark.case, mark.prosecution) == (
        team.subject,
        GiglioReason.CRIMINAL_CHARGE,
        case,
        referral,
    )
    referral.refresh_from_db()
    assert referral.disposition == Disposition.PLEA
    assert referral.charges == "18 U.S.C. 1001 (one count)"
    assert referral.sentence == "Two years' probation"
    case.refresh_from_db()
    assert case.status == S.PROSECUTION  # the supervisor decides what follows a plea


def test_charges_first_recorded_with_the_disposition_mark_the_subject_for_giglio(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    record_prosecution_decision(
        actor=team.agent, referral=referral, decision=ProsecutionDecision.ACCEPTED, decided_on=TODAY
    )
    assert not GiglioMark.objects.exists()

    record_disposition(
        actor=team.agent,
        referral=referral,
        disposition=Disposition.ACQUITTAL,
        disposition_on=TODAY,
        charges="18 U.S.C. 1001",
    )

    assert GiglioMark.objects.filter(prosecution=referral, employee=team.subject).count() == 1


def test_a_decision_is_recorded_once(make_case: MakeCase, team: Team) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    record_prosecution_decision(
        actor=team.agent, referral=referral, decision=ProsecutionDecision.ACCEPTED, decided_on=TODAY
    )
    before = written()

    with pytest.raises(IllegalTransition, match="already recorded"):
        record_prosecution_decision(
            actor=team.agent, referral=referral, decision=ProsecutionDecision.DECLINED, decided_on=TODAY
        )

    assert written() == before


def test_a_declination_brings_no_charges_and_a_decision_is_a_known_one(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    before = written()

    with pytest.raises(ValidationError) as declined:
        record_prosecution_decision(
            actor=team.agent,
            referral=referral,
            decision=ProsecutionDecision.DECLINED,
            decided_on=TODAY,
            charges="18 U.S.C. 1001",
        )
    with pytest.raises(ValidationError) as unknown:
        record_prosecution_decision(
            actor=team.agent,
            referral=referral,
            decision="maybe",
            decided_on="2027-03-15",  # type: ignore[arg-type]
        )

    assert "no charges" in declined.value.message_dict["charges"][0]
    assert set(unknown.value.message_dict) == {"decision", "decided_on"}
    assert written() == before


def test_a_disposition_follows_only_an_acceptance_and_a_sentence_only_a_conviction(
    make_case: MakeCase, team: Team
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    before = written()
    with pytest.raises(IllegalTransition):
        record_disposition(
            actor=team.agent, referral=referral, disposition=Disposition.PLEA, disposition_on=TODAY
        )
    assert written() == before

    record_prosecution_decision(
        actor=team.agent, referral=referral, decision=ProsecutionDecision.ACCEPTED, decided_on=TODAY
    )
    before = written()
    with pytest.raises(ValidationError) as refused:
        record_disposition(
            actor=team.agent,
            referral=referral,
            disposition=Disposition.DISMISSAL,
            disposition_on=TODAY,
            sentence="Ten years",
        )

    assert set(refused.value.message_dict) == {"charges", "sentence"}
    assert written() == before


# On the case page


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_the_lead_refers_for_prosecution_from_the_case_page(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team)
    _login(client, team.agent)
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert "Refer for prosecution" in page.text

    response = client.post(
        reverse("case-refer-prosecution", args=[case.pk]),
        {
            "outcome-prosecution-subject": subject_of(case, team.subject).pk,
            "outcome-prosecution-prosecutor_kind": ProsecutorKind.US_ATTORNEY,
            "outcome-prosecution-prosecutor_office": USAO,
            "outcome-prosecution-presented_on": TODAY.isoformat(),
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("case-detail", args=[case.pk]))
    referral = ProsecutionReferral.objects.get()
    shown = client.get(reverse("case-detail", args=[case.pk]))
    assert USAO in shown.text
    assert "Record the prosecutor&#x27;s decision" in shown.text
    assert reverse("prosecution-decision", args=[case.pk, referral.pk]) in shown.text


def test_a_refused_referral_shows_the_case_page_again_with_the_message_and_writes_nothing(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team)
    _login(client, team.agent)
    before = written()

    response = client.post(
        reverse("case-refer-prosecution", args=[case.pk]),
        {
            "outcome-prosecution-subject": subject_of(case, team.subject).pk,
            "outcome-prosecution-prosecutor_kind": ProsecutorKind.US_ATTORNEY,
            "outcome-prosecution-prosecutor_office": USAO,
            "outcome-prosecution-presented_on": (TODAY + dt.timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert "The date cannot be in the future." in response.text
    assert USAO in response.text  # what was typed is kept
    assert written() == before


def test_a_declination_from_the_case_page_returns_the_case_to_administrative_work(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    _login(client, team.agent)
    key = f"outcome-decision-{referral.pk}"

    response = client.post(
        reverse("prosecution-decision", args=[case.pk, referral.pk]),
        {f"{key}-decision": "declined", f"{key}-decided_on": TODAY.isoformat(), f"{key}-charges": ""},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.case_type) == (S.INVESTIGATING, CaseType.ADMINISTRATIVE)


def test_an_agent_who_may_not_see_the_case_gets_404_from_the_outcome_forms(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team)
    referral = refer(case, team)
    _login(client, team.el_paso_agent)
    before = written()

    urls = [
        reverse("case-refer-prosecution", args=[case.pk]),
        reverse("prosecution-decision", args=[case.pk, referral.pk]),
        reverse("prosecution-disposition", args=[case.pk, referral.pk]),
    ]
    for url in urls:
        assert client.post(url, {}).status_code == 404

    assert written() == before


def test_a_referral_of_another_case_is_404_under_this_case(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team)
    other = staffed_case(make_case, team, subjects=(team.subject,))
    referral = refer(other, team)
    _login(client, team.agent)

    response = client.post(reverse("prosecution-decision", args=[case.pk, referral.pk]), {})

    assert response.status_code == 404


def test_the_outcomes_section_costs_no_query_per_referral(
    make_case: MakeCase, team: Team, client: Client, org: Org
) -> None:
    others = [make_employee(f"E10001{n}", "Sub", f"Ject{n}", org.nogales_port) for n in range(3)]
    case = staffed_case(make_case, team, subjects=(team.subject, *others))
    _login(client, team.agent)
    refer(case, team)
    url = reverse("case-detail", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for employee in others:
        referral = refer(case, team, subject=subject_of(case, employee))
        record_prosecution_decision(
            actor=team.agent, referral=referral, decision=ProsecutionDecision.ACCEPTED, decided_on=TODAY
        )

    with CaptureQueriesContext(connection) as four:
        response = client.get(url)

    assert response.text.count('/disposition"') == 3
    assert len(four.captured_queries) == len(one.captured_queries)
