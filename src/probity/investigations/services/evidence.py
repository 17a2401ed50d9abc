"""Evidence: items, their append-only chain of custody, release or destruction, hash checks and
the custody report.

Every item starts its chain when it is collected (the collector hands it to storage). A
transfer appends the next link, from whoever holds the item now; nothing edits or removes a
link (the model and the database refuse it). Release and destruction are asked for by someone
on the case and decided by a supervisor who did not ask; approval appends the final link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from probity.core import audit, files
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, AuditOutcome, Role, StoredFile
from probity.core.services.files import store_file
from probity.investigations.models import (
    Case,
    CaseEvent,
    CustodyTransfer,
    DisposalKind,
    DisposalRequest,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
)
from probity.investigations.services.cases import require_case_worker
from probity.investigations.services.work import (
    Errors,
    add_error,
    case_for_download,
    check_upload,
    clean_moment,
    clean_text,
    download_name,
    open_stored,
    raise_if,
    require_case_viewer,
    require_open,
)

MAX_DESCRIPTION = 5_000
MAX_REASON = 5_000
CLOSED_STATUSES = frozenset({EvidenceStatus.RELEASED, EvidenceStatus.DESTROYED})
# A digital item is its file; documents and recordings may come as a file or as a physical thing.
FILE_REQUIRED = frozenset({EvidenceKind.DIGITAL})
FILE_REFUSED = frozenset({EvidenceKind.PHYSICAL})


def person_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _status_label(status: str) -> str:
    return str(EvidenceStatus(status).label).lower()


# Collecting ----------------------------------------------------------------------------------


def add_evidence(
    *,
    actor: Any,
    case: Case,
    description: str,
    kind: str,
    source: str,
    collected_at: dt.datetime,
    storage_location: str,
    upload: Any = None,
    condition: str = "",
) -> EvidenceItem:
    """An item of evidence, numbered E-001, E-002… in its case; the first custody link is the
    collector placing it in storage. A digital item's file is stored and its SHA-256 kept."""
    require_case_worker(actor, case)
    require_open(case, "add evidence")
    errors: Errors = {}
    description = clean_text(
        errors, "description", description, label="The description", max_length=MAX_DESCRIPTION
    )
    if kind not in EvidenceKind.values:
        add_error(errors, "kind", f"Choose the kind of evidence; {kind!r} is not one.")
    source = clean_text(errors, "source", source, label="The source", max_length=300)
    moment = clean_moment(errors, "collected_at", collected_at, label="the time of collection")
    storage_location = clean_text(
        errors, "storage_location", storage_location, label="The storage location", max_length=200
    )
    condition = clean_text(
        errors, "condition", condition, label="The condition", max_length=300, required=False
    )
    if kind in FILE_REQUIRED and not upload:
        add_error(errors, "upload", "A digital item is its file: upload it, so its SHA-256 is kept.")
    elif kind in FILE_REFUSED and upload:
        add_error(
            errors,
            "upload",
            "A physical item has no file. Add a photograph or scan as a separate document or digital item.",
        )
    elif upload:
        check_upload(errors, "upload", upload)
    if errors or moment is None:
        raise ValidationError(errors)
    stored = store_file(actor=actor, upload=upload) if upload else None
    with transaction.atomic():
        # Numbers are given under the case's row lock, so two items never get the same one.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        number = f"E-{EvidenceItem.objects.filter(case=case).count() + 1:03d}"
        now = timezone.now()
        item = EvidenceItem.objects.create(
            case=case,
            number=number,
            description=description,
            kind=kind,
            source=source,
            collected_by=actor,
            collected_at=moment,
            storage_location=storage_location,
            file=stored,
            sha256=stored.sha256 if stored is not None else "",
            custodian=storage_location,
            created_at=now,
        )
        first = CustodyTransfer.objects.create(
            item=item,
            sequence=1,
            from_custodian=person_name(actor),
            to_custodian=storage_location,
            purpose=f"Collected from {source}; placed in storage"[:300],
            condition=condition or "As collected",
            transferred_at=moment,
            recorded_at=now,
            recorded_by=actor,
        )
        audit.record_many(
            [
                audit.EventSpec(
                    action=AuditAction.CREATE,
                    actor=actor,
                    obj=item,
                    changes={
                        "number": [None, number],
                        "kind": [None, kind],
                        "description": [None, description],
                        "source": [None, source],
                        "collected_at": [None, moment],
                        "storage_location": [None, storage_location],
                        "sha256": [None, item.sha256],
                    },
                    detail={"case": case.number},
                ),
                _transfer_event(actor, first, item),
            ]
        )
    return item


