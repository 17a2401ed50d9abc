"""Public complaints: storing a complaint with its receipt, checking a receipt, adding to it.

Used by the portal's forms and the public API alike, so both follow the same rules. The
complaint, its people, its files and its receipt are written in one transaction: a public
submission is either stored whole before the person gets a receipt, or not at all.

Files are checked on their content and written to the content-addressed store *before* the
transaction (copying a large file must not hold the database's write lock); a blob whose
transaction then fails is left unreferenced, which is harmless (it has no row, no record,
and the same content is simply reused if it comes again).

The passphrase is stored as its SHA-256, like the API tokens. It is 97 random bits chosen by
us (20 characters from a 29-character alphabet), not a password chosen by a person: guessing it
takes 2**96 tries on average whatever the hash, so key stretching (Argon2, used here before)
would add nothing an attacker would notice while costing more CPU than all the rest of storing a
complaint. Receipts stored with an Argon2 hash still open (`passphrase_matches`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from probity.core import audit, files
from probity.core.models import AuditAction, AuditOutcome, FileAttachment, OrgUnit, OrgUnitKind, StoredFile
from probity.intake.models import (
    Allegation,
    Channel,
    DatePrecision,
    PersonRole,
    PublicFollowUp,
    PublicSubmission,
)
from probity.intake.services.record import MAX_NARRATIVE, AllegationInput, PersonInput, record_allegation

log = logging.getLogger(__name__)

# Letters and digits no one confuses when copying by hand: no 0/O, 1/I/L, U/V pairs.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
TRACKING_CODE_LENGTH = 12
PASSPHRASE_LENGTH = 20
GROUP = 4

NARRATIVE_MAX = MAX_NARRATIVE
PLACE_MAX = 300
NAME_MAX = 200
BADGE_MAX = 40
DESCRIPTION_MAX = 2000
EMAIL_MAX = 200
PHONE_MAX = 40
FOLLOW_UP_MAX = 20_000
EARLIEST_YEAR = 1950
LANGUAGES = ("en", "es")

PUBLIC_OFFICE_KINDS = (OrgUnitKind.PORT_OF_ENTRY, OrgUnitKind.STATION, OrgUnitKind.FIELD_OFFICE)
FOLLOW_UP_FILE_NOTE = "Added later by the complainant, with their tracking code"


class PublicConcern(models.TextChoices):
    """What the person says the complaint is about: a hint for triage, not a category code."""

    RUDENESS = "rudeness", gettext_lazy("Rude or unprofessional behavior")
    FORCE = "force", gettext_lazy("Use of force or physical abuse")
    SEXUAL = "sexual", gettext_lazy("Sexual abuse or sexual harassment")
    CORRUPTION = "corruption", gettext_lazy("Bribery, theft or corruption")
    DISCRIMINATION = "discrimination", gettext_lazy("Discrimination")
    PROPERTY = "property", gettext_lazy("Property taken, lost or damaged")
    CUSTODY = "custody", gettext_lazy("Treatment in custody or detention")
    OTHER = "other", gettext_lazy("Something else")


class ContactPreference(models.TextChoices):
    EMAIL = "email", gettext_lazy("By email")
    PHONE = "phone", gettext_lazy("By phone")
    NONE = "none", gettext_lazy("Do not contact me")


class InvolvedRole(models.TextChoices):
    EMPLOYEE = PersonRole.SUBJECT.value, gettext_lazy("An employee the complaint is about")
    WITNESS = PersonRole.WITNESS.value, gettext_lazy("A witness")


@dataclass(frozen=True)
class InvolvedPerson:
    role: str = InvolvedRole.EMPLOYEE
    name: str = ""
    badge_number: str = ""
    description: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.name.strip() or self.badge_number.strip() or self.description.strip())


@dataclass(frozen=True)
class Complainant:
    """The person complaining; `anonymous` keeps their name and contact details out of the record."""

    anonymous: bool = True
    name: str = ""
    email: str = ""
    phone: str = ""
    contact_preference: str = ContactPreference.NONE


@dataclass(frozen=True)
class PublicComplaint:
    narrative: str
    concern: str = ""
    incident_date: dt.date | None = None
    incident_date_precision: str = DatePrecision.DAY
    place: str = ""
    office_id: int | None = None
    people: Sequence[InvolvedPerson] = field(default_factory=tuple)
    complainant: Complainant = field(default_factory=Complainant)
    language: str = "en"


@dataclass(frozen=True)
class StagedFile:
    """An upload whose content passed the checks and is already in the blob store."""

    sha256: str
    size: int
    content_type: str
    filename: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "content_type": self.content_type,
            "filename": self.filename,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> StagedFile:
        return cls(
            sha256=str(raw["sha256"]),
            size=int(raw["size"]),
            content_type=str(raw["content_type"]),
            filename=str(raw["filename"]),
        )


@dataclass(frozen=True)
class Receipt:
    tracking_code: str
    passphrase: str
    submitted_at: dt.datetime


# Codes ---------------------------------------------------------------------------------------


def _random_code(length: int) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + GROUP] for i in range(0, length, GROUP))


def normalise_code(raw: str) -> str:
    """A code as typed (any case, spaces or dashes anywhere) in its stored, grouped form."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


