"""Investigative work: the plan, the activity log with its files, interviews and their warning
rules, the form pages, the file downloads, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from probity.core.deadlines import agency_time_zone
from probity.core.models import AuditEvent, FileAttachment
from probity.intake.models import RoutingOutcome
from probity.investigations.models import (
    Activity,
    ActivityKind,
    Case,
    CaseParty,
    CaseStatus,
    Interview,
    PartyRole,
    PlanStep,
    Warning,
)
from probity.investigations.services import work
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.work_setup import (
    EXE,
    PDF,
    TEXT,
    an_hour_ago,
    png_bytes,
    staffed_case,
    upload,
    wav_bytes,
    work_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def case(make_case: MakeCase, team: Team, media: Path) -> Case:
    return staffed_case(make_case, team)


def party(case: Case, role: str) -> CaseParty:
    found: CaseParty = CaseParty.objects.filter(case=case, role=role).order_by("pk").first()  # type: ignore[assignment]
    return found


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def interview(case: Case, actor: Any, **overrides: Any) -> Interview:
    values: dict[str, Any] = {
        "actor": actor,
        "case": case,
        "interviewee": party(case, PartyRole.SUBJECT),
        "started_at": an_hour_ago(),
        "place": "OPR Tucson, interview room 2",
        "participants": "SA Agent (interviewer); SA Agent2; union representative",
        "warning": Warning.KALKINES,
        "summary": "The subject said the report was written from memory.",
        "warning_form": upload("kalkines-signed.pdf", PDF),
    }
    values.update(overrides)
    return work.record_interview(**values)


# The plan ---------------------------------------------------------------------------------------


def test_a_team_member_adds_a_plan_step_and_the_lead_marks_it_done(case: Case, team: Team) -> None:
    step = work.add_plan_step(
        actor=team.second_agent,
        case=case,
        description="  Obtain the port's video of the seizure  ",
        owner=team.agent,
        due_date=timezone.now().date() + dt.timedelta(days=14),
    )
    assert step.description == "Obtain the port's video of the seizure"
    assert step.owner == team.agent

    work.complete_plan_step(actor=team.agent, step=step)

    step.refresh_from_db()
    assert step.done_at is not None
    assert step.done_by == team.agent
    events = AuditEvent.objects.filter(object_type="investigations.planstep").order_by("seq")
    assert [event.action for event in events] == ["create", "update"]
    assert events[0].actor_id == team.second_agent.pk


def test_a_step_is_done_only_once(case: Case, team: Team) -> None:
    step = work.add_plan_step(actor=team.agent, case=case, description="Records check")
    work.complete_plan_step(actor=team.agent, step=step)
    before = work_rows()

    with pytest.raises(ValidationError, match="already done"):
        work.complete_plan_step(actor=team.second_agent, step=step)

    assert work_rows() == before


def test_a_step_owner_must_work_on_the_case(case: Case, team: Team) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        work.add_plan_step(actor=team.agent, case=case, description="Canvass", owner=team.el_paso_agent)

    assert "owner" in refused.value.message_dict
    assert work_rows() == before


def test_a_step_due_before_the_case_was_opened_or_without_words_is_refused(case: Case, team: Team) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        work.add_plan_step(actor=team.agent, case=case, description="   ", due_date=dt.date(2000, 1, 1))

    assert set(refused.value.message_dict) == {"description", "due_date"}
    assert work_rows() == before


@pytest.mark.parametrize("who", ["el_paso_agent", "outsider", "intake", "recused_agent"])
def test_someone_who_cannot_see_the_case_gets_404_and_nothing_is_written(
    case: Case, team: Team, who: str
) -> None:
    before = work_rows()

    with pytest.raises(Http404):
        work.add_plan_step(actor=getattr(team, who), case=case, description="Look around")
    with pytest.raises(Http404):
        work.log_activity(
            actor=getattr(team, who),
            case=case,
            kind=ActivityKind.RECORDS_CHECK,
            occurred_on=timezone.now().date(),
            summary="Peeked",
        )

    assert work_rows() == before


def test_a_released_team_member_may_no_longer_work_the_case(case: Case, team: Team) -> None:
    from probity.investigations.models import CaseMember
    from probity.investigations.services import cases

    member = CaseMember.objects.get(case=case, user=team.second_agent, ended_at__isnull=True)
    cases.release_member(actor=team.supervisor, case=case, member=member)
    before = work_rows()

    with pytest.raises((Http404, PermissionDenied)):
        work.add_plan_step(actor=team.second_agent, case=case, description="One more thing")

    assert work_rows() == before


def test_a_closed_case_takes_no_new_work(case: Case, team: Team) -> None:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    case.refresh_from_db()
    before = work_rows()

    with pytest.raises(ValidationError, match="closed"):
        work.add_plan_step(actor=team.agent, case=case, description="Late idea")

    assert work_rows() == before


# The activity log --------------------------------------------------------------------------------


def test_an_activity_is_logged_with_its_files_attached_and_audited(case: Case, team: Team) -> None:
    activity = work.log_activity(
        actor=team.agent,
        case=case,
        kind=ActivityKind.SUBPOENA,
        occurred_on=timezone.now().date() - dt.timedelta(days=1),
        summary="Record request to the port for the lane 3 video.",
        uploads=[upload("request.pdf", PDF), upload("lane3.png", png_bytes(b"lane 3"))],
    )

    attachments = FileAttachment.objects.filter(object_id=activity.pk).order_by("filename")
    assert [(a.filename, a.file.content_type) for a in attachments] == [
        ("lane3.png", "image/png"),
        ("request.pdf", "application/pdf"),
    ]
    assert all(a.content_type.model == "activity" for a in attachments)
    assert AuditEvent.objects.filter(object_type="investigations.activity", action="create").count() == 1
    assert AuditEvent.objects.filter(object_type="core.fileattachment", action="create").count() == 2


def test_an_upload_that_lies_about_its_type_is_refused_and_nothing_is_written(
    case: Case, team: Team, media: Path
) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        work.log_activity(
            actor=team.agent,
            case=case,
            kind=ActivityKind.FORENSIC,
            occurred_on=timezone.now().date(),
            summary="Phone extraction",
            uploads=[upload("report.pdf", PDF), upload("extraction.pdf", EXE, "application/pdf")],
        )

    assert "extraction.pdf" in " ".join(refused.value.message_dict["uploads"])
    assert "Windows program" in " ".join(refused.value.message_dict["uploads"])
    assert work_rows() == before
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_an_oversized_upload_is_refused_and_nothing_is_written(case: Case, team: Team, settings: Any) -> None:
    settings.PROBITY_UPLOAD_MAX_BYTES = 100
    before = work_rows()

    with pytest.raises(ValidationError, match="larger than"):
        work.log_activity(
            actor=team.agent,
            case=case,
            kind=ActivityKind.SURVEILLANCE,
            occurred_on=timezone.now().date(),
            summary="Surveillance photos",
            uploads=[upload("photo.png", png_bytes(b"x" * 500))],
        )

    assert work_rows() == before


def test_oversized_text_and_nul_characters_are_refused_with_a_message(case: Case, team: Team) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as too_long:
        work.log_activity(
            actor=team.agent,
            case=case,
            kind=ActivityKind.CONSULTATION,
            occurred_on=timezone.now().date(),
            summary="x" * (work.MAX_SUMMARY + 1),
        )
    with pytest.raises(ValidationError) as nul:
        work.add_plan_step(actor=team.agent, case=case, description="Check\x00 the logs")

    assert "at most 20,000 characters" in too_long.value.message_dict["summary"][0]
    assert "NUL" in nul.value.message_dict["description"][0]
    assert work_rows() == before


def test_an_interview_is_not_logged_as_a_plain_activity_nor_a_future_one(case: Case, team: Team) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        work.log_activity(
            actor=team.agent,
            case=case,
            kind=ActivityKind.INTERVIEW,
            occurred_on=timezone.now().date() + dt.timedelta(days=3),
            summary="Talked to the subject",
        )

    assert "interview form" in refused.value.message_dict["kind"][0]
    assert "future" in refused.value.message_dict["occurred_on"][0]
    assert work_rows() == before


# Interviews ------------------------------------------------------------------------------------------


def test_an_employee_interview_with_its_warning_and_files_is_recorded_with_its_activity(
    case: Case, team: Team
) -> None:
    recorded = interview(
        case,
        team.agent,
        recording=upload("interview.wav", wav_bytes()),
        transcript=upload("transcript.txt", TEXT),
    )

    assert recorded.activity.kind == ActivityKind.INTERVIEW
    assert recorded.activity.case == case
    assert recorded.interviewee_role == PartyRole.SUBJECT
    assert recorded.warning_form is not None and recorded.warning_form.content_type == "application/pdf"
    assert recorded.recording is not None and recorded.recording.content_type.startswith("audio/")
    assert recorded.transcript is not None and recorded.transcript.content_type == "text/plain"
    event = AuditEvent.objects.get(object_type="investigations.interview")
    # The summary is sensitive: the trail records that it was written, not its words.
    assert "from memory" not in str(event.changes) + str(event.detail)


def test_an_employee_is_interviewed_only_after_a_warning_other_than_none(case: Case, team: Team) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, warning=Warning.NONE, warning_form=None)

    assert "rights warning" in refused.value.message_dict["warning"][0]
    assert work_rows() == before


def test_an_employee_warning_needs_the_signed_form(case: Case, team: Team) -> None:
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, warning_form=None)

    assert "signed" in refused.value.message_dict["warning_form"][0]
    assert work_rows() == before


def test_kalkines_is_refused_in_a_criminal_case(make_case: MakeCase, team: Team, media: Path) -> None:
    criminal = staffed_case(make_case, team, outcome=RoutingOutcome.INVESTIGATION_CRIMINAL)
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        interview(criminal, team.agent, warning=Warning.KALKINES)

    assert "criminal" in refused.value.message_dict["warning"][0]
    assert work_rows() == before
    assert interview(criminal, team.agent, warning=Warning.BECKWITH).warning == Warning.BECKWITH


def test_miranda_is_refused_in_an_administrative_case(case: Case, team: Team) -> None:
    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, warning=Warning.MIRANDA)

    assert "administrative" in refused.value.message_dict["warning"][0]
    assert not Interview.objects.exists()


def test_a_joint_case_takes_administrative_and_criminal_warnings(
    make_case: MakeCase, team: Team, media: Path
) -> None:
    joint = staffed_case(make_case, team, outcome=RoutingOutcome.INVESTIGATION_JOINT)

    interview(joint, team.agent, warning=Warning.GARRITY)
    interview(joint, team.agent, warning=Warning.MIRANDA, interviewee=party(joint, PartyRole.WITNESS))

    assert sorted(Interview.objects.values_list("warning", flat=True)) == ["garrity", "miranda"]


def test_someone_outside_the_agency_gets_no_employee_warning_and_needs_no_form(
    case: Case, team: Team
) -> None:
    complainant = party(case, PartyRole.COMPLAINANT)
    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, interviewee=complainant, warning=Warning.KALKINES)
    assert "employees" in refused.value.message_dict["warning"][0]

    recorded = interview(case, team.agent, interviewee=complainant, warning=Warning.NONE, warning_form=None)

    assert recorded.warning_form is None
    assert recorded.interviewee_role == PartyRole.COMPLAINANT


@pytest.mark.parametrize(
    "spec",
    [
        ("recording", "interview.mp3", PDF, "audio or video"),
        ("transcript", "transcript.txt", png_bytes(), "PDF or a plain-text"),
        ("warning_form", "kalkines.pdf", EXE, "Windows program"),
    ],
)
def test_interview_files_are_judged_on_their_content(
    case: Case, team: Team, spec: tuple[str, str, bytes, str]
) -> None:
    field, name, content, words = spec
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, **{field: upload(name, content)})

    assert words in refused.value.message_dict[field][0]
    assert work_rows() == before


def test_an_interviewee_from_another_case_or_a_future_start_is_refused(
    case: Case, make_case: MakeCase, team: Team
) -> None:
    other = make_case(summary="Another matter")
    stranger = party(other, PartyRole.SUBJECT)
    before = work_rows()

    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, interviewee=stranger, started_at=timezone.now() + dt.timedelta(hours=2))

    assert set(refused.value.message_dict) >= {"interviewee", "started_at"}
    assert work_rows() == before


def test_a_start_without_a_time_zone_is_refused(case: Case, team: Team) -> None:
    with pytest.raises(ValidationError) as refused:
        interview(case, team.agent, started_at=dt.datetime(2026, 1, 5, 10, 0))  # noqa: DTZ001

    assert "time zone" in refused.value.message_dict["started_at"][0]
    assert not Interview.objects.exists()


# Screens ------------------------------------------------------------------------------------------------


def test_the_plan_page_adds_a_step_and_returns_to_the_case(case: Case, team: Team) -> None:
    client = client_for(team.agent)
    url = f"/investigations/cases/{case.pk}/plan/add"
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"description": "Pull the lane 3 video", "owner": team.agent.pk, "due_date": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/investigations/cases/{case.pk}/"
    assert PlanStep.objects.get(case=case).description == "Pull the lane 3 video"
    page = client.get(response["Location"])
    assert "Step added to the plan" in page.content.decode()
    assert "Pull the lane 3 video" in page.content.decode()


def test_marking_a_step_done_from_the_case_page(case: Case, team: Team) -> None:
    step = work.add_plan_step(actor=team.agent, case=case, description="Pull the lane 3 video")

    response = client_for(team.second_agent).post(f"/investigations/cases/{case.pk}/plan/{step.pk}/done")

    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_by == team.second_agent


def test_an_activity_with_files_is_logged_from_its_page_and_its_file_downloads(
    case: Case, team: Team
) -> None:
    client = client_for(team.agent)
    response = client.post(
        f"/investigations/cases/{case.pk}/activities/add",
        {
            "kind": ActivityKind.RECORDS_CHECK,
            "occurred_on": timezone.now().date().isoformat(),
            "summary": "TECS check on the subject",
            "uploads": [upload("tecs.pdf", PDF), upload("photo.png", png_bytes())],
        },
    )
    assert response.status_code == 302
    attachment = FileAttachment.objects.get(filename="tecs.pdf")

    page = client.get(f"/investigations/cases/{case.pk}/").content.decode()
    download_url = f"/investigations/cases/{case.pk}/activities/files/{attachment.pk}"
    assert download_url in page
    download = client.get(download_url)

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert 'filename="tecs.pdf"' in download["Content-Disposition"]
    assert (
        AuditEvent.objects.filter(action="download", object_type="core.fileattachment").get().outcome
        == "success"
    )


def test_each_file_input_is_named_by_its_own_label_not_by_the_drop_zone_instructions(
    case: Case, team: Team
) -> None:
    # USWDS's script gives every file input aria-label="Drag file here or choose from folder";
    # aria-labelledby takes precedence, so screen readers still hear which file is asked for.
    body = client_for(team.agent).get(f"/investigations/cases/{case.pk}/interviews/add").content.decode()

    for name in ("warning_form", "recording", "transcript"):
        assert f'aria-labelledby="id_{name}_label"' in body
        assert f'id="id_{name}_label"' in body


def test_a_refused_interview_shows_the_form_again_with_the_message_and_what_was_typed(
    case: Case, team: Team
) -> None:
    subject = party(case, PartyRole.SUBJECT)
    before = work_rows()

    response = client_for(team.agent).post(
        f"/investigations/cases/{case.pk}/interviews/add",
        {
            "interviewee": subject.pk,
            "started_at": "2026-01-05T10:00",
            "place": "Nogales port, conference room B",
            "participants": "SA Agent",
            "warning": Warning.NONE,
            "summary": "Declined to answer.",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "rights warning" in body
    assert "Nogales port, conference room B" in body
    assert work_rows() == before


def test_an_interview_is_recorded_from_its_page_and_its_files_download_audited(
    case: Case, team: Team
) -> None:
    subject = party(case, PartyRole.SUBJECT)
    client = client_for(team.agent)
    started = (
        (timezone.now() - dt.timedelta(days=1)).astimezone(agency_time_zone()).strftime("%Y-%m-%dT%H:%M")
    )
    response = client.post(
        f"/investigations/cases/{case.pk}/interviews/add",
        {
            "interviewee": subject.pk,
            "started_at": started,
            "place": "OPR Tucson",
            "participants": "SA Agent; SA Agent2",
            "warning": Warning.KALKINES,
            "summary": "Admitted the report was late.",
            "warning_form": upload("kalkines.pdf", PDF),
            "transcript": upload("transcript.txt", TEXT),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    recorded = Interview.objects.get()

    form = client.get(f"/investigations/cases/{case.pk}/interviews/{recorded.pk}/warning_form")
    transcript = client.get(f"/investigations/cases/{case.pk}/interviews/{recorded.pk}/transcript")
    missing = client.get(f"/investigations/cases/{case.pk}/interviews/{recorded.pk}/recording")
    unknown = client.get(f"/investigations/cases/{case.pk}/interviews/{recorded.pk}/summary")

    assert form.status_code == 200
    assert b"".join(form.streaming_content) == PDF  # type: ignore[attr-defined]
    assert form["Content-Disposition"].endswith('-warning-form.pdf"')
    assert transcript.status_code == 200
    assert (missing.status_code, unknown.status_code) == (404, 404)
    downloads = AuditEvent.objects.filter(action="download", object_type="investigations.interview")
    assert sorted(event.detail["file"] for event in downloads) == ["transcript", "warning_form"]
    page = client.get(f"/investigations/cases/{case.pk}/").content.decode()
    assert "Signed warning form" in page
    assert "Kalkines" in page


def test_a_tampered_interview_file_is_not_sent_and_the_failure_is_audited(
    case: Case, team: Team, media: Path
) -> None:
    recorded = interview(case, team.agent)
    assert recorded.warning_form is not None
    (media / recorded.warning_form.storage_name).write_bytes(PDF + b"% altered\n")

    response = client_for(team.agent).get(
        f"/investigations/cases/{case.pk}/interviews/{recorded.pk}/warning_form"
    )

    assert response.status_code == 409
    assert b"altered" not in response.content
    event = AuditEvent.objects.filter(action="download").get()
    assert event.outcome == "failure"
    assert "does not match" in event.detail["reason"]


def test_bad_input_on_the_pages_answers_400_not_500(case: Case, team: Team) -> None:
    client = client_for(team.agent)
    before = work_rows()

    responses = [
        client.post(
            f"/investigations/cases/{case.pk}/plan/add", {"description": "", "due_date": "31/31/2026"}
        ),
        client.post(
            f"/investigations/cases/{case.pk}/activities/add",
            {"kind": "séance", "occurred_on": "yesterday", "summary": "x"},
        ),
        client.post(
            f"/investigations/cases/{case.pk}/interviews/add",
            {"interviewee": "999999", "started_at": "soon", "warning": "pinky-swear"},
        ),
        client.post(f"/investigations/cases/{case.pk}/plan/add", {"description": "a\x00b"}),
    ]

    assert [response.status_code for response in responses] == [400, 400, 400, 400]
    assert work_rows() == before


def test_a_page_for_a_step_of_another_case_is_not_found(case: Case, make_case: MakeCase, team: Team) -> None:
    other = staffed_case(make_case, team, summary="Another matter")
    step = work.add_plan_step(actor=team.agent, case=other, description="Elsewhere")

    response = client_for(team.agent).post(f"/investigations/cases/{case.pk}/plan/{step.pk}/done")

    assert response.status_code == 404
    step.refresh_from_db()
    assert step.done_at is None


def _work_paths(case: Case, team: Team) -> list[tuple[str, str]]:
    step = work.add_plan_step(actor=team.agent, case=case, description="Step")
    activity = work.log_activity(
        actor=team.agent,
        case=case,
        kind=ActivityKind.OTHER,
        occurred_on=timezone.now().date(),
        summary="Note",
        uploads=[upload("note.pdf", PDF)],
    )
    attachment = FileAttachment.objects.get(object_id=activity.pk)
    recorded = interview(case, team.agent)
    base = f"/investigations/cases/{case.pk}"
    return [
        ("get", f"{base}/plan/add"),
        ("post", f"{base}/plan/add"),
        ("post", f"{base}/plan/{step.pk}/done"),
        ("get", f"{base}/activities/add"),
        ("post", f"{base}/activities/add"),
        ("get", f"{base}/activities/files/{attachment.pk}"),
        ("get", f"{base}/interviews/add"),
        ("post", f"{base}/interviews/add"),
        ("get", f"{base}/interviews/{recorded.pk}/warning_form"),
    ]


@pytest.mark.parametrize("who", ["el_paso_agent", "outsider"])
def test_every_work_page_of_a_hidden_case_is_not_found_and_writes_nothing(
    case: Case, team: Team, who: str
) -> None:
    paths = _work_paths(case, team)
    client = client_for(getattr(team, who))
    before = work_rows()

    for method, path in paths:
        response = getattr(client, method)(
            path, {"description": "x", "summary": "x"} if method == "post" else None
        )
        assert response.status_code == 404, path
        assert b"PDF" not in response.content

    assert work_rows() == before
    assert not AuditEvent.objects.filter(action="download", outcome="success").exists()


def test_activities_and_interviews_are_shown_on_the_case_page(case: Case, team: Team) -> None:
    work.log_activity(
        actor=team.agent,
        case=case,
        kind=ActivityKind.SURVEILLANCE,
        occurred_on=timezone.now().date(),
        summary="Watched lane 3 from the booth",
    )
    interview(case, team.agent)

    body = client_for(team.supervisor).get(f"/investigations/cases/{case.pk}/").content.decode()

    assert "Watched lane 3 from the booth" in body
    assert "OPR Tucson, interview room 2" in body
    assert Activity.objects.filter(case=case).count() == 2
