"""Services for staff accounts and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from probity.core import audit
from probity.core.models import AuditAction, Employee, OrgUnit, Role, User


def create_user(
    *,
    actor: Any,
    username: str,
    password: str | None,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    office_scope: OrgUnit | None = None,
    employee: Employee | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    roles = list(roles)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(sorted(unknown))}")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"The user name {username!r} is taken")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        office_scope=office_scope,
        employee=employee,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=user,
            changes={
                "username": [None, username],
                "roles": [None, sorted(roles)],
                "office_scope": [None, office_scope.code if office_scope else None],
                "employee": [None, employee.employee_number if employee else None],
            },
        )
    return user
