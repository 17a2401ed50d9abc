"""Case screens: the list and its filters, the case page with all its sections, opening a case
directly, the caseload, the dashboard panels, and the case actions through their views.

Bad input answers 400 with the message on the form and nothing written; a case the user may
not see answers 404 to every screen and action; nothing answers 500.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from probity.core.models import AuditAction, AuditEvent, User
from probity.intake.models import Allegation, AllegationStatus, RoutingOutcome
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseOrigin,
    CaseParty,
    CaseStatus,
    CaseType,
    PartyRole,
)
from probity.investigations.services import cases as services
from tests.conftest import Org
from tests.investigations.conftest import MakeCase, Team

pytestmark = pytest.mark.django_db

LIST = "/investigations/cases/"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(case: Case, action: str = "") -> str:
    return f"/investigations/cases/{case.pk}/{action}"


def text(response: object) -> str:
    """The page's HTML unescaped, its whitespace runs made single spaces."""
    return " ".join(html.unescape(response.content.decode()).split())  # type: ignore[attr-defined]


@pytest.fixture
def case(make_case: MakeCase) -> Case:
    return make_case()


@pytest.fixture
def led_case(case: Case, team: Team) -> Case:
    services.assign_lead(actor=team.supervisor, case=case, agent=team.agent)
    return case


# The list


def test_the_list_shows_open_cases_and_filters_by_status_type_office_and_lead(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    administrative = make_case(summary="Administrative one")
    criminal = make_case(summary="Criminal one", outcome=RoutingOutcome.INVESTIGATION_CRIMINAL)
    services.assign_lead(actor=team.supervisor, case=criminal, agent=team.agent)
    moved = make_case(summary="Moved one")
    services.transfer_case(actor=team.supervisor, case=moved, office=org.el_paso, reason="Closer to the port")
    closed = make_case(summary="Closed one")
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    client = client_for(team.supervisor)

    def shown(query: str = "") -> set[str]:
        response = client.get(LIST + query)
        assert response.status_code == 200
        content = response.content.decode()
        return {c.number for c in (administrative, criminal, moved, closed) if c.number in content}

    assert shown() == {administrative.number, criminal.number, moved.number}
    assert shown("?status=closed") == {closed.number}
    assert shown("?status=closed,opened") == {
        administrative.number,
        criminal.number,
        moved.number,
        closed.number,
    }
    assert shown("?type=criminal") == {criminal.number}
    assert shown(f"?office={org.el_paso.pk}") == {moved.number}
    assert shown(f"?office={org.tucson.pk}") == {administrative.number, criminal.number}
    assert shown(f"?lead={team.agent.pk}") == {criminal.number}
    assert shown("?lead=none") == {administrative.number, moved.number}
    assert shown("?q=criminal") == {criminal.number}


def test_the_list_filters_by_age_against_the_case_age_target(make_case: MakeCase, team: Team) -> None:
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=160), tick=False):
        old = make_case(summary="Old one")
    with time_machine.travel(start - dt.timedelta(days=200), tick=False):
        older = make_case(summary="Older one")
    young = make_case(summary="Young one")
    client = client_for(team.supervisor)

    def shown(query: str) -> set[str]:
        content = client.get(LIST + query).content.decode()
        return {c.number for c in (old, older, young) if c.number in content}

    assert shown("?age=approaching") == {old.number}
    assert shown("?age=over_target") == {older.number}
    assert shown("?age=under_90") == {young.number}
    assert shown("?age=over_180") == {older.number}
    assert shown("?age=90_to_180") == {old.number}
    content = client.get(LIST + "?sort=target").content.decode()
    assert content.index(older.number) < content.index(old.number) < content.index(young.number)