# Passphrases ---------------------------------------------------------------------------------

DIGEST_SCHEME = "sha256"  # the prefix of a stored passphrase hash, as in Django's hashes
# What a passphrase is compared on: normalised, and cut short so a huge input costs no more.
PASSPHRASE_INPUT_MAX = 40


class LegacyPassphraseHasher(Argon2PasswordHasher):
    """Argon2id at the cost passphrases were hashed with before SHA-256 (for receipts from then).

    Verifying reads the cost from the stored hash; this cost is only the decoy's, which must
    cost what checking one of those receipts costs.
    """

    time_cost = 1
    memory_cost = 8192
    parallelism = 1


def hash_passphrase(passphrase: str) -> str:
    """The stored form of a passphrase: `sha256$` and the SHA-256 of its normalised form."""
    digest = hashlib.sha256(normalise_code(passphrase)[:PASSPHRASE_INPUT_MAX].encode()).hexdigest()
    return f"{DIGEST_SCHEME}${digest}"


def _sha256_matches(passphrase: str, encoded: str) -> bool:
    return hmac.compare_digest(hash_passphrase(passphrase).encode(), encoded.encode())


def _argon2_matches(passphrase: str, encoded: str) -> bool:
    given = normalise_code(passphrase)[:PASSPHRASE_INPUT_MAX]
    return bool(LegacyPassphraseHasher().verify(given, encoded))


@cache
def _decoys() -> tuple[str, str]:
    # Checked in place of the hash a receipt does not have (or when there is no receipt), so
    # that every check does the same work and its timing tells nothing.
    hasher = LegacyPassphraseHasher()
    return (
        hash_passphrase(_random_code(PASSPHRASE_LENGTH)),
        hasher.encode(_random_code(PASSPHRASE_LENGTH), hasher.salt()),
    )


def passphrase_matches(passphrase: str, encoded: str | None) -> bool:
    """Whether `passphrase` opens the receipt whose stored hash is `encoded` (None: no receipt).

    Every call makes one SHA-256 comparison and one Argon2 verification, whichever kind of hash
    the receipt has and whether there is one at all: a decoy stands in for the other kind, so a
    wrong passphrase, an unknown tracking code and an old receipt all take the same time.
    """
    sha256_hash, argon2_hash = _decoys()
    legacy = False
    if encoded is not None and encoded.startswith(f"{LegacyPassphraseHasher.algorithm}$"):
        argon2_hash, legacy = encoded, True
    elif encoded is not None:
        sha256_hash = encoded
    sha256_ok = _sha256_matches(passphrase, sha256_hash)
    argon2_ok = _argon2_matches(passphrase, argon2_hash)
    return encoded is not None and (argon2_ok if legacy else sha256_ok)


# Validation ----------------------------------------------------------------------------------

