"""Critical incidents: reporting, the review (reviewer, facts, links), every move of the state
machine allowed and refused, the board's criteria, the prosecution gate, who may see and do
what, and the screens. A refusal is a clear message and writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from probity.core import access
from probity.core.deadlines import agency_time_zone
from probity.core.models import AuditAction, AuditEvent, Compartment, CompartmentGrant, Role
from probity.core.workflow import IllegalTransition
from probity.intake.models import RoutingOutcome
from probity.investigations.models import CaseParty, PartyRole, ProsecutionDecision, ProsecutorKind
from probity.investigations.services import cases as case_services
from probity.investigations.services import prosecution
from probity.oversight.models import (
    CriticalIncident,
    ForceUsed,
    IncidentEmployee,
    IncidentKind,
    IncidentStatus,
    IncidentSubject,
)
from probity.oversight.services import incidents as services
from probity.oversight.services.incidents import EmployeeInput, ForceInput, SubjectInput
from probity.oversight.workflow_incidents import INCIDENT_FLOW
from tests.conftest import Org
from tests.investigations.conftest import MakeCase, Team
from tests.oversight.conftest import Overseers
from tests.oversight.incidents_setup import (
    Report,
    Scene,
    an_hour_ago,
    make_scene,
    reporter,
    reviewed,
    written,
)

pytestmark = pytest.mark.django_db

S = IncidentStatus


@pytest.fixture
def scene(overseers: Overseers, org: Org) -> Scene:
    return make_scene(overseers, org)


@pytest.fixture
def report(scene: Scene) -> Report:
    return reporter(scene)


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# Reporting


def test_a_reported_firearm_discharge_is_numbered_by_its_year_with_its_people_and_force(
    scene: Scene, report: Report
) -> None:
    incident = report()

    year = incident.occurred_at.year
    assert re.fullmatch(rf"CIR-{year}-\d{{6}}", incident.number)
    assert incident.status == S.REPORTED
    assert incident.meets_board_criteria
    row = IncidentEmployee.objects.get(incident=incident)
    assert (row.employee, row.actions) == (scene.officer, "Fired one round")
    assert IncidentSubject.objects.get(incident=incident).weapon == "Knife"
    assert ForceUsed.objects.get(incident=incident).by_employee == row
    event = AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="oversight.criticalincident", object_id=str(incident.pk)
    ).last()
    assert event is not None and event.changes["number"] == [None, incident.number]
    assert event.changes["narrative"] == [None, "<sensitive>"]  # the narrative stays out of the trail


def test_numbers_follow_each_other_within_a_year(report: Report) -> None:
    first, second = report(), report()
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "gunfight"}, "kind", "Choose the kind"),
        ({"occurred_at": dt.datetime(2026, 1, 1, 12, 0)}, "occurred_at", "time zone"),  # noqa: DTZ001
        ({"occurred_at": timezone.now() + dt.timedelta(days=2)}, "occurred_at", "future"),
        ({"summary": "  "}, "summary", "short summary"),
        ({"office": None}, "office", "office"),
        ({"kind": IncidentKind.PHYSICAL, "training_discharge": True}, "training_discharge", "training"),
        ({"employees": []}, "employees", "used force"),
        ({"subjects": [SubjectInput(age=200, description="x")]}, "subjects", "between 0 and 120"),
        ({"force": [ForceInput(action="")]}, "force", "say what was used"),
        ({"notified_at": an_hour_ago() - dt.timedelta(days=1)}, "notified_at", "before the incident"),
        ({"summary": "x" * 301}, "summary", "300 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_written(
    report: Report, change: dict[str, Any], field: str, message: str
) -> None:
    before = written()
    with pytest.raises(ValidationError) as refused:
        report(**change)
    assert message.lower() in " ".join(refused.value.message_dict[field]).lower()
    assert written() == before


def test_force_by_an_employee_not_involved_is_refused(scene: Scene, report: Report) -> None:
    with pytest.raises(ValidationError) as refused:
        report(force=[ForceInput(action="TASER", by_employee=scene.second_officer)])
    assert "not among the employees involved" in str(refused.value)
    assert not CriticalIncident.objects.exists()


def test_an_officer_described_but_not_in_the_directory_may_be_reported(report: Report) -> None:
    incident = report(
        employees=[EmployeeInput(description="Deputy of the county", actions="Held the door")], force=[]
    )
    assert IncidentEmployee.objects.get(incident=incident).description == "Deputy of the county"


def test_only_program_managers_and_supervisors_report(scene: Scene, report: Report) -> None:
    with pytest.raises(PermissionDenied):
        report(actor=scene.reviewer)
    with pytest.raises(PermissionDenied):
        report(actor=scene.overseers.intake)
    assert not CriticalIncident.objects.exists()


def test_a_supervisor_reports_only_in_their_office_scope(scene: Scene, report: Report) -> None:
    with pytest.raises(ValidationError) as refused:
        report(actor=scene.el_paso_supervisor)
    assert "outside your office scope" in str(refused.value)
    incident = report(actor=scene.overseers.supervisor)  # OPR covers Nogales
    assert incident.created_by == scene.overseers.supervisor


def test_an_employee_involved_cannot_report_the_incident(scene: Scene, report: Report) -> None:
    with pytest.raises(ValidationError) as refused:
        report(actor=scene.involved_manager)
    assert "someone else reports" in str(refused.value)


def test_a_training_discharge_does_not_meet_the_board_criteria(report: Report) -> None:
    assert not report(training_discharge=True).meets_board_criteria
    assert report(kind=IncidentKind.PHYSICAL, serious_injury=True).meets_board_criteria
    assert report(kind=IncidentKind.OTHER, death=True).meets_board_criteria
    assert not report(kind=IncidentKind.PHYSICAL).meets_board_criteria


# The state machine


ALLOWED = {
    (S.REPORTED, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, S.AWAITING_PROSECUTION),
    (S.AWAITING_PROSECUTION, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, S.BOARD_PENDING),
    (S.AWAITING_PROSECUTION, S.BOARD_PENDING),
    (S.BOARD_PENDING, S.DETERMINED),
    (S.UNDER_REVIEW, S.CLOSED),
    (S.DETERMINED, S.CLOSED),
}


@pytest.mark.parametrize("source", S.values)
@pytest.mark.parametrize("target", S.values)
def test_the_workflow_allows_exactly_the_documented_moves_and_only_to_program_managers(
    scene: Scene, source: str, target: str
) -> None:
    if (source, target) in ALLOWED:
        INCIDENT_FLOW.check(scene.pm, source, target)
        with pytest.raises(PermissionDenied):
            INCIDENT_FLOW.check(scene.overseers.supervisor, source, target)
    else:
        with pytest.raises(IllegalTransition):
            INCIDENT_FLOW.check(scene.pm, source, target)


def test_assigning_the_reviewer_starts_the_review(scene: Scene, report: Report) -> None:
    incident = services.assign_reviewer(actor=scene.pm, incident=report(), reviewer=scene.reviewer)
    incident.refresh_from_db()
    assert (incident.status, incident.reviewer) == (S.UNDER_REVIEW, scene.reviewer)
    event = AuditEvent.objects.filter(
        object_type="oversight.criticalincident", object_id=str(incident.pk), action=AuditAction.TRANSITION
    ).last()
    assert event is not None and event.changes["status"] == [S.REPORTED, S.UNDER_REVIEW]


def test_the_reviewer_can_be_replaced_during_the_review_without_a_move(scene: Scene, report: Report) -> None:
    incident = reviewed(scene, report())
    services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=scene.overseers.board_member)
    incident.refresh_from_db()
    assert (incident.status, incident.reviewer) == (S.UNDER_REVIEW, scene.overseers.board_member)


@pytest.mark.parametrize(
    ("who", "problem"),
    [
        ("involved_manager", "was involved"),
        ("intake", "not an active program manager"),
    ],
)
def test_an_unfit_reviewer_is_refused(scene: Scene, report: Report, who: str, problem: str) -> None:
    incident = report()
    reviewer = getattr(scene, who, None) or getattr(scene.overseers, who)
    before = written()
    with pytest.raises(ValidationError) as refused:
        services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=reviewer)
    assert problem in str(refused.value)
    incident.refresh_from_db()
    assert (incident.status, incident.reviewer) == (S.REPORTED, None)
    assert written() == before


def test_a_supervisor_who_sees_the_incident_may_not_assign_the_reviewer(scene: Scene, report: Report) -> None:
    incident = report()
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(actor=scene.overseers.supervisor, incident=incident, reviewer=scene.reviewer)
    with pytest.raises(Http404):
        services.assign_reviewer(actor=scene.el_paso_supervisor, incident=incident, reviewer=scene.reviewer)
    incident.refresh_from_db()
    assert incident.status == S.REPORTED


def test_the_reviewer_documents_the_facts_and_others_may_not(scene: Scene, report: Report) -> None:
    incident = report()
    with pytest.raises(IllegalTransition):  # not under review yet
        services.document_facts(actor=scene.pm, incident=incident, facts="Too early")
    services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=scene.reviewer)
    with pytest.raises(PermissionDenied):
        services.document_facts(actor=scene.overseers.supervisor, incident=incident, facts="Not theirs")
    with pytest.raises(ValidationError):
        services.document_facts(actor=scene.reviewer, incident=incident, facts="   ")
    services.document_facts(actor=scene.reviewer, incident=incident, facts="The video shows the knife.")
    incident.refresh_from_db()
    assert incident.facts == "The video shows the knife."


def test_an_incident_meeting_the_criteria_goes_to_the_board_once_its_facts_are_documented(
    scene: Scene, report: Report
) -> None:
    incident = report()
    services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=scene.reviewer)
    with pytest.raises(IllegalTransition) as refused:
        services.send_to_board(actor=scene.pm, incident=incident)
    assert "documents the facts" in str(refused.value)
    services.document_facts(actor=scene.reviewer, incident=incident, facts="Facts.")
    with pytest.raises(PermissionDenied):
        services.send_to_board(actor=scene.reviewer, incident=incident)
    services.send_to_board(actor=scene.pm, incident=incident)
    incident.refresh_from_db()
    assert incident.status == S.BOARD_PENDING


def test_an_incident_below_the_criteria_never_goes_to_the_board_and_closes_after_review(
    scene: Scene, report: Report
) -> None:
    incident = reviewed(scene, report(kind=IncidentKind.PHYSICAL, force=[ForceInput(action="Takedown")]))
    with pytest.raises(IllegalTransition) as refused:
        services.send_to_board(actor=scene.pm, incident=incident)
    assert "does not meet the board's criteria" in str(refused.value)
    services.close_incident(actor=scene.pm, incident=incident, reason="Within policy.")
    incident.refresh_from_db()
    assert incident.status == S.CLOSED


def test_an_incident_meeting_the_criteria_cannot_close_before_the_board(scene: Scene, report: Report) -> None:
    incident = reviewed(scene, report())
    with pytest.raises(IllegalTransition) as refused:
        services.close_incident(actor=scene.pm, incident=incident)
    assert "goes to the board" in str(refused.value)
    incident.refresh_from_db()
    assert incident.status == S.UNDER_REVIEW


@pytest.mark.parametrize("target", [S.REPORTED, S.DETERMINED, S.UNDER_REVIEW, S.CLOSED])
def test_moves_the_workflow_or_another_step_owns_are_refused_from_reported(
    scene: Scene, report: Report, target: str
) -> None:
    incident = report()
    with pytest.raises(IllegalTransition):
        services.move_incident(actor=scene.pm, incident=incident, target=target)
    incident.refresh_from_db()
    assert incident.status == S.REPORTED


def test_an_unknown_target_is_a_clear_error(scene: Scene, report: Report) -> None:
    with pytest.raises(ValidationError) as refused:
        services.move_incident(actor=scene.pm, incident=report(), target="vanished")
    assert "Choose the status" in str(refused.value)


def test_waiting_for_prosecution_needs_a_linked_case_that_waits(scene: Scene, report: Report) -> None:
    incident = reviewed(scene, report())
    with pytest.raises(IllegalTransition) as refused:
        services.await_prosecution(actor=scene.pm, incident=incident)
    assert "No linked case" in str(refused.value)


# The prosecution gate


def _criminal_case(make_case: MakeCase, scene: Scene, team: Team) -> Any:
    case = make_case(subjects=(scene.officer,), witnesses=(), outcome=RoutingOutcome.INVESTIGATION_CRIMINAL)
    case_services.assign_lead(actor=team.supervisor, case=case, agent=team.agent)
    case_services.move_case(actor=team.agent, case=case, target="investigating")
    return case


def test_the_board_waits_until_the_prosecutor_declines_a_linked_criminal_case(
    scene: Scene, report: Report, make_case: MakeCase, team: Team
) -> None:
    incident = reviewed(scene, report())
    case = _criminal_case(make_case, scene, team)
    # The program manager may not see the case; the OPR supervisor links it.
    with pytest.raises(ValidationError):
        services.link_case(actor=scene.pm, incident=incident, case=case)
    services.link_case(actor=scene.overseers.supervisor, incident=incident, case=case)

    with pytest.raises(IllegalTransition) as refused:
        services.send_to_board(actor=scene.pm, incident=incident)
    assert f"Case {case.number}" in str(refused.value)
    services.await_prosecution(actor=scene.pm, incident=incident, reason="Waiting on the AUSA.")

    subject = CaseParty.objects.get(case=case, role=PartyRole.SUBJECT)
    referral = prosecution.refer_for_prosecution(
        actor=team.agent,
        case=case,
        subject=subject,
        prosecutor_kind=ProsecutorKind.US_ATTORNEY,
        prosecutor_office="U.S. Attorney, District of Arizona",
        presented_on=timezone.localdate(),
    )
    assert "has not yet decided" in " ".join(services.prosecution_holds(incident))
    with pytest.raises(IllegalTransition):
        services.send_to_board(actor=scene.pm, incident=incident)

    prosecution.record_prosecution_decision(
        actor=team.agent,
        referral=referral,
        decision=ProsecutionDecision.DECLINED,
        decided_on=timezone.localdate(),
    )
    assert services.prosecution_holds(incident) == []
    services.send_to_board(actor=scene.pm, incident=incident)
    incident.refresh_from_db()
    assert incident.status == S.BOARD_PENDING


def test_an_accepted_prosecution_holds_the_board_until_it_ends(
    scene: Scene, report: Report, make_case: MakeCase, team: Team
) -> None:
    incident = reviewed(scene, report())
    case = _criminal_case(make_case, scene, team)
    services.link_case(actor=scene.overseers.supervisor, incident=incident, case=case)
    referral = prosecution.refer_for_prosecution(
        actor=team.agent,
        case=case,
        subject=CaseParty.objects.get(case=case, role=PartyRole.SUBJECT),
        prosecutor_kind=ProsecutorKind.US_ATTORNEY,
        prosecutor_office="U.S. Attorney, District of Arizona",
        presented_on=timezone.localdate(),
    )
    prosecution.record_prosecution_decision(
        actor=team.agent,
        referral=referral,
        decision=ProsecutionDecision.ACCEPTED,
        decided_on=timezone.localdate(),
        charges="18 U.S.C. 242",
    )
    assert "has not ended" in " ".join(services.prosecution_holds(incident))
    with pytest.raises(IllegalTransition):
        services.send_to_board(actor=scene.pm, incident=incident)


def test_an_administrative_case_does_not_hold_the_board(
    scene: Scene, report: Report, make_case: MakeCase
) -> None:
    incident = reviewed(scene, report())
    services.link_case(actor=scene.overseers.supervisor, incident=incident, case=make_case())
    assert services.prosecution_holds(incident) == []
    services.send_to_board(actor=scene.pm, incident=incident)


def test_linking_the_same_record_twice_or_to_a_closed_incident_is_refused(
    scene: Scene, report: Report, make_case: MakeCase
) -> None:
    case = make_case()
    incident = reviewed(scene, report(kind=IncidentKind.PHYSICAL, force=[]))
    services.link_case(actor=scene.overseers.supervisor, incident=incident, case=case)
    with pytest.raises(ValidationError) as refused:
        services.link_case(actor=scene.overseers.supervisor, incident=incident, case=case)
    assert "already linked" in str(refused.value)
    services.close_incident(actor=scene.pm, incident=incident)
    with pytest.raises(IllegalTransition):
        services.link_allegation(
            actor=scene.overseers.supervisor, incident=incident, allegation=case.allegations.get()
        )


# Who sees what


def test_who_sees_an_incident_at_nogales(scene: Scene, report: Report) -> None:
    incident = report()
    services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=scene.reviewer)
    rows = CriticalIncident.objects.all()
    assert access.visible(scene.pm, rows).count() == 1  # agency-wide
    assert access.visible(scene.overseers.supervisor, rows).count() == 1  # OPR covers Nogales
    assert access.visible(scene.reviewer, rows).count() == 1  # assigned
    assert not access.visible(scene.el_paso_supervisor, rows).exists()  # another office
    assert not access.visible(scene.overseers.agent, rows).exists()  # an agent not assigned
    assert not access.visible(scene.involved_manager, rows).exists()  # recused: the officer
    assert not access.visible(scene.overseers.outsider, rows).exists()


def test_a_restricted_incident_needs_a_grant_to_its_compartment(scene: Scene, report: Report) -> None:
    compartment = Compartment.objects.create(code="senior", name="Senior officials")
    with pytest.raises(ValidationError):  # the reporter needs a grant too
        report(compartment=compartment)
    CompartmentGrant.objects.create(compartment=compartment, user=scene.pm, granted_at=timezone.now())
    incident = report(compartment=compartment)
    assert access.can_view(scene.pm, incident)
    assert not access.can_view(scene.overseers.board_member, incident)
    with pytest.raises(ValidationError) as refused:
        services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=scene.reviewer)
    assert "no grant" in str(refused.value)


# The screens


def test_the_list_shows_what_the_user_may_see_and_audits_the_search(
    client: Client, scene: Scene, report: Report
) -> None:
    incident = report()
    other = report(
        office=scene.org.el_paso,
        summary="Physical force at the El Paso office",
        kind=IncidentKind.PHYSICAL,
        force=[],
    )
    response = signed_in(client, scene.el_paso_supervisor).get(reverse("incident-list"))
    assert response.status_code == 200
    assert other.number in response.text and incident.number not in response.text
    assert AuditEvent.objects.filter(
        action=AuditAction.SEARCH, object_type="oversight.criticalincident"
    ).exists()


def test_the_list_filters_by_kind_and_criteria_and_explains_bad_values(
    client: Client, scene: Scene, report: Report
) -> None:
    firearm = report()
    physical = report(kind=IncidentKind.PHYSICAL, force=[])
    page = signed_in(client, scene.pm).get(reverse("incident-list"), {"board": "true", "kind": "nonsense"})
    assert firearm.number in page.text and physical.number not in page.text
    assert "Ignored the unknown kind" in page.text


def test_the_list_reads_a_fixed_number_of_queries(
    client: Client, scene: Scene, report: Report, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        report()
    signed_in(client, scene.pm)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("incident-list"))
    for _ in range(10):
        report()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("incident-list"))


def test_the_incident_screens_do_not_exist_for_other_roles(
    client: Client, scene: Scene, report: Report
) -> None:
    incident = report()
    signed_in(client, scene.overseers.intake)
    assert client.get(reverse("incident-list")).status_code == 404
    assert client.get(reverse("incident-report")).status_code == 404
    assert client.get(reverse("incident-detail", args=[incident.pk])).status_code == 404
    client.logout()
    signed_in(client, scene.involved_manager)
    assert client.get(reverse("incident-detail", args=[incident.pk])).status_code == 404


def _report_form(scene: Scene, **extra: str) -> dict[str, str]:
    data = {
        "kind": IncidentKind.FIREARM,
        "occurred_at": (timezone.now() - dt.timedelta(hours=3))
        .astimezone(agency_time_zone())
        .strftime("%Y-%m-%dT%H:%M"),
        "office": str(scene.org.nogales_port.pk),
        "place": "Lane 4",
        "summary": "Officer fired at a vehicle",
        "narrative": "",
        "responders": "",
        "notified_at": "",
        "on_scene_at": "",
        "employees-TOTAL_FORMS": "2",
        "employees-INITIAL_FORMS": "0",
        "employees-0-employee_number": scene.officer.employee_number,
        "employees-0-actions": "Fired two rounds",
        "employees-1-employee_number": "",
        "subjects-TOTAL_FORMS": "1",
        "subjects-INITIAL_FORMS": "0",
        "subjects-0-description": "Driver",
        "subjects-0-armed": "",
        "force-TOTAL_FORMS": "1",
        "force-INITIAL_FORMS": "0",
        "force-0-action": "Firearm",
        "force-0-used_by": scene.officer.employee_number,
    }
    data.update(extra)
    return data


def test_reporting_through_the_form_records_the_incident(client: Client, scene: Scene) -> None:
    response = signed_in(client, scene.pm).post(reverse("incident-report"), _report_form(scene))
    incident = CriticalIncident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "incident-detail", args=[incident.pk]
    )
    assert IncidentEmployee.objects.get(incident=incident).employee == scene.officer
    assert ForceUsed.objects.get(incident=incident).by_employee is not None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"employees-0-employee_number": "E999999"}, "No employee has the number E999999"),
        ({"force-0-used_by": "E300003"}, "not among the employees involved"),
        ({"occurred_at": "yesterday"}, "Enter a valid date/time"),
        ({"employees-TOTAL_FORMS": "5000"}, "Please submit at most"),
    ],
)
def test_a_bad_report_form_shows_the_problem_and_writes_nothing(
    client: Client, scene: Scene, extra: dict[str, str], message: str
) -> None:
    signed_in(client, scene.pm)
    before = written()
    response = client.post(reverse("incident-report"), _report_form(scene, **extra))
    assert response.status_code == 400
    assert message in response.text
    assert written() == before


def test_the_incident_page_offers_the_program_manager_the_review_and_records_the_view(
    client: Client, scene: Scene, report: Report
) -> None:
    incident = report()
    page = signed_in(client, scene.pm).get(reverse("incident-detail", args=[incident.pk]))
    assert page.status_code == 200
    assert "Assign the reviewer" in page.text
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(incident.pk)).exists()


def test_the_page_actions_assign_document_and_send_to_the_board(
    client: Client, scene: Scene, report: Report
) -> None:
    incident = report()
    signed_in(client, scene.pm)
    response = client.post(
        reverse("incident-reviewer", args=[incident.pk]), {"reviewer-reviewer": scene.reviewer.pk}
    )
    assert response.status_code == 302
    client.logout()
    signed_in(client, scene.reviewer)
    response = client.post(
        reverse("incident-facts", args=[incident.pk]), {"facts-facts": "The video shows it."}
    )
    assert response.status_code == 302
    refused = client.post(
        reverse("incident-move", args=[incident.pk]), {"move-board_pending-target": S.BOARD_PENDING}
    )
    assert refused.status_code == 403  # the reviewer is not a program manager
    client.logout()
    signed_in(client, scene.pm)
    moved = client.post(
        reverse("incident-move", args=[incident.pk]), {"move-board_pending-target": S.BOARD_PENDING}
    )
    assert moved.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.reviewer, incident.facts) == (
        S.BOARD_PENDING,
        scene.reviewer,
        "The video shows it.",
    )


def test_a_refused_move_on_the_page_says_why_and_changes_nothing(
    client: Client, scene: Scene, report: Report
) -> None:
    incident = reviewed(scene, report())
    response = signed_in(client, scene.pm).post(
        reverse("incident-move", args=[incident.pk]), {"move-closed-target": S.CLOSED}
    )
    assert response.status_code == 400
    assert "goes to the board" in response.text
    incident.refresh_from_db()
    assert incident.status == S.UNDER_REVIEW


def test_linking_by_number_on_the_page_never_reveals_a_hidden_case(
    client: Client, scene: Scene, report: Report, make_case: MakeCase
) -> None:
    case = make_case()
    incident = reviewed(scene, report())
    response = signed_in(client, scene.pm).post(
        reverse("incident-link", args=[incident.pk]), {"link-record": "case", "link-number": case.number}
    )
    assert response.status_code == 400
    assert f"There is no case {case.number} that you may see" in response.text
    assert not incident.cases.exists()
    client.logout()
    response = signed_in(client, scene.overseers.supervisor).post(
        reverse("incident-link", args=[incident.pk]),
        {"link-record": "case", "link-number": case.number.lower()},
    )
    assert response.status_code == 302
    assert list(incident.cases.all()) == [case]


def test_program_managers_see_the_dashboard_panels_and_navigation(
    client: Client, scene: Scene, report: Report
) -> None:
    reviewed(scene, report())
    page = signed_in(client, scene.pm).get(reverse("dashboard"))
    assert "Critical incidents" in page.text and "Overdue board recommendations" in page.text
    assert reverse("incident-list") in page.text and reverse("board-meeting-list") in page.text
    client.logout()
    page = signed_in(client, scene.reviewer).get(reverse("dashboard"))
    assert "Incidents I review" in page.text
    assert scene.reviewer.has_role(Role.AGENT)