def test_an_agent_lists_only_the_cases_they_lead_or_are_on_the_team_of(
    make_case: MakeCase, team: Team
) -> None:
    led, on_team, other = make_case(), make_case(summary="Team"), make_case(summary="Other")
    services.assign_lead(actor=team.supervisor, case=led, agent=team.agent)
    services.assign_lead(actor=team.supervisor, case=on_team, agent=team.second_agent)
    services.add_team_member(actor=team.supervisor, case=on_team, agent=team.agent)
    client = client_for(team.agent)

    content = client.get(LIST).content.decode()
    mine_led = client.get(LIST + "?lead=me").content.decode()

    assert led.number in content and on_team.number in content
    assert other.number not in content
    assert led.number in mine_led and on_team.number not in mine_led


def test_bad_filter_values_are_ignored_with_a_message(case: Case, team: Team) -> None:
    response = client_for(team.supervisor).get(
        LIST + "?status=nonsense&office=abc&lead=<b>&age=forever&sort=x&type=y&mine=maybe&page=zz"
    )

    assert response.status_code == 200
    content = text(response)
    assert "Ignored the unknown status 'nonsense'." in content
    assert "Ignored an office that is not a number." in content
    assert case.number in content
    assert "<b>" not in response.content.decode()


def test_the_list_is_audited_as_a_search(case: Case, team: Team) -> None:
    client_for(team.supervisor).get(LIST + "?type=administrative")

    event = AuditEvent.objects.filter(action=AuditAction.SEARCH, object_type="investigations.case").get()
    assert event.detail["filters"]["case_type"] == "administrative"
    assert event.detail["results"] == 1


def test_the_list_answers_htmx_with_the_table_only(case: Case, team: Team) -> None:
    response = client_for(team.supervisor).get(LIST, headers={"HX-Request": "true"})

    assert response.status_code == 200
    content = response.content.decode()
    assert case.number in content
    assert "<html" not in content


@pytest.mark.parametrize("who", ["intake", "outsider"])
def test_roles_without_cases_do_not_have_the_case_screens(case: Case, team: Team, who: str) -> None:
    client = client_for(getattr(team, who))

    assert client.get(LIST).status_code == 404
    assert client.get(page_url(case)).status_code == 404
    assert client.get("/investigations/caseload/").status_code == 404
    assert client.get("/investigations/cases/new").status_code == 404


# The case page


def test_the_case_page_shows_the_header_and_every_section(led_case: Case, team: Team) -> None:
    services.update_case(actor=team.agent, case=led_case, title=led_case.title, synopsis="What happened.")
    response = client_for(team.agent).get(page_url(led_case))

    assert response.status_code == 200
    content = text(response)
    assert f'<h1 class="margin-bottom-1" id="case-heading">{led_case.number}</h1>' in content
    assert "Administrative" in content and "Opened" in content and "OPR Tucson" in content
    assert "Agent Persona" in content
    assert "Case age: 0 days of a 180-day target" in content and "On track" in content
    for heading in ("Summary", "Parties", "Allegations", "Team", "History", "Open deadlines", "Next steps"):
        assert f">{heading}</h2>" in content, heading
    for section in ("work", "evidence", "findings", "reports", "outcomes"):
        assert f'id="section-{section}"' in content
    assert "What happened." in content
    assert "Subject, Sam" in content and "Witness, Wanda" in content and "Carla Complainant" in content
    assert "carla@example.org" in content
    assert "False statements" in content


def test_viewing_a_case_is_audited(case: Case, team: Team) -> None:
    client_for(team.supervisor).get(page_url(case))

    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="investigations.case")
    assert event.object_id == str(case.pk)
    assert event.actor_id == team.supervisor.pk


def test_the_case_page_warns_when_the_case_approaches_or_passes_its_target(case: Case, team: Team) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(days=170), tick=False):
        approaching = text(client_for(team.supervisor).get(page_url(case)))
    with time_machine.travel(timezone.now() + dt.timedelta(days=200), tick=False):
        over = text(client_for(team.supervisor).get(page_url(case)))

    assert "Case age: 170 days" in approaching and "Approaching the target" in approaching
    assert "Case age: 200 days" in over and "Past the target" in over


