"""Sensitive fields are unreadable in the database and survive key rotation."""

from __future__ import annotations

import datetime as dt

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from probity.core.models import Employee
from tests.conftest import Org, make_employee


def raw_date_of_birth(employee: Employee) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT date_of_birth FROM core_employee WHERE id = %s", [employee.pk])
        return str(cursor.fetchone()[0])


def test_date_of_birth_is_encrypted_at_rest(org: Org) -> None:
    employee = make_employee("E1", "Ana", "Lopez", org.tucson, date_of_birth=dt.date(1984, 3, 9))
    raw = raw_date_of_birth(employee)
    assert "1984" not in raw
    assert Employee.objects.get(pk=employee.pk).date_of_birth == dt.date(1984, 3, 9)


def test_rotation_re_encrypts_under_the_new_key_and_old_key_can_go(org: Org, settings: object) -> None:
    old_keys = list(settings.FIELD_KEYS)  # type: ignore[attr-defined]
    employee = make_employee("E2", "Bo", "Chen", org.tucson, date_of_birth=dt.date(1990, 12, 31))
    new_key = Fernet.generate_key().decode()
    settings.FIELD_KEYS = [new_key, *old_keys]  # type: ignore[attr-defined]
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_KEYS = [new_key]  # type: ignore[attr-defined]
    assert Employee.objects.get(pk=employee.pk).date_of_birth == dt.date(1990, 12, 31)
    assert Fernet(new_key.encode()).decrypt(raw_date_of_birth(employee).encode()) == b"1990-12-31"
