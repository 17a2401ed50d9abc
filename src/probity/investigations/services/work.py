"""Investigative work on a case: the plan, the activity log with its files, and interviews.

Files are judged on their content (type, size, emptiness) before anything is stored, then
stored through core's content-addressed store, then the records that point at them are written
in one transaction: a refused upload leaves nothing behind but what was already there.

Activity attachments are core `FileAttachment` rows, written here rather than through core's
`attach_file`: that function asks the access policy about the record itself, and an activity
is reached only through its case (core's own download view therefore refuses them; they are
served by `open_activity_attachment`, which checks the case).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Sequence
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit, files
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, AuditOutcome, FileAttachment, StoredFile
from probity.core.services.files import store_file
from probity.investigations.models import (
    Activity,
    ActivityKind,
    Case,
    CaseParty,
    CaseStatus,
    CaseType,
    Interview,
    PlanStep,
    Warning,
)
from probity.investigations.services.cases import require_case_worker, works_on

MAX_ATTACHMENTS = 10
MAX_SUMMARY = 20_000
MAX_PARTICIPANTS = 2_000

# Which rights warning fits which kind of case (DOMAIN: Kalkines compels an administrative
# statement; Garrity is voluntary with criminal exposure; Miranda and Beckwith are criminal).
ADMINISTRATIVE_WARNINGS = frozenset({Warning.KALKINES, Warning.GARRITY})
CRIMINAL_WARNINGS = frozenset({Warning.MIRANDA, Warning.BECKWITH})
WARNINGS_FOR_CASE = {
    CaseType.ADMINISTRATIVE: ADMINISTRATIVE_WARNINGS,
    CaseType.CRIMINAL: CRIMINAL_WARNINGS,
    CaseType.JOINT: ADMINISTRATIVE_WARNINGS | CRIMINAL_WARNINGS,
}
INTERVIEW_FILES = ("warning_form", "recording", "transcript")
# Content types (or their prefixes) each interview file may have, and how to say it.
INTERVIEW_FILE_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "warning_form": (("application/pdf", "image/"), "a PDF or a scanned image"),
    "recording": (("audio/", "video/"), "an audio or video file"),
    "transcript": (("application/pdf", "text/plain"), "a PDF or a plain-text file"),
}

Errors = dict[str, list[str]]


# Who may work on a case ------------------------------------------------------------------------


def require_case_viewer(actor: Any, case: Case) -> None:
    if actor is None or case.pk is None or not access.can_view(actor, case):
        raise Http404("No such case")


def require_open(case: Case, what: str) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(f"Case {case.number} is closed: reopen it before you {what}.")


# Checking input ----------------------------------------------------------------------------------


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def clean_text(
    errors: Errors, field: str, value: Any, *, label: str, max_length: int, required: bool = True
) -> str:
    """Stripped text, or a message: required, too long, or holding a NUL (PostgreSQL refuses it)."""
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        add_error(errors, field, f"{label} must be text.")
    elif required and not text:
        add_error(errors, field, f"{label} is required.")
    elif len(text) > max_length:
        add_error(errors, field, f"{label} may be at most {max_length:,} characters; it has {len(text):,}.")
    elif "\x00" in text:
        add_error(errors, field, f"{label} contains a NUL character; remove it.")
    return text


def agency_today() -> dt.date:
    return timezone.now().astimezone(agency_time_zone()).date()


def clean_moment(errors: Errors, field: str, value: Any, *, label: str) -> dt.datetime | None:
    """A time-zone-aware moment that is not in the future."""
    capital = label[:1].upper() + label[1:]
    if not isinstance(value, dt.datetime):
        add_error(errors, field, f"Give {label} as a date and time.")
        return None
    if timezone.is_naive(value):
        add_error(errors, field, f"{capital} must include a time zone.")
        return None
    if value > timezone.now():
        add_error(errors, field, f"{capital} cannot be in the future.")
        return None
    return value


def upload_name(upload: Any) -> str:
    return str(getattr(upload, "name", "") or "file")


def check_upload(
    errors: Errors, field: str, upload: Any, *, allowed: tuple[str, ...] = (), accepted: str = ""
) -> None:
    """Judge an upload on its content before anything is stored: type, size, emptiness, and
    (with `allowed`) that its real type is one this field takes, whatever its name says."""
    name = upload_name(upload)
    try:
        files.clean_filename(name)
        with files.receive(upload) as received:
            content_type = received.content_type
    except ValidationError as error:
        for message in error.messages:
            add_error(errors, field, f"{name}: {message}")
        return
    if allowed and not content_type.startswith(allowed):
        add_error(
            errors,
            field,
            f"{name}: this file's content is {content_type}, not {accepted}. "
            "The type is read from the content, not the file name.",
        )


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# The plan ---------------------------------------------------------------------------------------


def add_plan_step(
    *,
    actor: Any,
    case: Case,
    description: str,
    owner: Any = None,
    due_date: dt.date | None = None,
) -> PlanStep:
    """A step of the investigative plan, with an owner who works on the case and a due date."""
    with transaction.atomic():
        require_case_worker(actor, case)
        require_open(case, "add to its plan")
        errors: Errors = {}
        description = clean_text(errors, "description", description, label="The step", max_length=500)
        if owner is not None and not (access.can_view(owner, case) and works_on(owner, case)):
            add_error(
                errors,
                "owner",
                "The owner must work on the case: the lead agent, a team member or a supervisor.",
            )
        if due_date is not None:
            opened_on = case.opened_at.astimezone(agency_time_zone()).date()
            if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
                add_error(errors, "due_date", "The due date must be a date.")
            elif due_date < opened_on:
                add_error(
                    errors, "due_date", f"The due date cannot be before the case was opened ({opened_on})."
                )
        raise_if(errors)
        step = PlanStep.objects.create(
            case=case, description=description, owner=owner, due_date=due_date, created_at=timezone.now()
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=step,
            changes={
                "description": [None, description],
                "owner": [None, owner.get_username() if owner is not None else None],
                "due_date": [None, due_date],
            },
            detail={"case": case.number},
        )
    return step


def complete_plan_step(*, actor: Any, step: PlanStep) -> PlanStep:
    """Mark a step done (once)."""
    with transaction.atomic():
        case = step.case
        require_case_worker(actor, case)
        require_open(case, "change its plan")
        locked = PlanStep.objects.select_for_update().get(pk=step.pk)
        if locked.done_at is not None:
            raise ValidationError(f"The step “{locked.description}” is already done.")
        locked.done_at = timezone.now()
        locked.done_by = actor
        locked.save(update_fields=["done_at", "done_by"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes={"done_at": [None, locked.done_at], "done_by": [None, actor.get_username()]},
            detail={"case": case.number},
        )
    step.done_at, step.done_by = locked.done_at, locked.done_by
    return locked


# The activity log --------------------------------------------------------------------------------


def _attach_specs(
    actor: Any, activity: Activity, stored: Sequence[tuple[StoredFile, str]]
) -> list[audit.EventSpec]:
    content_type = ContentType.objects.get_for_model(Activity)
    now = timezone.now()
    specs = []
    for stored_file, name in stored:
        attachment = FileAttachment.objects.create(
            file=stored_file,
            content_type=content_type,
            object_id=activity.pk,
            filename=name,
            attached_at=now,
            attached_by=actor,
        )
        specs.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                actor=actor,
                obj=attachment,
                changes={
                    "record": [None, f"{audit.label_of(Activity)}:{activity.pk}"],
                    "filename": [None, name],
                    "sha256": [None, stored_file.sha256],
                },
            )
        )
    return specs


def log_activity(
    *,
    actor: Any,
    case: Case,
    kind: str,
    occurred_on: dt.date,
    summary: str,
    uploads: Sequence[Any] = (),
) -> Activity:
    """An entry in the activity log with its files (records checks, subpoenas, surveillance…)."""
    require_case_worker(actor, case)
    require_open(case, "log work on it")
    errors: Errors = {}
    if kind == ActivityKind.INTERVIEW:
        add_error(
            errors,
            "kind",
            "Record an interview with the interview form: it keeps the warning, the signed form, "
            "the recording and the transcript.",
        )
    elif kind not in ActivityKind.values:
        add_error(errors, "kind", f"Choose a kind of activity; {kind!r} is not one.")
    if not isinstance(occurred_on, dt.date) or isinstance(occurred_on, dt.datetime):
        add_error(errors, "occurred_on", "Give the date of the activity.")
    elif occurred_on > agency_today():
        add_error(errors, "occurred_on", "The date of the activity cannot be in the future.")
    summary = clean_text(errors, "summary", summary, label="The summary", max_length=MAX_SUMMARY)
    uploads = [upload for upload in uploads if upload]
    if len(uploads) > MAX_ATTACHMENTS:
        add_error(errors, "uploads", f"Attach at most {MAX_ATTACHMENTS} files; you chose {len(uploads)}.")
    else:
        for upload in uploads:
            check_upload(errors, "uploads", upload)
    raise_if(errors)
    # Stored before the transaction: copying large files must not hold the database's write lock.
    stored = [
        (store_file(actor=actor, upload=upload), files.clean_filename(upload_name(upload)))
        for upload in uploads
    ]
    with transaction.atomic():
        now = timezone.now()
        activity = Activity.objects.create(
            case=case,
            kind=kind,
            occurred_on=occurred_on,
            performed_by=actor,
            summary=summary,
            created_at=now,
            created_by=actor,
        )
        specs = [
            audit.EventSpec(
                action=AuditAction.CREATE,
                actor=actor,
                obj=activity,
                changes={
                    "kind": [None, kind],
                    "occurred_on": [None, occurred_on],
                    "summary": [None, summary],
                },
                detail={"case": case.number},
            ),
            *_attach_specs(actor, activity, stored),
        ]
        audit.record_many(specs)
    return activity


# Interviews ----------------------------------------------------------------------------------------


def _check_warning(errors: Errors, case: Case, party: CaseParty, warning: str, has_form: bool) -> None:
    if warning not in Warning.values:
        add_error(errors, "warning", f"Choose the warning given; {warning!r} is not one.")
        return
    is_employee = party.employee_id is not None
    if is_employee and warning == Warning.NONE:
        add_error(
            errors,
            "warning",
            "An employee is interviewed only after a rights warning: Kalkines or Garrity in an "
            "administrative inquiry, Miranda or Beckwith in a criminal one.",
        )
        return
    if not is_employee and warning in ADMINISTRATIVE_WARNINGS:
        add_error(
            errors,
            "warning",
            "Kalkines and Garrity warnings are given to agency employees; this interviewee is not one.",
        )
        return
    if warning != Warning.NONE and warning not in WARNINGS_FOR_CASE[CaseType(case.case_type)]:
        if warning in ADMINISTRATIVE_WARNINGS:
            message = (
                f"{Warning(warning).label} belongs to an administrative inquiry, and case {case.number} "
                "is criminal: give Miranda (custodial) or Beckwith (non-custodial), or convert the case "
                "to joint first."
            )
        else:
            message = (
                f"{Warning(warning).label} belongs to a criminal inquiry, and case {case.number} is "
                "administrative: give Kalkines (compelled) or Garrity (voluntary), or convert the case "
                "to joint first."
            )
        add_error(errors, "warning", message)
        return
    if warning == Warning.NONE and has_form:
        add_error(errors, "warning_form", "No warning was given, so there is no warning form to attach.")
    elif is_employee and not has_form:
        add_error(errors, "warning_form", "Attach the warning form the employee signed before the interview.")


def record_interview(
    *,
    actor: Any,
    case: Case,
    interviewee: CaseParty,
    started_at: dt.datetime,
    place: str,
    participants: str,
    warning: str,
    summary: str,
    warning_form: Any = None,
    recording: Any = None,
    transcript: Any = None,
) -> Interview:
    """An interview and its activity-log entry, with the warning given and its files."""
    require_case_worker(actor, case)
    require_open(case, "record an interview")
    errors: Errors = {}
    if not isinstance(interviewee, CaseParty) or interviewee.case_id != case.pk:
        add_error(errors, "interviewee", "Choose a person named in this case.")
    moment = clean_moment(errors, "started_at", started_at, label="the start of the interview")
    place = clean_text(errors, "place", place, label="The place", max_length=300)
    participants = clean_text(
        errors, "participants", participants, label="The participants", max_length=MAX_PARTICIPANTS
    )
    summary = clean_text(errors, "summary", summary, label="The summary", max_length=MAX_SUMMARY)
    uploads = {"warning_form": warning_form, "recording": recording, "transcript": transcript}
    if "interviewee" not in errors:
        _check_warning(errors, case, interviewee, warning, bool(warning_form))
    for field, upload in uploads.items():
        if upload:
            allowed, accepted = INTERVIEW_FILE_TYPES[field]
            check_upload(errors, field, upload, allowed=allowed, accepted=accepted)
    if errors or moment is None:
        raise ValidationError(errors)
    stored = {
        field: store_file(actor=actor, upload=upload) if upload else None for field, upload in uploads.items()
    }
    local_start = moment.astimezone(agency_time_zone())
    with transaction.atomic():
        now = timezone.now()
        activity = Activity.objects.create(
            case=case,
            kind=ActivityKind.INTERVIEW,
            occurred_on=local_start.date(),
            performed_by=actor,
            summary=f"Interview of {interviewee} ({interviewee.get_role_display().lower()}) at {place}",
            created_at=now,
            created_by=actor,
        )
        interview = Interview.objects.create(
            activity=activity,
            interviewee=interviewee,
            interviewee_role=interviewee.role,
            started_at=moment,
            place=place,
            participants=participants,
            warning=warning,
            summary=summary,
            **stored,
        )
        file_changes = {
            field: [None, stored_file.sha256]
            for field, stored_file in stored.items()
            if stored_file is not None
        }
        audit.record_many(
            [
                audit.EventSpec(
                    action=AuditAction.CREATE,
                    actor=actor,
                    obj=activity,
                    changes={"kind": [None, activity.kind], "occurred_on": [None, activity.occurred_on]},
                    detail={"case": case.number},
                ),
                audit.EventSpec(
                    action=AuditAction.CREATE,
                    actor=actor,
                    obj=interview,
                    # The summary is a sensitive field: the trail says it was written, not what it says.
                    changes={
                        "interviewee": [None, interviewee.pk],
                        "interviewee_role": [None, interviewee.role],
                        "started_at": [None, moment],
                        "place": [None, place],
                        "warning": [None, warning],
                        **file_changes,
                    },
                    detail={"case": case.number, "summary_length": len(summary)},
                ),
            ]
        )
    return interview


# Downloads -----------------------------------------------------------------------------------------


def case_for_download(actor: Any, case_id: int, what: dict[str, Any]) -> Case:
    """The case of a file download, or 404 with the refusal audited (as core's downloads are)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not access.can_view(actor, case):
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            object_type=audit.label_of(Case),
            object_id=str(case_id),
            detail=what,
            outcome=AuditOutcome.DENIED,
        )
        raise Http404("No such file")
    return case