def _transfer_event(actor: Any, transfer: CustodyTransfer, item: EvidenceItem) -> audit.EventSpec:
    return audit.EventSpec(
        action=AuditAction.CREATE,
        actor=actor,
        obj=transfer,
        changes={
            "sequence": [None, transfer.sequence],
            "from_custodian": [None, transfer.from_custodian],
            "to_custodian": [None, transfer.to_custodian],
            "purpose": [None, transfer.purpose],
            "condition": [None, transfer.condition],
            "transferred_at": [None, transfer.transferred_at],
        },
        detail={"item": item.number, "case_id": item.case_id},
    )


# The chain of custody -------------------------------------------------------------------------


def _open_chain(item: EvidenceItem) -> None:
    if item.status in CLOSED_STATUSES:
        raise ValidationError(
            f"{item.number} was {_status_label(item.status)}: its chain of custody is closed."
        )


def transfer_custody(
    *,
    actor: Any,
    item: EvidenceItem,
    to_custodian: str,
    purpose: str,
    condition: str,
    transferred_at: dt.datetime,
) -> CustodyTransfer:
    """Append the next link of the chain: from whoever holds the item now to `to_custodian`."""
    require_case_worker(actor, item.case)
    errors: Errors = {}
    to_custodian = clean_text(errors, "to_custodian", to_custodian, label="The new custodian", max_length=200)
    purpose = clean_text(errors, "purpose", purpose, label="The purpose", max_length=300)
    condition = clean_text(errors, "condition", condition, label="The condition", max_length=300)
    moment = clean_moment(errors, "transferred_at", transferred_at, label="the time of the transfer")
    if errors or moment is None:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        _open_chain(locked)
        last = CustodyTransfer.objects.filter(item=locked).order_by("-sequence").first()
        if last is not None and moment < last.transferred_at:
            when = last.transferred_at.astimezone(agency_time_zone())
            add_error(
                errors,
                "transferred_at",
                f"The transfer cannot be before the last link of the chain (#{last.sequence}, "
                f"{when:%Y-%m-%d %H:%M %Z}).",
            )
        if to_custodian.casefold() == locked.custodian.casefold():
            add_error(errors, "to_custodian", f"{locked.custodian} already holds {locked.number}.")
        raise_if(errors)
        transfer = CustodyTransfer.objects.create(
            item=locked,
            sequence=(last.sequence if last is not None else 0) + 1,
            from_custodian=locked.custodian,
            to_custodian=to_custodian,
            purpose=purpose,
            condition=condition,
            transferred_at=moment,
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        previous = locked.custodian
        locked.custodian = to_custodian
        locked.save(update_fields=["custodian"])
        audit.record_many(
            [
                _transfer_event(actor, transfer, locked),
                audit.EventSpec(
                    action=AuditAction.UPDATE,
                    actor=actor,
                    obj=locked,
                    changes={"custodian": [previous, to_custodian]},
                ),
            ]
        )
    item.custodian = locked.custodian
    return transfer


# Release and destruction ---------------------------------------------------------------------


def request_disposal(
    *, actor: Any, item: EvidenceItem, kind: str, reason: str, released_to: str = ""
) -> DisposalRequest:
    """Ask a supervisor to approve the release (to someone) or the destruction of an item."""
    require_case_worker(actor, item.case)
    errors: Errors = {}
    if kind not in DisposalKind.values:
        add_error(errors, "kind", "Choose release or destruction.")
    reason = clean_text(errors, "reason", reason, label="The reason", max_length=MAX_REASON)
    released_to = clean_text(
        errors,
        "released_to",
        released_to,
        label="Who receives it",
        max_length=200,
        required=kind == DisposalKind.RELEASE,
    )
    if kind == DisposalKind.DESTRUCTION and released_to:
        add_error(
            errors, "released_to", "An item that is destroyed is not released to anyone; leave this empty."
        )
    raise_if(errors)
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        _open_chain(locked)
        if locked.status == EvidenceStatus.DISPOSAL_PENDING:
            raise ValidationError(f"The release or destruction of {locked.number} already awaits a decision.")
        now = timezone.now()
        request = DisposalRequest.objects.create(
            item=locked,
            kind=kind,
            reason=reason,
            released_to=released_to,
            requested_at=now,
            requested_by=actor,
        )
        locked.status = EvidenceStatus.DISPOSAL_PENDING
        locked.save(update_fields=["status"])
        audit.record_many(
            [
                audit.EventSpec(
                    action=AuditAction.CREATE,
                    actor=actor,
                    obj=request,
                    changes={
                        "kind": [None, kind],
                        "reason": [None, reason],
                        "released_to": [None, released_to],
                    },
                    detail={"item": locked.number, "case_id": locked.case_id},
                ),
                audit.EventSpec(
                    action=AuditAction.TRANSITION,
                    actor=actor,
                    obj=locked,
                    changes={"status": [EvidenceStatus.IN_CUSTODY, EvidenceStatus.DISPOSAL_PENDING]},
                ),
            ]
        )
    item.status = locked.status
    return request


def decide_disposal(
    *, actor: Any, request: DisposalRequest, approved: bool, note: str = ""
) -> DisposalRequest:
    """A supervisor other than the requester approves (the item is released or destroyed, and
    the chain gets its final link) or refuses (the item stays in custody)."""
    item = request.item
    case = item.case
    require_case_viewer(actor, case)
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied("Only a supervisor approves the release or destruction of evidence.")
    if request.requested_by_id == actor.pk:
        raise PermissionDenied(
            "You asked for this release or destruction: another supervisor must decide it."
        )
    errors: Errors = {}
    if not isinstance(approved, bool):
        add_error(errors, "approved", "Approve or refuse the request.")
    note = clean_text(
        errors,
        "note",
        note,
        label="The reason for refusing" if approved is False else "The note",
        max_length=MAX_REASON,
        required=approved is False,
    )
    raise_if(errors)
    with transaction.atomic():
        locked = DisposalRequest.objects.select_for_update().get(pk=request.pk)
        if locked.decided_at is not None:
            raise ValidationError("This request has already been decided.")
        held = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        now = timezone.now()
        locked.decided_at, locked.decided_by, locked.approved, locked.decision_note = (
            now,
            actor,
            approved,
            note,
        )
        locked.save(update_fields=["decided_at", "decided_by", "approved", "decision_note"])
        before = held.status
        specs = [
            audit.EventSpec(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=locked,
                changes={
                    "approved": [None, approved],
                    "decided_by": [None, actor.get_username()],
                    "decision_note": [None, note],
                },
                detail={"item": held.number, "case_id": held.case_id},
            )
        ]
        if approved:
            released = locked.kind == DisposalKind.RELEASE
            held.status = EvidenceStatus.RELEASED if released else EvidenceStatus.DESTROYED
            last = CustodyTransfer.objects.filter(item=held).order_by("-sequence").first()
            final = CustodyTransfer.objects.create(
                item=held,
                sequence=(last.sequence if last is not None else 0) + 1,
                from_custodian=held.custodian,
                to_custodian=(locked.released_to if released else "Destroyed")[:200],
                purpose=(
                    f"{'Release' if released else 'Destruction'} approved by {person_name(actor)}: "
                    f"{locked.reason}"
                )[:300],
                condition=(note or "As held")[:300],
                transferred_at=now,
                recorded_at=now,
                recorded_by=actor,
            )
            previous_custodian = held.custodian
            held.custodian = final.to_custodian
            specs.append(_transfer_event(actor, final, held))
            changes = {"status": [before, held.status], "custodian": [previous_custodian, held.custodian]}
            CaseEvent.objects.create(
                case=case,
                kind="note",
                reason=f"{held.number} {_status_label(held.status)}"
                + (f" to {locked.released_to}" if released else "")
                + f", approved by {person_name(actor)}.",
                at=now,
                by=actor,
            )
        else:
            held.status = EvidenceStatus.IN_CUSTODY
            changes = {"status": [before, held.status]}
        held.save(update_fields=["status", "custodian"])
        specs.append(audit.EventSpec(action=AuditAction.TRANSITION, actor=actor, obj=held, changes=changes))
        audit.record_many(specs)
    item.status, item.custodian = held.status, held.custodian
    return locked


# Hash checks and files ---------------------------------------------------------------------


def verify_evidence(*, actor: Any, item: EvidenceItem) -> bool:
    """Re-hash the item's stored file. A mismatch (tampering, or a lost file) is recorded as a
    failed verification in the audit trail; either way the answer is audited."""
    require_case_viewer(actor, item.case)
    stored = item.file
    if stored is None:
        raise ValidationError(f"{item.number} has no stored file to check.")
    reason = ""
    if stored.sha256 != item.sha256:
        reason = "the stored file is not the one whose SHA-256 was recorded at collection"
    else:
        try:
            files.open_verified(stored).close()
        except FileIntegrityError as error:
            reason = error.reason
    detail: dict[str, Any] = {"check": "sha256", "sha256": item.sha256, "case_id": item.case_id}
    if reason:
        detail["reason"] = reason
    audit.record(
        AuditAction.VERIFY,
        actor=actor,
        obj=item,
        detail=detail,
        outcome=AuditOutcome.FAILURE if reason else AuditOutcome.SUCCESS,
    )
    return not reason


def open_evidence_file(*, actor: Any, case_id: int, item_id: int) -> tuple[StoredFile, str, IO[bytes]]:
    """A digital item's verified file for someone who may see the case (404 otherwise)."""
    case = case_for_download(actor, case_id, {"item": item_id})
    item = EvidenceItem.objects.select_related("file").filter(pk=item_id, case=case).first()
    if item is None or item.file is None:
        raise Http404("No such file")
    content = open_stored(
        actor=actor, obj=item, stored_file=item.file, detail={"case": case.number, "item": item.number}
    )
    return item.file, download_name(f"{case.number}-{item.number}", item.file), content


# The custody report --------------------------------------------------------------------------


def render_pdf(html: str) -> bytes:
    """PDF from HTML, with no network and nothing from disk: only `data:` URLs are read."""
    # Imported when needed (it loads Pango); through importlib because it ships no type hints.
    weasyprint = importlib.import_module("weasyprint")
    fetcher = importlib.import_module("weasyprint.urls").URLFetcher(allowed_protocols={"data"}, timeout=1)
    pdf: bytes = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    return pdf


def custody_report(*, actor: Any, item: EvidenceItem | None = None, case: Case | None = None) -> bytes:
    """The chain of custody of one item, or of every item of a case, as a PDF; audited as a
    download."""
    case = item.case if item is not None else case
    if case is None or (item is not None and case.pk != item.case_id):
        raise ValueError("custody_report takes an item or a case")
    require_case_viewer(actor, case)
    items = (
        EvidenceItem.objects.filter(case=case)
        .select_related("collected_by")
        .prefetch_related(
            Prefetch(
                "custody",
                queryset=CustodyTransfer.objects.select_related("recorded_by").order_by("sequence"),
            ),
            Prefetch(
                "disposals",
                queryset=DisposalRequest.objects.select_related("requested_by", "decided_by").order_by(
                    "requested_at"
                ),
            ),
        )
        .order_by("pk")
    )
    if item is not None:
        items = items.filter(pk=item.pk)
    rows = list(items)
    html = render_to_string(
        "investigations/custody_report.html",
        {
            "case": case,
            "items": rows,
            "single": item is not None,
            "generated_at": timezone.now(),
            "generated_by": person_name(actor),
            "time_zone": agency_time_zone(),
        },
    )
    pdf = render_pdf(html)
    audit.record(
        AuditAction.DOWNLOAD,
        actor=actor,
        obj=item if item is not None else case,
        detail={
            "report": "custody",
            "case": case.number,
            "items": [row.number for row in rows],
            "sha256": hashlib.sha256(pdf).hexdigest(),
        },
    )
    return pdf
