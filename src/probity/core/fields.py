"""Model fields encrypted at rest with a rotatable key list (PROBITY_FIELD_KEYS, newest first)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "PROBITY_FIELD_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)"
        ) from exc


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_KEYS))


def encrypt_text(value: str) -> str:
    return cipher().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field could not be read with any key in PROBITY_FIELD_KEYS"
        ) from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a stored token under the newest key."""
    return cipher().rotate(token.encode()).decode()


class EncryptedDateField(models.TextField):  # type: ignore[type-arg]
    """A date stored as a Fernet token: unreadable in the database, a backup or a dump.

    Encrypted values cannot be filtered or sorted in SQL; match on them in Python.
    """

    description = "Date encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        return dt.date.fromisoformat(decrypt_text(value))

    def to_python(self, value: Any) -> dt.date | None:
        if value is None or value == "" or isinstance(value, dt.date):
            return value or None
        return dt.date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        day = self.to_python(value)
        if day is None:
            return None
        return encrypt_text(day.isoformat())

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.DateField(required=not self.blank, **kwargs)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Free text (contact details, medical notes) stored as a Fernet token. Not searchable in SQL."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value)
        return encrypt_text(text) if text else ""


ENCRYPTED_FIELD_TYPES = (EncryptedDateField, EncryptedTextField)