@pytest.mark.parametrize("who", ["el_paso_agent", "second_agent", "recused_agent"])
def test_a_case_the_user_may_not_see_is_a_404_on_the_page_and_every_action(
    make_case: MakeCase, team: Team, who: str
) -> None:
    # The recused agent is named as a witness: they must not even learn the case exists.
    case = make_case(witnesses=(team.witness, team.recused_employee))
    services.assign_lead(actor=team.supervisor, case=case, agent=team.agent)
    client = client_for(getattr(team, who))
    party = case.parties.first()
    member = case.members.first()
    assert party is not None and member is not None
    before = AuditEvent.objects.count()

    assert client.get(page_url(case)).status_code == 404
    for action, data in [
        ("edit", {"edit-title": "Hacked", "edit-synopsis": ""}),
        ("move", {"move-investigating-target": "investigating"}),
        ("lead", {"assign_lead-agent": str(team.agent.pk)}),
        ("team", {"add_member-agent": str(team.second_agent.pk)}),
        ("convert", {"convert-case_type": "criminal", "convert-reason": "x"}),
        ("transfer", {"transfer-office": "1", "transfer-reason": "x"}),
        ("reopen", {"reopen-reason": "x"}),
        ("parties", {"add_party-role": "witness", "add_party-name": "X"}),
        (f"parties/{party.pk}/role", {f"party-{party.pk}-role": "subject", f"party-{party.pk}-reason": "x"}),
        ("allegations", {"add_allegation-subject": str(party.pk)}),
        (f"team/{member.pk}/release", {}),
    ]:
        assert client.post(page_url(case, action), data).status_code == 404, action

    case.refresh_from_db()
    assert case.title != "Hacked" and case.status == CaseStatus.OPENED
    assert AuditEvent.objects.count() == before  # nothing read, nothing written


def test_a_case_that_does_not_exist_is_a_404(team: Team) -> None:
    client = client_for(team.supervisor)

    assert client.get("/investigations/cases/999999/").status_code == 404
    assert client.post("/investigations/cases/999999/edit", {"edit-title": "x"}).status_code == 404


def test_script_in_a_title_and_synopsis_is_shown_as_text(led_case: Case, team: Team) -> None:
    script = "<script>alert('x')</script>"
    client = client_for(team.agent)

    response = client.post(page_url(led_case, "edit"), {"edit-title": script, "edit-synopsis": script})
    assert response.status_code == 302
    detail = client.get(page_url(led_case)).content.decode()
    listed = client.get(LIST).content.decode()

    assert script not in detail and script not in listed
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in detail
    assert "&lt;script&gt;" in listed


# Actions through the views


def test_a_supervisor_assigns_the_lead_and_a_team_member_and_releases_them(case: Case, team: Team) -> None:
    client = client_for(team.supervisor)

    response = client.post(page_url(case, "lead"), {"assign_lead-agent": team.agent.pk})
    assert response.status_code == 302 and response["Location"] == page_url(case)
    response = client.post(page_url(case, "team"), {"add_member-agent": team.second_agent.pk}, follow=True)
    assert "Team member added to" in text(response)

    case.refresh_from_db()
    assert case.lead_agent == team.agent
    member = CaseMember.objects.get(case=case, user=team.second_agent, ended_at__isnull=True)
    response = client.post(page_url(case, f"team/{member.pk}/release"), follow=True)
    assert "Agent2 Persona released from" in text(response)
    member.refresh_from_db()
    assert member.ended_at is not None


