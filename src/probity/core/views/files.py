"""File downloads: verified, audited, and only for users who may see the record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from probity.core.files import FileIntegrityError
from probity.core.services.files import open_attachment


@login_required
def download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    try:
        attachment, content = open_attachment(actor=request.user, attachment_id=attachment_id)
    except FileIntegrityError:
        return render(
            request,
            "core/files/integrity_failed.html",
            {"attachment_id": attachment_id},
            status=409,
        )
    response = FileResponse(
        content,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
