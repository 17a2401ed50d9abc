"""The organisation tree: agency, directorates, divisions and offices."""

from __future__ import annotations

from django.db import models
from treebeard.mp_tree import MP_Node


class OrgUnitKind(models.TextChoices):
    AGENCY = "agency", "Agency"
    DIRECTORATE = "directorate", "Directorate"
    DIVISION = "division", "Division"
    HEADQUARTERS = "headquarters", "Headquarters office"
    FIELD_OFFICE = "field_office", "Field office"
    PORT_OF_ENTRY = "port_of_entry", "Port of entry"
    STATION = "station", "Station"


OFFICE_KINDS = frozenset(
    {
        OrgUnitKind.HEADQUARTERS,
        OrgUnitKind.FIELD_OFFICE,
        OrgUnitKind.PORT_OF_ENTRY,
        OrgUnitKind.STATION,
    }
)


class OrgUnit(MP_Node):
    """A unit of the agency; `path` (materialised) makes subtree queries one LIKE."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrgUnitKind.choices)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="USPS state or territory code")
    active = models.BooleanField(default=True)

    node_order_by = ["name"]

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[c.value for c in OrgUnitKind]),
                name="orgunit_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_office(self) -> bool:
        return self.kind in OFFICE_KINDS

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.state) if part)