def open_stored(*, actor: Any, obj: Any, stored_file: StoredFile, detail: dict[str, Any]) -> IO[bytes]:
    """The verified content of a file, the download audited (a failed check as a failure)."""
    try:
        content = files.open_verified(stored_file)
    except FileIntegrityError as error:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=obj,
            detail={**detail, "sha256": stored_file.sha256, "reason": error.reason},
            outcome=AuditOutcome.FAILURE,
        )
        raise
    audit.record(AuditAction.DOWNLOAD, actor=actor, obj=obj, detail={**detail, "sha256": stored_file.sha256})
    return content


def download_name(prefix: str, stored_file: StoredFile) -> str:
    extension = mimetypes.guess_extension(stored_file.content_type) or ""
    return f"{prefix}{extension}"


def open_interview_file(
    *, actor: Any, case_id: int, interview_id: int, which: str
) -> tuple[StoredFile, str, IO[bytes]]:
    """One of an interview's files (warning form, recording, transcript) for someone who may
    see the case: (stored file, download name, verified content). 404 otherwise."""
    what = {"interview": interview_id, "file": which}
    case = case_for_download(actor, case_id, what)
    interview = (
        Interview.objects.select_related(*INTERVIEW_FILES)
        .filter(pk=interview_id, activity__case=case)
        .first()
        if which in INTERVIEW_FILES
        else None
    )
    stored_file = getattr(interview, which, None) if interview is not None else None
    if interview is None or stored_file is None:
        raise Http404("No such file")
    name = download_name(f"{case.number}-interview-{interview.pk}-{which.replace('_', '-')}", stored_file)
    content = open_stored(
        actor=actor, obj=interview, stored_file=stored_file, detail={**what, "case": case.number}
    )
    return stored_file, name, content


def open_activity_attachment(
    *, actor: Any, case_id: int, attachment_id: int
) -> tuple[FileAttachment, IO[bytes]]:
    """A file attached to one of the case's activities, for someone who may see the case."""
    what = {"attachment": attachment_id}
    case = case_for_download(actor, case_id, what)
    attachment = (
        FileAttachment.objects.select_related("file")
        .filter(
            pk=attachment_id,
            content_type=ContentType.objects.get_for_model(Activity),
            object_id__in=Activity.objects.filter(case=case).values("pk"),
        )
        .first()
    )
    if attachment is None:
        raise Http404("No such file")
    detail = {**what, "case": case.number, "record": f"{audit.label_of(Activity)}:{attachment.object_id}"}
    return attachment, open_stored(actor=actor, obj=attachment, stored_file=attachment.file, detail=detail)