Problems = dict[str, list[str]]


def office_choices() -> list[OrgUnit]:
    """Offices and ports a member of the public may name: public-facing kinds, active ones."""
    return list(OrgUnit.objects.filter(kind__in=PUBLIC_OFFICE_KINDS, active=True).order_by("name", "pk"))


def _too_long(errors: Problems, name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.setdefault(name, []).append(
            _("This must be %(limit)s characters or fewer (it has %(count)s).")
            % {"limit": f"{limit:,}", "count": f"{len(value):,}"}
        )


def complainant_problems(person: Complainant) -> Problems:
    errors: Problems = {}
    _check_complainant(person, errors)
    return errors


def _check_complainant(person: Complainant, errors: Problems) -> None:
    if person.contact_preference not in ContactPreference.values:
        errors.setdefault("contact_preference", []).append(_("Choose how we may contact you."))
    if person.anonymous:
        return
    _too_long(errors, "name", person.name.strip(), NAME_MAX)
    _too_long(errors, "email", person.email.strip(), EMAIL_MAX)
    _too_long(errors, "phone", person.phone.strip(), PHONE_MAX)
    if person.email.strip():
        try:
            validate_email(person.email.strip())
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter an email address like name@example.com."))
    if person.contact_preference == ContactPreference.EMAIL and not person.email.strip():
        errors.setdefault("email", []).append(
            _("Give an email address, or choose another way to contact you.")
        )
    if person.contact_preference == ContactPreference.PHONE and not person.phone.strip():
        errors.setdefault("phone", []).append(_("Give a phone number, or choose another way to contact you."))


def validate_complaint(complaint: PublicComplaint, *, today: dt.date | None = None) -> Problems:
    """Every problem with a complaint at once, as plain messages per field; empty when valid."""
    errors: Problems = {}
    today = today or timezone.localdate()
    if not complaint.narrative.strip():
        errors["narrative"] = [_("Tell us what happened.")]
    _too_long(errors, "narrative", complaint.narrative, NARRATIVE_MAX)
    if complaint.concern and complaint.concern not in PublicConcern.values:
        errors.setdefault("concern", []).append(_("Choose one of the listed kinds of problem."))
    if complaint.incident_date_precision not in DatePrecision.values:
        errors.setdefault("incident_date", []).append(_("Give the date as a day, a month or a year."))
    if complaint.incident_date is not None:
        if complaint.incident_date > today:
            errors.setdefault("incident_date", []).append(_("The date cannot be in the future."))
        elif complaint.incident_date.year < EARLIEST_YEAR:
            errors.setdefault("incident_date", []).append(
                _("Give a year from %(year)s onwards.") % {"year": EARLIEST_YEAR}
            )
    _too_long(errors, "place", complaint.place.strip(), PLACE_MAX)
    if complaint.office_id is not None and complaint.office_id not in {o.pk for o in office_choices()}:
        errors.setdefault("office", []).append(_("Choose an office or port from the list."))
    if len(complaint.people) > settings.PROBITY_PORTAL_MAX_PEOPLE:
        errors.setdefault("people", []).append(
            _("You can list at most %(count)s people.") % {"count": settings.PROBITY_PORTAL_MAX_PEOPLE}
        )
    for index, person in enumerate(complaint.people, start=1):
        where = f"people.{index}"
        if person.role not in InvolvedRole.values:
            errors.setdefault(where, []).append(_("Say whether this person is an employee or a witness."))
        if person.is_blank:
            errors.setdefault(where, []).append(_("Give a name, a badge number or a description."))
        _too_long(errors, where, person.name.strip(), NAME_MAX)
        _too_long(errors, where, person.badge_number.strip(), BADGE_MAX)
        _too_long(errors, where, person.description.strip(), DESCRIPTION_MAX)
    _check_complainant(complaint.complainant, errors)
    if complaint.language not in LANGUAGES:
        errors.setdefault("language", []).append(_("The language must be English (en) or Spanish (es)."))
    return errors


# Files ---------------------------------------------------------------------------------------


def _portal_accepts(content_type: str) -> bool:
    kinds: Sequence[str] = settings.PROBITY_PORTAL_UPLOAD_KINDS
    return content_type in files.allowed_types() and any(
        content_type == kind or (kind.endswith("/") and content_type.startswith(kind)) for kind in kinds
    )


def _file_refusal(name: str, error: ValidationError) -> ValidationError:
    """The store's refusal in the person's language, naming their file."""
    code = getattr(error, "code", None)
    if code == "file_size":
        message = _("“%(name)s” is larger than the %(limit)s limit. Send a smaller file.") % {
            "name": name,
            "limit": filesizeformat(files.max_bytes()),
        }
    elif code == "file_empty":
        message = _("“%(name)s” is empty.") % {"name": name}
    elif code == "file_name":
        message = _("A file name is missing or longer than 255 characters.")
    else:
        message = _(
            "“%(name)s” is not a kind of file we accept. We check what the file contains, "
            "not its name. Send photos, PDF documents, audio or video."
        ) % {"name": name}
    return ValidationError(message, code=code or "file_type")


def _put_blob(received: files.Received) -> str:
    existing = (
        StoredFile.objects.filter(sha256=received.sha256).values_list("storage_name", flat=True).first()
    )
    return files.put_blob(received, existing)


def stage_uploads(uploads: Sequence[Any]) -> list[StagedFile]:
    """Check every upload on its content, then write them all to the store.

    If any one is refused, none is written, and the `ValidationError` lists each refusal in
    plain words naming the file.
    """
    refusals: list[ValidationError] = []
    accepted: list[tuple[str, files.Received]] = []
    with ExitStack() as spools:
        for upload in uploads:
            given = str(getattr(upload, "name", "") or "")
            try:
                name = files.clean_filename(given)
                received = spools.enter_context(files.receive(upload))
                if not _portal_accepts(received.content_type):
                    raise ValidationError("not a portal type", code="file_type")
            except ValidationError as error:
                refusals.append(_file_refusal(given or "?", error))
                continue
            accepted.append((name, received))
        if refusals:
            raise ValidationError(refusals)
        staged = []
        for name, received in accepted:
            _put_blob(received)
            staged.append(
                StagedFile(
                    sha256=received.sha256,
                    size=received.size,
                    content_type=received.content_type,
                    filename=name,
                )
            )
    return staged


def _check_staged(staged_files: Sequence[StagedFile], errors: Problems) -> None:
    limit = settings.PROBITY_PORTAL_MAX_FILES
    if len(staged_files) > limit:
        errors.setdefault("files", []).append(_("You can attach at most %(count)s files.") % {"count": limit})
        return
    for staged in staged_files:
        if not default_storage.exists(files.storage_name(staged.sha256)):
            errors.setdefault("files", []).append(
                _("“%(name)s” did not arrive completely. Attach it again.") % {"name": staged.filename}
            )


def _stored_row(staged: StagedFile, events: list[audit.EventSpec]) -> StoredFile:
    stored, created = StoredFile.objects.get_or_create(
        sha256=staged.sha256,
        defaults={
            "size": staged.size,
            "content_type": staged.content_type,
            "storage_name": files.storage_name(staged.sha256),
            "created_at": timezone.now(),
        },
    )
    if created:
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                obj=stored,
                changes={
                    "sha256": [None, stored.sha256],
                    "size": [None, stored.size],
                    "content_type": [None, stored.content_type],
                },
            )
        )
    return stored


