"""OPR staff accounts and their roles."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """Roles of DESIGN.md; each is a Django group of the same name with explicit permissions."""

    INTAKE = "intake", "Intake specialist"
    AGENT = "agent", "Special agent"
    SUPERVISOR = "supervisor", "Supervisor"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    ANALYST = "analyst", "Analyst"
    ADJUDICATOR = "adjudicator", "Adjudicator"
    POLYGRAPH = "polygraph", "Polygraph examiner"
    INSPECTOR = "inspector", "Inspector"
    GIGLIO = "giglio", "Giglio official"
    LABOR_RELATIONS = "labor_relations", "Labor/employee relations"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "admin", "Administrator"


class User(AbstractUser):
    """A staff account. `office_scope` limits what the user sees to one subtree of the agency;
    `employee` links the account to the person's own directory record, which drives recusal."""

    office_scope = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for agency-wide scope.",
    )
    employee = models.OneToOneField(
        "core.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user_account",
        help_text="The user's own directory record; records naming this employee are hidden.",
    )

    class Meta:
        ordering = ["username"]

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.is_active or not self.pk:
            return frozenset()
        valid = set(Role.values)
        return frozenset(name for name in self.groups.values_list("name", flat=True) if name in valid)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in Role.values if role in self.roles]
