"""The one access policy: who may see which sensitive record.

A module registers each sensitive model once, declaring how its records relate to people:

    access.register(Case, access.RecordRules(
        roles={Role.AGENT, Role.SUPERVISOR}, office="office", compartment="compartment",
        people="subjects__employee", assigned="lead_agent"))

Every read then goes through `visible(user, queryset)` or `get_for(user, queryset, pk=…)`.
The rules, in order:

1. Recusal: a user linked to an employee never sees a record that names that employee
   (subject, witness, complainant), whatever the role, assignment or grant.
2. Compartments: a restricted record needs an open grant to its compartment.
3. Assignment: a user assigned to the record sees it (subject to 1 and 2).
4. Role and office scope: a user holding one of the model's roles sees records in the
   subtree of their office scope (everything if the scope is empty or the role is agency-wide).

A record the user may not see is a 404, never a 403, so that its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from probity.core.models import CompartmentGrant, OrgUnit, RecordAssignment, User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class RecordRules:
    """How one sensitive model relates to people. Paths are ORM lookups from the model."""

    roles: frozenset[str] = field(default_factory=frozenset)
    office: str | None = None  # path to an OrgUnit
    agency_wide_roles: frozenset[str] = field(default_factory=frozenset)
    assigned: str | None = None  # path to a User; RecordAssignment rows always count too
    compartment: str | None = None  # path to a Compartment (null = not restricted)
    people: tuple[str, ...] = ()  # paths to Employees named in the record (recusal)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "agency_wide_roles", frozenset(self.agency_wide_roles))
        if isinstance(self.people, str):
            object.__setattr__(self, "people", (self.people,))


_registry: dict[type[models.Model], RecordRules] = {}


def register(model: type[models.Model], rules: RecordRules) -> None:
    _registry[model] = rules


def rules_for(model: type[models.Model]) -> RecordRules:
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not registered with the access policy") from None


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def registered_models() -> list[type[models.Model]]:
    return list(_registry)


def _assignment_q(user: User, model: type[models.Model], rules: RecordRules) -> Q:
    ct = ContentType.objects.get_for_model(model)
    q = Q(
        Exists(
            RecordAssignment.objects.filter(
                content_type=ct, object_id=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True
            )
        )
    )
    if rules.assigned:
        q |= Q(pk__in=model._default_manager.filter(**{rules.assigned: user.pk}).values("pk"))
    return q


def _scope_q(user: User, rules: RecordRules) -> Q:
    held = user.roles & rules.roles
    if not held:
        return Q(pk__in=[])
    scope: OrgUnit | None = user.office_scope
    if scope is None or held & rules.agency_wide_roles or rules.office is None:
        return Q(pk__isnull=False)  # everything; an empty Q() would vanish when OR-ed
    return Q(**{f"{rules.office}__path__startswith": scope.path})


def visible[M: models.Model](user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The records of `queryset` that `user` may see."""
    model = queryset.model
    rules = rules_for(model)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    q = _scope_q(user, rules) | _assignment_q(user, model, rules)
    queryset = queryset.filter(q)
    if rules.compartment:
        granted = CompartmentGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True).values(
            "compartment_id"
        )
        queryset = queryset.filter(
            Q(**{f"{rules.compartment}__isnull": True}) | Q(**{f"{rules.compartment}__in": granted})
        )
    if user.employee_id is not None:
        for path in rules.people:
            naming = model._default_manager.filter(**{path: user.employee_id}).values("pk")
            queryset = queryset.exclude(pk__in=naming)
    return queryset


def can_view(user: Any, obj: models.Model) -> bool:
    return visible(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def get_for[M: models.Model](user: Any, queryset: QuerySet[M], **lookup: Any) -> M:
    """One record the user may see, or 404 (whether it does not exist or is hidden)."""
    try:
        return visible(user, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such record") from None


def recused_employee_ids(users: Iterable[User]) -> set[int]:
    return {user.employee_id for user in users if user.employee_id is not None}