def _attach(
    allegation: Allegation, staged: StagedFile, events: list[audit.EventSpec], description: str = ""
) -> FileAttachment:
    # core's attach_file serves a signed-in actor who may see the record; the public may not
    # see the allegation they file, so the system attaches on their behalf, audited the same way
    # (the events go to `events`, which the caller appends before its transaction ends).
    stored = _stored_row(staged, events)
    attachment = FileAttachment.objects.create(
        file=stored,
        content_type=ContentType.objects.get_for_model(Allegation),
        object_id=allegation.pk,
        filename=staged.filename,
        description=description,
        attached_at=timezone.now(),
    )
    events.append(
        audit.EventSpec(
            action=AuditAction.CREATE,
            obj=attachment,
            changes={
                "record": [None, f"{audit.label_of(Allegation)}:{allegation.pk}"],
                "filename": [None, staged.filename],
                "sha256": [None, stored.sha256],
            },
        )
    )
    return attachment


# Submitting ----------------------------------------------------------------------------------


def _summary(complaint: PublicComplaint, via_api: bool) -> str:
    # Staff read the summary in English whatever language the complaint came in; it never
    # quotes the narrative, which is the sensitive field.
    with translation.override("en"):
        concern = str(PublicConcern(complaint.concern).label) if complaint.concern else "not stated"
    channel = "public API" if via_api else "public web portal"
    return f"Complaint from the {channel}; concern: {concern}"


