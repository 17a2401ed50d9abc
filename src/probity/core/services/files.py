"""Services for stored files: storing uploads, attaching them to records, downloading them."""

from __future__ import annotations

from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit, files
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, AuditOutcome, FileAttachment, StoredFile

DESCRIPTION_MAX = 500


def _may_see(user: Any, model: type[models.Model], object_id: int) -> bool:
    """Whether `user` may see one record: the access policy for sensitive models, else the
    model's Django view permission (the directory and the organisation tree)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if access.is_registered(model):
        return access.visible(user, model._default_manager.filter(pk=object_id)).exists()
    opts = model._meta
    return bool(user.has_perm(f"{opts.app_label}.view_{opts.model_name}")) and (
        model._default_manager.filter(pk=object_id).exists()
    )


def _put_blob(received: files.Received) -> None:
    # Outside the transaction: copying a large file must not hold the database's write lock.
    existing = (
        StoredFile.objects.filter(sha256=received.sha256).values_list("storage_name", flat=True).first()
    )
    files.put_blob(received, existing)


def _stored_row(actor: Any, received: files.Received) -> StoredFile:
    stored, created = StoredFile.objects.get_or_create(
        sha256=received.sha256,
        defaults={
            "size": received.size,
            "content_type": received.content_type,
            "storage_name": files.storage_name(received.sha256),
            "created_at": timezone.now(),
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if created:
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=stored,
            changes={
                "sha256": [None, stored.sha256],
                "size": [None, stored.size],
                "content_type": [None, stored.content_type],
            },
        )
    return stored


def store_file(*, actor: Any, upload: Any) -> StoredFile:
    """Store an upload (or find the identical content already stored)."""
    with files.receive(upload) as received:
        _put_blob(received)
        with transaction.atomic():
            return _stored_row(actor, received)


def attach_file(
    *, actor: Any, record: models.Model, upload: Any, filename: str, description: str = ""
) -> FileAttachment:
    """Attach an upload to a record the actor may see; 404 if they may not."""
    if record.pk is None or not _may_see(actor, type(record), record.pk):
        raise Http404("No such record")
    name = files.clean_filename(filename)
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(f"The description may be at most {DESCRIPTION_MAX} characters.")
    with files.receive(upload) as received:
        _put_blob(received)
        with transaction.atomic():
            attachment = _attach(actor, record, _stored_row(actor, received), name, description)
    return attachment


def _attach(
    actor: Any, record: models.Model, stored: StoredFile, name: str, description: str
) -> FileAttachment:
    attachment = FileAttachment.objects.create(
        file=stored,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        filename=name,
        description=description,
        attached_at=timezone.now(),
        attached_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=attachment,
        changes={
            "record": [None, f"{audit.label_of(record)}:{record.pk}"],
            "filename": [None, name],
            "description": [None, description],
            "sha256": [None, stored.sha256],
        },
    )
    return attachment


def open_attachment(*, actor: Any, attachment_id: int) -> tuple[FileAttachment, IO[bytes]]:
    """The attachment and its verified content, for a user who may see its record.

    Every attempt is audited: success, refusal (answered 404) or a failed integrity check
    (raised as `FileIntegrityError` after the failure is recorded).
    """
    attachment = (
        FileAttachment.objects.select_related("file", "content_type").filter(pk=attachment_id).first()
    )
    if attachment is None:
        raise Http404("No such file")
    model = attachment.content_type.model_class()
    ct = attachment.content_type
    detail = {"record": f"{ct.app_label}.{ct.model}:{attachment.object_id}", "sha256": attachment.file.sha256}
    if model is None or not _may_see(actor, model, attachment.object_id):
        audit.record(
            AuditAction.DOWNLOAD, actor=actor, obj=attachment, detail=detail, outcome=AuditOutcome.DENIED
        )
        raise Http404("No such file")
    try:
        content = files.open_verified(attachment.file)
    except FileIntegrityError as error:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=attachment,
            detail={**detail, "reason": error.reason},
            outcome=AuditOutcome.FAILURE,
        )
        raise
    audit.record(AuditAction.DOWNLOAD, actor=actor, obj=attachment, detail=detail)
    return attachment, content
