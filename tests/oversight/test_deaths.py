"""Deaths in custody: recording starts every clock at once; each step meets its clock (on time,
late, or left overdue); the review and its report PDF; who may see and do what; bad input is a
clear message that writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from probity.core.models import AuditEvent, Deadline, DeadlineRule, OrgUnit, User
from probity.core.workflow import IllegalTransition
from probity.oversight.models import (
    CriticalIncident,
    DeathInCustody,
    DeathReview,
    DeathReviewStatus,
    IncidentKind,
)
from probity.oversight.services import deaths as services
from tests.conftest import Org
from tests.oversight.conftest import Overseers
from tests.oversight.deaths_setup import (
    CIRCUMSTANCES,
    WEDNESDAY,
    death_values,
    far_supervisor,
    media,
    record,
    written,
)

pytestmark = pytest.mark.django_db

__all__ = ["far_supervisor", "media"]  # fixtures used by name

NOTICE_DUE = WEDNESDAY + dt.timedelta(hours=12)
# Two federal business days from Wednesday 5 March 2025: the end of Friday 7 March in New York.
RELEASE_DUE = dt.datetime(2025, 3, 8, 4, 59, 59, 999999, tzinfo=dt.UTC)


def states(death: DeathInCustody) -> dict[str, str]:
    return {clock.key: clock.state for clock in services.clocks_of(death)}


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# Recording


def test_recording_a_death_numbers_it_and_opens_a_death_in_custody_incident(
    overseers: Overseers, org: Org
) -> None:
    death = record(overseers.program_manager, org)
    assert death.number == "DIC-2025-000001"
    incident = death.incident
    assert incident is not None
    assert incident.kind == IncidentKind.DEATH
    assert incident.death is True
    assert incident.meets_board_criteria
    assert incident.office_id == org.nogales_port.pk
    assert "Rogelio Arce Villanueva" in incident.summary
    assert incident.subjects.get().age == 47
    assert AuditEvent.objects.filter(object_type="oversight.deathincustody", action="create").count() == 1


def test_recording_a_death_starts_all_four_clocks_at_once_from_when_opr_learned_of_it(
    overseers: Overseers, org: Org
) -> None:
    death = record(overseers.program_manager, org)
    clocks = {clock.key: clock.deadline for clock in services.clocks_of(death)}
    assert all(deadline is not None and deadline.started_at == WEDNESDAY for deadline in clocks.values())
    assert clocks["notification"].due_at == NOTICE_DUE  # type: ignore[union-attr]
    assert clocks["public-release"].due_at == RELEASE_DUE  # type: ignore[union-attr]
    assert clocks["report-30"].due_at == WEDNESDAY + dt.timedelta(days=30)  # type: ignore[union-attr]
    assert clocks["report-90"].due_at == WEDNESDAY + dt.timedelta(days=90)  # type: ignore[union-attr]
    assert all(deadline.office_id == org.nogales_port.pk for deadline in clocks.values())  # type: ignore[union-attr]
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=1), tick=False):
        assert set(states(death).values()) == {"open"}


def test_without_a_reported_time_the_clocks_start_now(overseers: Overseers, org: Org) -> None:
    moment = WEDNESDAY + dt.timedelta(hours=3)
    with time_machine.travel(moment, tick=False):
        death = services.record_death(actor=overseers.program_manager, **death_values(org, reported_at=None))
    assert death.reported_at == moment
    assert {clock.deadline.started_at for clock in services.clocks_of(death) if clock.deadline} == {moment}


def test_a_rule_switched_off_starts_no_clock_and_its_step_is_refused(overseers: Overseers, org: Org) -> None:
    DeadlineRule.objects.filter(code=services.REPORT_30_RULE).update(active=False)
    death = record(overseers.program_manager, org)
    assert states(death)["report-30"] == "none"
    with pytest.raises(ValidationError, match="no 30-day report clock"):
        services.record_report(actor=overseers.program_manager, death=death, which=30)


def test_a_changed_rule_duration_is_what_the_clock_uses(overseers: Overseers, org: Org) -> None:
    DeadlineRule.objects.filter(code=services.NOTICE_RULE).update(amount=24)
    death = record(overseers.program_manager, org)
    notice = services.clocks_of(death)[0].deadline
    assert notice is not None and notice.due_at == WEDNESDAY + dt.timedelta(hours=24)


# Each clock: met, met late, overdue


@pytest.mark.parametrize(
    ("step", "meet"),
    [
        ("notification", lambda pm, d, at: services.confirm_notification(actor=pm, death=d, at=at)),
        ("public-release", lambda pm, d, at: services.record_public_release(actor=pm, death=d, at=at)),
        ("report-30", lambda pm, d, at: services.record_report(actor=pm, death=d, which=30, at=at)),
        ("report-90", lambda pm, d, at: services.record_report(actor=pm, death=d, which=90, at=at)),
    ],
)
def test_each_step_meets_its_own_clock_and_only_that_one(
    overseers: Overseers, org: Org, step: str, meet: Any
) -> None:
    death = record(overseers.program_manager, org)
    at = WEDNESDAY + dt.timedelta(hours=2)
    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        deadline = meet(overseers.program_manager, death, at)
        assert deadline.met_at == at
        result = states(death)
    assert result[step] == "met"
    assert [key for key, state in result.items() if state == "met"] == [step]
    event = AuditEvent.objects.filter(object_type="oversight.deathincustody", action="transition").get()
    assert event.detail["step"] == step
    assert event.detail["late"] is False


def test_a_notification_after_twelve_hours_is_recorded_as_met_late(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    late = NOTICE_DUE + dt.timedelta(hours=3)
    with time_machine.travel(late, tick=False):
        services.confirm_notification(actor=overseers.program_manager, death=death)
        assert states(death)["notification"] == "met_late"
    assert AuditEvent.objects.filter(object_type="core.deadline", action="transition").get().detail["late"]


def test_clocks_left_open_become_overdue_one_by_one(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    with time_machine.travel(NOTICE_DUE + dt.timedelta(minutes=1), tick=False):
        assert states(death) == {
            "notification": "overdue",
            "public-release": "open",
            "report-30": "open",
            "report-90": "open",
        }
    with time_machine.travel(WEDNESDAY + dt.timedelta(days=31), tick=False):
        assert [s for s in states(death).values()] == ["overdue", "overdue", "overdue", "open"]
    with time_machine.travel(WEDNESDAY + dt.timedelta(days=91), tick=False):
        assert set(states(death).values()) == {"overdue"}


def test_a_step_already_done_is_refused_and_changes_nothing(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=2), tick=False):
        services.confirm_notification(actor=overseers.program_manager, death=death)
        before = written()
        with pytest.raises(ValidationError, match="Notification confirmed already"):
            services.confirm_notification(actor=overseers.program_manager, death=death)
    assert written() == before


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (WEDNESDAY + dt.timedelta(days=2), "future"),
        (WEDNESDAY - dt.timedelta(hours=1), "before OPR learned"),
        (dt.datetime(2025, 3, 5, 15, 0), "time zone"),  # noqa: DTZ001  (naive on purpose)
    ],
)
def test_a_step_time_in_the_future_before_the_clock_or_naive_is_refused(
    overseers: Overseers, org: Org, at: dt.datetime, message: str
) -> None:
    death = record(overseers.program_manager, org)
    before = written()
    with (
        time_machine.travel(WEDNESDAY + dt.timedelta(hours=5), tick=False),
        pytest.raises(ValidationError, match=message),
    ):
        services.record_public_release(actor=overseers.program_manager, death=death, at=at)
    assert written() == before


def test_a_report_other_than_30_or_90_days_is_refused(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    before = written()
    with pytest.raises(ValidationError, match="30 or 90"):
        services.record_report(actor=overseers.program_manager, death=death, which=45)
    assert written() == before


def test_imported_like_records_without_clocks_refuse_steps_plainly(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    Deadline.objects.all().delete()
    with pytest.raises(ValidationError, match="has no notification clock"):
        services.confirm_notification(actor=overseers.program_manager, death=death)


# Who may do what


def test_only_a_program_manager_records_a_death(overseers: Overseers, org: Org) -> None:
    before = written()
    for user in (overseers.supervisor, overseers.agent, overseers.outsider):
        with pytest.raises(PermissionDenied):
            record(user, org)
    assert written() == before


def test_a_supervisor_who_sees_the_death_may_not_meet_its_clocks(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    before = written()
    with pytest.raises(PermissionDenied, match="program manager"):
        services.confirm_notification(actor=overseers.supervisor, death=death)
    assert written() == before


def test_users_who_may_not_see_a_death_get_404_for_every_step(
    overseers: Overseers, org: Org, far_supervisor: User
) -> None:
    death = record(overseers.program_manager, org)
    before = written()
    for user in (overseers.agent, overseers.outsider, far_supervisor, overseers.giglio):
        with pytest.raises(Http404):
            services.confirm_notification(actor=user, death=death)
        with pytest.raises(Http404):
            services.update_review(
                actor=user, death=death, standards="", facts="x", compliance="", findings=""
            )
    assert written() == before


# Bad input


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"age": 300}, "age"),
        ({"age": "forty"}, "age"),
        ({"agency": "DEA"}, "agency"),
        ({"date_of_death": dt.date(2025, 3, 9)}, "date_of_death"),
        ({"date_of_death": "2025-03-05"}, "date_of_death"),
        ({"date_of_death": dt.date(1985, 1, 1)}, "date_of_death"),
        ({"time_of_death": dt.time(23, 0)}, "time_of_death"),
        ({"circumstances": ""}, "circumstances"),
        ({"office": None}, "office"),
        ({"name": "x" * 201}, "name"),
        ({"reported_at": WEDNESDAY - dt.timedelta(days=1)}, "reported_at"),
        ({"reported_at": WEDNESDAY + dt.timedelta(days=1)}, "reported_at"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    overseers: Overseers, org: Org, overrides: dict[str, Any], field: str
) -> None:
    before = written()
    with pytest.raises(ValidationError) as refused:
        record(overseers.program_manager, org, **overrides)
    assert field in refused.value.message_dict
    assert written() == before


def test_an_org_unit_that_is_not_an_office_is_refused(overseers: Overseers, org: Org) -> None:
    with pytest.raises(ValidationError) as refused:
        record(overseers.program_manager, org, office=org.agency)
    assert "office" in refused.value.message_dict
    assert not DeathInCustody.objects.exists()


# The review


def test_a_reviewer_outside_the_office_sees_the_death_once_assigned(
    overseers: Overseers, org: Org, far_supervisor: User
) -> None:
    death = record(overseers.program_manager, org)
    with pytest.raises(Http404):
        services.update_review(
            actor=far_supervisor, death=death, standards="", facts="x", compliance="", findings=""
        )
    review = services.assign_reviewer(actor=overseers.program_manager, death=death, reviewer=far_supervisor)
    assert review.reviewer_id == far_supervisor.pk
    assert review.status == DeathReviewStatus.OPEN
    services.update_review(
        actor=far_supervisor,
        death=death,
        standards="TEDS 2015",
        facts="Logs reviewed.",
        compliance="",
        findings="",
    )
    review.refresh_from_db()
    assert (review.standards, review.facts) == ("TEDS 2015", "Logs reviewed.")


def test_only_program_managers_and_supervisors_may_review(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    before = written()
    for user in (overseers.agent, overseers.giglio, overseers.intake):
        with pytest.raises(ValidationError, match="not an active program manager or supervisor"):
            services.assign_reviewer(actor=overseers.program_manager, death=death, reviewer=user)
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(actor=overseers.supervisor, death=death, reviewer=overseers.supervisor)
    assert written() == before


def test_the_review_waits_for_a_reviewer_and_only_they_or_a_program_manager_write_it(
    overseers: Overseers, org: Org, far_supervisor: User
) -> None:
    death = record(overseers.program_manager, org)
    with pytest.raises(IllegalTransition, match="no reviewer yet"):
        services.update_review(
            actor=overseers.program_manager, death=death, standards="", facts="x", compliance="", findings=""
        )
    services.assign_reviewer(actor=overseers.program_manager, death=death, reviewer=far_supervisor)
    before = written()
    with pytest.raises(PermissionDenied, match="assigned reviewer"):
        services.update_review(
            actor=overseers.supervisor, death=death, standards="", facts="x", compliance="", findings=""
        )
    assert written() == before
    services.update_review(
        actor=overseers.program_manager,
        death=death,
        standards="",
        facts="PM notes",
        compliance="",
        findings="",
    )
    assert DeathReview.objects.get().facts == "PM notes"


def _write_review(actor: User, death: DeathInCustody) -> None:
    services.update_review(
        actor=actor,
        death=death,
        standards="TEDS 2015",
        facts="Welfare checks were logged every fifteen minutes.",
        compliance="Welfare checks: complied. Medical screening: complied.",
        findings="No violation of the standards contributed to the death.",
    )


def test_completing_the_review_needs_every_part_written(overseers: Overseers, org: Org, media: Path) -> None:
    death = record(overseers.program_manager, org)
    services.assign_reviewer(actor=overseers.program_manager, death=death, reviewer=overseers.supervisor)
    services.update_review(
        actor=overseers.supervisor,
        death=death,
        standards="TEDS 2015",
        facts="Some.",
        compliance="",
        findings="",
    )
    before = written()
    with pytest.raises(ValidationError) as refused:
        services.complete_review(actor=overseers.supervisor, death=death)
    assert set(refused.value.message_dict) == {"compliance", "findings"}
    assert written() == before


def test_a_completed_review_has_its_report_pdf_and_is_frozen(
    overseers: Overseers, org: Org, media: Path
) -> None:
    death = record(overseers.program_manager, org)
    services.assign_reviewer(actor=overseers.program_manager, death=death, reviewer=overseers.supervisor)
    _write_review(overseers.supervisor, death)
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=2), tick=False):
        services.confirm_notification(actor=overseers.program_manager, death=death)
        review = services.complete_review(actor=overseers.supervisor, death=death)
    assert review.status == DeathReviewStatus.COMPLETED
    assert review.report is not None
    opened = services.open_review_report(actor=overseers.program_manager, death=death)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(opened.content.read())).pages)
    for expected in (
        death.number,
        "Rogelio Arce Villanueva",
        "TEDS 2015",
        "No violation of the standards",
        "Welfare checks: complied",
        "Notification",
        "Met",
        "LAW ENFORCEMENT SENSITIVE",
    ):
        assert expected in text
    download = AuditEvent.objects.filter(action="download").get()
    assert download.detail["sha256"] == review.report.sha256
    before = written()
    with pytest.raises(IllegalTransition, match="completed"):
        _write_review(overseers.supervisor, death)
    with pytest.raises(IllegalTransition):
        services.complete_review(actor=overseers.supervisor, death=death)
    with pytest.raises(IllegalTransition):
        services.assign_reviewer(
            actor=overseers.program_manager, death=death, reviewer=overseers.board_member
        )
    assert written() == before


def test_a_report_download_by_someone_who_may_not_see_it_is_404_and_audited_as_denied(
    overseers: Overseers, org: Org, media: Path
) -> None:
    death = record(overseers.program_manager, org)
    services.assign_reviewer(actor=overseers.program_manager, death=death, reviewer=overseers.supervisor)
    _write_review(overseers.supervisor, death)
    services.complete_review(actor=overseers.supervisor, death=death)
    with pytest.raises(Http404):
        services.open_review_report(actor=overseers.outsider, death=death)
    assert AuditEvent.objects.filter(action="download", outcome="denied").count() == 1


def test_the_pdf_renderer_refuses_every_url_but_data(overseers: Overseers, org: Org) -> None:
    from probity.oversight.services.death_report import _data_only_fetcher

    fetcher = _data_only_fetcher()
    with pytest.raises(ValueError, match="protocol"):
        fetcher("http://example.invalid/x.png")
    with pytest.raises(ValueError, match="protocol"):
        fetcher("file:///etc/passwd")


# The screens


def test_the_program_manager_records_a_death_on_the_form_and_lands_on_its_page(
    client: Client, overseers: Overseers, org: Org
) -> None:
    login(client, overseers.program_manager)
    data = {
        "name": "Marleny Choc Tiul",
        "sex": "Female",
        "race": "",
        "ethnicity": "Hispanic or Latino",
        "age": "33",
        "country": "Guatemala",
        "date_of_death": "2025-03-05",
        "time_of_death": "06:30",
        "place_of_death": "Hold room",
        "facility_name": "Nogales Port of Entry",
        "facility_location": "Nogales, AZ",
        "facility_type": "Hold room",
        "office": str(org.nogales_port.pk),
        "agency": "CBP",
        "circumstances": CIRCUMSTANCES,
        "cause": "",
        "reported_at": "2025-03-05T09:00",
    }
    with time_machine.travel(WEDNESDAY + dt.timedelta(minutes=5), tick=False):
        response = client.post(reverse("death-record"), data)
        death = DeathInCustody.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("death-detail", args=[death.pk])
        assert death.reported_at == WEDNESDAY  # read as agency time
        page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Marleny Choc Tiul" in body and "Notification" in body and "Open" in body


def test_a_bad_form_shows_the_problems_and_writes_nothing(
    client: Client, overseers: Overseers, org: Org
) -> None:
    login(client, overseers.program_manager)
    before = written()
    response = client.post(reverse("death-record"), {"name": "", "agency": "CBP", "date_of_death": "soon"})
    assert response.status_code == 400
    assert "There are" in response.content.decode()
    assert written() == before


def test_the_death_screens_do_not_exist_for_other_roles(
    client: Client, overseers: Overseers, org: Org, far_supervisor: User
) -> None:
    death = record(overseers.program_manager, org)
    login(client, overseers.agent)
    for url in (reverse("death-list"), reverse("death-record"), reverse("death-detail", args=[death.pk])):
        assert client.get(url).status_code == 404
    client.logout()
    login(client, far_supervisor)
    assert client.get(reverse("death-detail", args=[death.pk])).status_code == 404
    assert client.get(reverse("death-record")).status_code == 404
    assert client.get(reverse("death-dcra")).status_code == 404
    response = client.get(reverse("death-list"))
    assert response.status_code == 200
    assert death.number not in response.content.decode()
    before = written()
    response = client.post(reverse("death-step", args=[death.pk, "notification"]), {})
    assert response.status_code == 404
    assert written() == before


def test_the_list_filters_by_year_agency_and_facility(client: Client, overseers: Overseers, org: Org) -> None:
    first = record(overseers.program_manager, org)
    second = record(
        overseers.program_manager,
        org,
        name="Oumar Diallo Sow",
        agency="ICE",
        facility_name="Desert View Processing Center",
        date_of_death=dt.date(2024, 11, 2),
        time_of_death=None,
    )
    login(client, overseers.supervisor)
    body = client.get(reverse("death-list")).content.decode()
    assert first.number in body and second.number in body
    body = client.get(reverse("death-list"), {"year": "2024"}).content.decode()
    assert second.number in body and first.number not in body
    body = client.get(reverse("death-list"), {"agency": "CBP"}).content.decode()
    assert first.number in body and second.number not in body
    body = client.get(reverse("death-list"), {"facility": "desert view"}).content.decode()
    assert second.number in body and first.number not in body
    response = client.get(
        reverse("death-list"), {"year": "last", "agency": "FBI"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Ignored the year" in response.content.decode()
    assert AuditEvent.objects.filter(action="search", object_type="oversight.deathincustody").count() == 5


def test_the_list_costs_the_same_queries_for_one_death_or_many(
    client: Client, overseers: Overseers, org: Org, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 8):
        record(overseers.program_manager, org, date_of_death=dt.date(2025, 2, 20 + day), time_of_death=None)
    login(client, overseers.program_manager)
    client.get(reverse("death-list"))  # warm the session and content types
    with django_assert_max_num_queries(16):
        response = client.get(reverse("death-list"))
    assert response.content.decode().count("DIC-2025-") == 7


def test_the_death_page_meets_a_clock_and_is_audited_as_a_view(
    client: Client, overseers: Overseers, org: Org
) -> None:
    death = record(overseers.program_manager, org)
    login(client, overseers.program_manager)
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=2), tick=False):
        page = client.get(reverse("death-detail", args=[death.pk]))
        assert page.status_code == 200
        assert AuditEvent.objects.filter(action="view", object_type="oversight.deathincustody").count() == 1
        response = client.post(
            reverse("death-step", args=[death.pk, "notification"]),
            {"notification-at": "2025-03-05T10:30", "notification-note": "Called the duty officer."},
        )
        assert response.status_code == 302
        assert states(death)["notification"] == "met"
        again = client.post(reverse("death-step", args=[death.pk, "notification"]), {})
    assert again.status_code == 400
    assert "already" in again.content.decode()
    notice = services.clocks_of(death)[0].deadline
    assert notice is not None and notice.met_at == WEDNESDAY + dt.timedelta(hours=1, minutes=30)


def test_a_supervisor_may_not_meet_a_clock_on_the_page(
    client: Client, overseers: Overseers, org: Org
) -> None:
    death = record(overseers.program_manager, org)
    login(client, overseers.supervisor)
    before = written()
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=2), tick=False):
        response = client.post(reverse("death-step", args=[death.pk, "public-release"]), {})
    assert response.status_code == 403
    assert written() == before


def test_the_review_is_assigned_written_completed_and_downloaded_on_the_page(
    client: Client, overseers: Overseers, org: Org, media: Path
) -> None:
    death = record(overseers.program_manager, org)
    login(client, overseers.program_manager)
    response = client.post(reverse("death-reviewer", args=[death.pk]), {"reviewer": overseers.supervisor.pk})
    assert response.status_code == 302
    client.logout()
    login(client, overseers.supervisor)
    early = client.post(reverse("death-review-complete", args=[death.pk]))
    assert early.status_code == 400
    response = client.post(
        reverse("death-review", args=[death.pk]),
        {
            "standards": "TEDS 2015",
            "facts": "Video reviewed.",
            "compliance": "Complied.",
            "findings": "No violation found.",
        },
    )
    assert response.status_code == 302
    response = client.post(reverse("death-review-complete", args=[death.pk]))
    assert response.status_code == 302
    download = client.get(reverse("death-review-report", args=[death.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "No violation found." in text and "Video reviewed." in text
    late = client.post(reverse("death-review", args=[death.pk]), {"facts": "Changed."})
    assert late.status_code == 409


def test_the_program_managers_dashboard_lists_deaths_with_open_clocks(
    client: Client, overseers: Overseers, org: Org
) -> None:
    death = record(overseers.program_manager, org)
    login(client, overseers.program_manager)
    with time_machine.travel(NOTICE_DUE + dt.timedelta(hours=1), tick=False):
        body = client.get(reverse("dashboard")).content.decode()
        assert "Deaths in custody: open clocks" in body
        assert death.number in body and "Overdue" in body
        Deadline.objects.update(met_at=WEDNESDAY + dt.timedelta(hours=1))
        body = client.get(reverse("dashboard")).content.decode()
    assert "No death in custody has an open clock." in body


def test_the_navigation_offers_deaths_to_program_managers_and_supervisors_only(
    client: Client, overseers: Overseers
) -> None:
    login(client, overseers.program_manager)
    assert reverse("death-list") in client.get(reverse("dashboard")).content.decode()
    client.logout()
    login(client, overseers.agent)
    assert reverse("death-list") not in client.get(reverse("dashboard")).content.decode()


def test_an_inactive_office_is_not_offered_nor_accepted(overseers: Overseers, org: Org) -> None:
    OrgUnit.objects.filter(pk=org.nogales_port.pk).update(active=False)
    with pytest.raises(ValidationError) as refused:
        record(overseers.program_manager, org)
    assert "office" in refused.value.message_dict


# The demo


def test_the_demo_adds_deaths_in_every_state_through_the_services(
    overseers: Overseers, org: Org, media: Path
) -> None:
    from probity.core import demo
    from probity.core.models import OrgUnitKind
    from probity.core.services.org import add_org_unit
    from probity.oversight.demo_deaths import load_deaths

    units = {}
    for code, kind in (
        ("POE-SYS", OrgUnitKind.PORT_OF_ENTRY),
        ("USBP-SDC-CAM", OrgUnitKind.STATION),
        ("OPR-ELP", OrgUnitKind.FIELD_OFFICE),
        ("POE-ELP", OrgUnitKind.PORT_OF_ENTRY),
        ("POE-NOG", OrgUnitKind.PORT_OF_ENTRY),
        ("USBP-TCA-NGL", OrgUnitKind.STATION),
    ):
        units[code] = add_org_unit(actor=None, code=code + "-D", name=code, kind=kind, parent=org.opr)
    plan = demo.DemoPlan(1.0, 1, WEDNESDAY.date(), [], [], "")
    logins = {"program_manager": overseers.program_manager, "supervisor": overseers.supervisor}
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=4), tick=False):
        line = load_deaths(demo.LoadedDemo(plan, units, {}, logins))
        deaths = list(DeathInCustody.objects.order_by("date_of_death"))
        assert len(deaths) == 6
        assert "6 deaths in custody" in line
        newest = deaths[-1]
        assert {clock.state for clock in services.clocks_of(newest)} == {"open"}
        oldest = deaths[0]
        assert {clock.state for clock in services.clocks_of(oldest)} == {"met"}
        late = [d for d in deaths if any(c.state == "met_late" for c in services.clocks_of(d))]
        assert len(late) == 2
    assert DeathReview.objects.filter(status=DeathReviewStatus.COMPLETED, report__isnull=False).count() == 1
    assert DeathReview.objects.filter(status=DeathReviewStatus.OPEN).count() == 1
    assert CriticalIncident.objects.filter(kind=IncidentKind.DEATH).count() == 6