def _contact(person: Complainant) -> str:
    lines = [
        f"Email: {person.email.strip()}" if person.email.strip() else "",
        f"Phone: {person.phone.strip()}" if person.phone.strip() else "",
    ]
    return "\n".join(line for line in lines if line)


def _people(complaint: PublicComplaint) -> list[PersonInput]:
    people = [
        PersonInput(
            role=person.role,
            name=person.name.strip(),
            badge_number=person.badge_number.strip(),
            description=person.description.strip(),
        )
        for person in complaint.people
    ]
    who = complaint.complainant
    if who.anonymous:
        people.append(PersonInput(role=PersonRole.COMPLAINANT, anonymous=True))
    else:
        people.append(
            PersonInput(
                role=PersonRole.COMPLAINANT,
                name=who.name.strip(),
                contact=_contact(who),
                contact_preference=who.contact_preference,
            )
        )
    return people


def submit_public_complaint(
    *, complaint: PublicComplaint, staged_files: Sequence[StagedFile] = (), via_api: bool = False
) -> Receipt:
    """Store a public complaint whole (allegation, people, files, receipt) and return its receipt.

    Raises `ValidationError` with a dict of plain messages, having written nothing, when the
    complaint is not acceptable.
    """
    errors = validate_complaint(complaint)
    _check_staged(staged_files, errors)
    if errors:
        raise ValidationError(errors)
    data = AllegationInput(
        channel=Channel.WEB,
        summary=_summary(complaint, via_api),
        narrative=complaint.narrative,
        incident_date=complaint.incident_date,
        incident_date_precision=complaint.incident_date_precision,
        incident_place=complaint.place.strip(),
        office_id=complaint.office_id,
        people=_people(complaint),
        language=complaint.language,
    )
    passphrase = _random_code(PASSPHRASE_LENGTH)
    passphrase_hash = hash_passphrase(passphrase)
    for attempt in range(3):
        tracking_code = _random_code(TRACKING_CODE_LENGTH)
        try:
            return _store(
                data, staged_files, tracking_code, passphrase_hash, via_api=via_api, passphrase=passphrase
            )
        except IntegrityError:
            # 58 random bits make a clash of tracking codes all but impossible; if one happens,
            # try another code. Any other conflict is a real failure, and nothing was kept.
            if attempt == 2 or not PublicSubmission.objects.filter(tracking_code=tracking_code).exists():
                log.exception("A public complaint could not be stored; nothing was kept")
                raise
    raise AssertionError("unreachable")


def _store(
    data: AllegationInput,
    staged_files: Sequence[StagedFile],
    tracking_code: str,
    passphrase_hash: str,
    *,
    via_api: bool,
    passphrase: str,
) -> Receipt:
    now = timezone.now()
    # Every audit event of the submission (allegation, its clock, files, receipt) is appended
    # at the end in one go: the chain's lock is taken once, just before the commit.
    events: list[audit.EventSpec] = []
    with transaction.atomic():
        allegation = record_allegation(actor=None, data=data, events=events)
        for staged in staged_files:
            _attach(allegation, staged, events)
        submission = PublicSubmission.objects.create(
            allegation=allegation,
            tracking_code=tracking_code,
            passphrase_hash=passphrase_hash,
            language=data.language,
            submitted_at=now,
            via_api=via_api,
        )
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                obj=submission,
                changes={
                    "allegation": [None, allegation.number],
                    "via_api": [None, via_api],
                    "files": [None, len(staged_files)],
                },
            )
        )
        audit.record_many(events)
    return Receipt(tracking_code=tracking_code, passphrase=passphrase, submitted_at=now)


