"""A sensitive record naming people, standing in for the domain modules' cases."""

from django.db import models


class Dossier(models.Model):
    title = models.CharField(max_length=100)
    office = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    compartment = models.ForeignKey("core.Compartment", on_delete=models.PROTECT, null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class DossierPerson(models.Model):
    class Relation(models.TextChoices):
        SUBJECT = "subject", "Subject"
        WITNESS = "witness", "Witness"
        COMPLAINANT = "complainant", "Complainant"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="people")
    employee = models.ForeignKey("core.Employee", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(max_length=12, choices=Relation.choices)

    def __str__(self) -> str:
        return f"{self.employee_id} {self.relation}"