def test_assigning_an_agent_of_another_office_is_refused_on_the_form(case: Case, team: Team) -> None:
    response = client_for(team.supervisor).post(
        page_url(case, "lead"), {"assign_lead-agent": team.el_paso_agent.pk}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    case.refresh_from_db()
    assert case.lead_agent is None


def test_an_agent_may_not_assign_and_is_told_so_plainly(led_case: Case, team: Team) -> None:
    response = client_for(team.agent).post(
        page_url(led_case, "team"), {"add_member-agent": team.second_agent.pk}
    )

    assert response.status_code == 403
    assert "Only a supervisor may do this on a case." in text(response)
    assert not CaseMember.objects.filter(case=led_case, user=team.second_agent).exists()


def test_the_lead_agent_moves_the_case_and_a_move_needing_a_reason_without_one_is_refused(
    led_case: Case, team: Team
) -> None:
    agent = client_for(team.agent)
    page = text(agent.get(page_url(led_case)))
    assert "Start investigating" in page

    response = agent.post(page_url(led_case, "move"), {"move-investigating-target": "investigating"})
    assert response.status_code == 302
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.INVESTIGATING

    supervisor = client_for(team.supervisor)
    response = supervisor.post(
        page_url(led_case, "move"), {"move-abeyance-target": "abeyance", "move-abeyance-reason": "  "}
    )
    assert response.status_code == 400
    assert "Give the reason for this move." in text(response)
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.INVESTIGATING

    response = supervisor.post(
        page_url(led_case, "move"),
        {"move-abeyance-target": "abeyance", "move-abeyance-reason": "State charges pending"},
        follow=True,
    )
    assert "moved to held in abeyance" in text(response)
    assert CaseEvent.objects.filter(
        case=led_case, to_value="abeyance", reason="State charges pending"
    ).exists()


def test_an_illegal_or_unknown_move_is_a_clear_400(led_case: Case, team: Team) -> None:
    client = client_for(team.supervisor)

    closed = client.post(page_url(led_case, "move"), {"move-closed-target": "closed"})
    unknown = client.post(page_url(led_case, "move"), {"move-target": "nowhere"})

    assert closed.status_code == 400 and "cannot go from opened to closed" in text(closed)
    assert unknown.status_code == 400
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.OPENED


def test_the_review_and_prosecution_moves_are_not_offered_as_plain_moves(led_case: Case, team: Team) -> None:
    Case.objects.filter(pk=led_case.pk).update(status=CaseStatus.REPORT_DRAFTING)

    content = text(client_for(team.agent).get(page_url(led_case)))

    assert "Back to investigating" in content
    assert 'name="move-sufficiency_review-target"' not in content


def test_a_supervisor_converts_transfers_and_reopens_with_reasons(
    led_case: Case, team: Team, org: Org
) -> None:
    client = client_for(team.supervisor)

    missing = client.post(
        page_url(led_case, "convert"), {"convert-case_type": "criminal", "convert-reason": ""}
    )
    assert missing.status_code == 400 and "Say why the case changes type." in text(missing)
    response = client.post(
        page_url(led_case, "convert"), {"convert-case_type": "criminal", "convert-reason": "Bribe found"}
    )
    assert response.status_code == 302
    response = client.post(
        page_url(led_case, "transfer"), {"transfer-office": org.el_paso.pk, "transfer-reason": "Conflict"}
    )
    assert response.status_code == 302
    led_case.refresh_from_db()
    assert led_case.case_type == CaseType.CRIMINAL and led_case.office == org.el_paso

    Case.objects.filter(pk=led_case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    assert "Reopen the case" in text(client.get(page_url(led_case)))
    response = client.post(page_url(led_case, "reopen"), {"reopen-reason": "New evidence"})
    assert response.status_code == 302
    led_case.refresh_from_db()
    assert led_case.status == CaseStatus.REOPENED


def test_the_team_adds_parties_changes_roles_and_adds_allegations(led_case: Case, team: Team) -> None:
    client = client_for(team.agent)

    response = client.post(
        page_url(led_case, "parties"),
        {"add_party-role": "witness", "add_party-name": "Tom Trucker", "add_party-contact": "555-0100"},
    )
    assert response.status_code == 302
    party = CaseParty.objects.get(case=led_case, name="Tom Trucker")
    assert party.contact == "555-0100"

    response = client.post(
        page_url(led_case, f"parties/{party.pk}/role"),
        {f"party-{party.pk}-role": "subject", f"party-{party.pk}-reason": "He drove the car"},
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.role == PartyRole.SUBJECT

    response = client.post(
        page_url(led_case, "allegations"),
        {
            "add_allegation-subject": party.pk,
            "add_allegation-category": "smuggling",
            "add_allegation-description": "",
        },
        follow=True,
    )
    assert "Allegation added to" in text(response)
    assert CaseAllegation.objects.filter(case=led_case, subject=party, category__code="smuggling").exists()
    assert "Tom Trucker" in text(response) and "witness → subject (He drove the car)" in text(response)


def test_a_party_with_an_unknown_employee_number_is_refused_and_nothing_is_written(
    led_case: Case, team: Team
) -> None:
    before = CaseParty.objects.filter(case=led_case).count()

    response = client_for(team.agent).post(
        page_url(led_case, "parties"), {"add_party-role": "witness", "add_party-employee_number": "E404404"}
    )
    empty = client_for(team.agent).post(page_url(led_case, "parties"), {"add_party-role": "witness"})

    assert response.status_code == 400 and "No employee has the number E404404." in text(response)
    assert empty.status_code == 400 and "Give an employee number, a name or a description" in text(empty)
    assert CaseParty.objects.filter(case=led_case).count() == before


def test_a_party_of_another_case_is_a_404(make_case: MakeCase, led_case: Case, team: Team) -> None:
    other = make_case(summary="Other")
    stranger = other.parties.first()
    assert stranger is not None

    response = client_for(team.supervisor).post(
        page_url(led_case, f"parties/{stranger.pk}/role"),
        {f"party-{stranger.pk}-role": "subject", f"party-{stranger.pk}-reason": "x"},
    )

    assert response.status_code == 404
    assert CaseParty.objects.get(pk=stranger.pk).role == stranger.role


def test_an_agent_off_the_team_who_sees_nothing_cannot_edit(led_case: Case, team: Team) -> None:
    response = client_for(team.second_agent).post(
        page_url(led_case, "edit"), {"edit-title": "Mine now", "edit-synopsis": ""}
    )

    assert response.status_code == 404
    led_case.refresh_from_db()
    assert led_case.title != "Mine now"


def test_an_empty_title_is_refused_on_the_form(led_case: Case, team: Team) -> None:
    response = client_for(team.agent).post(
        page_url(led_case, "edit"), {"edit-title": " ", "edit-synopsis": "x"}
    )

    assert response.status_code == 400
    assert "A case needs a title." in text(response)
    led_case.refresh_from_db()
    assert led_case.synopsis == ""


# Opening a case directly


def test_a_supervisor_opens_a_case_directly_and_intake_sees_the_reason(team: Team, org: Org) -> None:
    client = client_for(team.supervisor)
    assert client.get("/investigations/cases/new").status_code == 200

    response = client.post(
        "/investigations/cases/new",
        {
            "office": org.tucson.pk,
            "case_type": "criminal",
            "title": "Port officer took cash",
            "reason": "Reported by the port director in person",
            "subjects": f"{team.subject.employee_number}",
            "categories": ["corruption-bribery"],
        },
    )

    case = Case.objects.get(title="Port officer took cash")
    assert response.status_code == 302 and response["Location"] == page_url(case)
    assert case.origin == CaseOrigin.DIRECT and case.case_type == CaseType.CRIMINAL
    allegation = Allegation.objects.get(cases=case)
    assert allegation.status == AllegationStatus.ROUTED
    assert "Reported by the port director" in allegation.narrative


def test_opening_a_case_with_bad_input_shows_every_problem_and_writes_nothing(team: Team, org: Org) -> None:
    before = Case.objects.count(), Allegation.objects.count()

    response = client_for(team.supervisor).post(
        "/investigations/cases/new",
        {
            "office": org.tucson.pk,
            "case_type": "sideways",
            "title": "",
            "reason": "",
            "subjects": "E000000 ???",
        },
    )

    assert response.status_code == 400
    content = text(response)
    assert "Give the case a title." in content
    assert "No employee has the number E000000." in content
    assert "'???' is not an employee number." in content
    assert "Choose at least one allegation category." in content
    assert (Case.objects.count(), Allegation.objects.count()) == before


def test_an_agent_cannot_open_a_case_directly(team: Team, org: Org) -> None:
    response = client_for(team.agent).post("/investigations/cases/new", {"office": org.tucson.pk})

    assert response.status_code == 404
    assert not Case.objects.exists()


# Caseload and dashboard


def test_the_caseload_counts_open_cases_per_office_and_agent(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    first, second = make_case(), make_case(summary="Second")
    make_case(summary="Unassigned")
    services.assign_lead(actor=team.supervisor, case=first, agent=team.agent)
    services.assign_lead(actor=team.supervisor, case=second, agent=team.agent)
    services.add_team_member(actor=team.supervisor, case=second, agent=team.second_agent)

    response = client_for(team.supervisor).get("/investigations/caseload/")

    assert response.status_code == 200
    load = response.context["load"]
    tucson = next(row for row in load.by_office if row.who == org.tucson)
    assert (tucson.open_cases, tucson.unassigned, tucson.open_deadlines) == (3, 1, 3)
    agents = {row.who.username: row for row in load.by_agent}
    assert (agents["agent"].open_cases, agents["agent"].team_cases) == (2, 0)
    assert (agents["agent2"].open_cases, agents["agent2"].team_cases) == (0, 1)
    assert agents["agent_elp"].open_cases == 0  # listed, with room for work
    assert client_for(team.agent).get("/investigations/caseload/").status_code == 404


def test_the_caseload_counts_cases_near_and_past_the_target(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=170), tick=False):
        make_case()
    with time_machine.travel(start - dt.timedelta(days=190), tick=False):
        make_case(summary="Late")

    load = client_for(team.supervisor).get("/investigations/caseload/").context["load"]

    tucson = next(row for row in load.by_office if row.who == org.tucson)
    assert (tucson.approaching, tucson.over_target, tucson.oldest_days) == (1, 1, 190)


def test_the_dashboard_shows_agents_their_cases_and_supervisors_the_targets(
    make_case: MakeCase, team: Team
) -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(days=170), tick=False):
        near = make_case()
    services.assign_lead(actor=team.supervisor, case=near, agent=team.agent)

    agent = text(client_for(team.agent).get("/"))
    supervisor = text(client_for(team.supervisor).get("/"))

    assert "My cases" in agent and near.number in agent and "Approaching target" in agent
    assert "Deadlines on my cases" in agent and f"Close case {near.number}" in agent
    assert "Cases approaching the age target" in supervisor and near.number in supervisor
    assert "Caseload by office" in supervisor
    nav = client_for(team.supervisor).get(LIST).context["nav_items"]
    assert {"Cases", "Caseload"} <= {item["label"] for item in nav}
    assert "Caseload" not in {item["label"] for item in client_for(team.agent).get(LIST).context["nav_items"]}


def test_releasing_someone_already_released_is_refused_with_the_message(led_case: Case, team: Team) -> None:
    services.add_team_member(actor=team.supervisor, case=led_case, agent=team.second_agent)
    member = CaseMember.objects.get(case=led_case, user=team.second_agent, ended_at__isnull=True)
    services.release_member(actor=team.supervisor, case=led_case, member=member)
    client = client_for(team.supervisor)
    before = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()

    response = client.post(page_url(led_case, f"team/{member.pk}/release"))

    assert response.status_code == 400
    assert "agent2 was already released." in text(response)
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == before


def test_ids_out_of_any_range_are_a_404_never_a_server_error(led_case: Case, team: Team) -> None:
    client = client_for(team.supervisor)
    huge = "9" * 30

    assert client.get(f"/investigations/cases/{huge}/").status_code == 404
    assert client.post(f"/investigations/cases/{huge}/edit", {"edit-title": "x"}).status_code == 404
    assert client.post(page_url(led_case, f"team/{huge}/release")).status_code == 404
    assert client.post(page_url(led_case, f"parties/{huge}/role"), {}).status_code == 404
    assert client.get(LIST + "?office=" + "9" * 18 + "&lead=" + "9" * 18).status_code == 200
    assert client.post(page_url(led_case, "lead"), {"assign_lead-agent": huge}).status_code == 400