def refuse_suspected_robot(*, reason: str, via_api: bool = False) -> Receipt:
    """Record (not store) a submission that looks automated, and return a receipt that works nowhere.

    The refusal is audited and logged, so nothing is dropped silently; the answer looks like
    any other so that a robot learns nothing from it.
    """
    audit.record(
        AuditAction.CREATE,
        object_type=audit.label_of(PublicSubmission),
        outcome=AuditOutcome.DENIED,
        detail={"reason": reason, "via_api": via_api},
    )
    log.warning("Public complaint refused as automated (%s); not stored", reason)
    return Receipt(
        tracking_code=_random_code(TRACKING_CODE_LENGTH),
        passphrase=_random_code(PASSPHRASE_LENGTH),
        submitted_at=timezone.now(),
    )


# Following up --------------------------------------------------------------------------------


def find_submission(*, tracking_code: str, passphrase: str) -> PublicSubmission | None:
    """The submission these codes open, or None; unknown code and wrong passphrase look alike.

    Both paths make one lookup and the same hash checks (`passphrase_matches`), so neither the
    answer nor its timing tells whether a tracking code exists. Each attempt is audited.
    """
    code = normalise_code(tracking_code)[:20]
    submission = (
        PublicSubmission.objects.select_related("allegation").filter(tracking_code=code).first()
        if code
        else None
    )
    matches = passphrase_matches(passphrase, submission.passphrase_hash if submission is not None else None)
    opened = submission if (submission is not None and matches) else None
    audit.record(
        AuditAction.VIEW,
        object_type=audit.label_of(PublicSubmission),
        object_id=str(opened.pk) if opened else "",
        outcome=AuditOutcome.SUCCESS if opened else AuditOutcome.DENIED,
        detail={"by": "tracking code and passphrase"},
    )
    return opened


def submission_by_id(pk: Any) -> PublicSubmission | None:
    """The submission a status-page session opened earlier (its id is kept server-side)."""
    if not isinstance(pk, int):
        return None
    return PublicSubmission.objects.filter(pk=pk).first()


def public_status(submission: PublicSubmission) -> str:
    """The coarse status the complainant may see (never the allegation's own state or number)."""
    status: str = Allegation.objects.get(pk=submission.allegation_id).public_status
    return status


def add_follow_up(
    *, submission: PublicSubmission, text: str, staged_files: Sequence[StagedFile] = ()
) -> PublicFollowUp:
    """Add the complainant's further information and files to their complaint."""
    text = text.strip()
    errors: Problems = {}
    if not text and not staged_files:
        errors["text"] = [_("Write what you want to add, or attach a file.")]
    _too_long(errors, "text", text, FOLLOW_UP_MAX)
    _check_staged(staged_files, errors)
    if errors:
        raise ValidationError(errors)
    allegation = Allegation.objects.get(pk=submission.allegation_id)
    events: list[audit.EventSpec] = []
    with transaction.atomic():
        follow_up = PublicFollowUp.objects.create(
            submission=submission, text=text, received_at=timezone.now()
        )
        for staged in staged_files:
            _attach(allegation, staged, events, FOLLOW_UP_FILE_NOTE)
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                obj=follow_up,
                changes={
                    "submission": [None, submission.pk],
                    "characters": [None, len(text)],
                    "files": [None, len(staged_files)],
                },
            )
        )
        audit.record_many(events)
    return follow_up


def follow_up_dates(submission: PublicSubmission) -> Iterator[dt.datetime]:
    yield from submission.follow_ups.values_list("received_at", flat=True)
