"""Opening a case: from allegations intake routed to an OPR investigation.

`open_case` is the one way a case comes into being. Intake's routing hook calls it (through
`on_routed`) for each allegation routed to an investigation; linked allegations routed together
land in one case. The case is numbered per OPR field office and fiscal year, its parties and
allegations (one per subject and category) are carried over from intake, and the case-age clock
starts at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction, OrgUnit, OrgUnitKind
from probity.core.numbering import next_number
from probity.core.services.deadlines import start_deadline
from probity.intake.models import (
    Allegation,
    AllegationCategory,
    AllegationPerson,
    AllegationStatus,
    PersonRole,
    RoutingOutcome,
)
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseEvent,
    CaseOrigin,
    CaseParty,
    CaseSource,
    CaseStatus,
    CaseType,
    PartyRole,
    PartyRoleChange,
)
from probity.investigations.workflow import OPEN_STATES

CASE_AGE_RULE = "investigation-target"
FALLBACK_CATEGORY = "other-misconduct"

TYPE_OF_OUTCOME = {
    RoutingOutcome.INVESTIGATION_CRIMINAL: CaseType.CRIMINAL,
    RoutingOutcome.INVESTIGATION_ADMINISTRATIVE: CaseType.ADMINISTRATIVE,
    RoutingOutcome.INVESTIGATION_JOINT: CaseType.JOINT,
}


def fiscal_year(moment: dt.datetime) -> int:
    """The federal fiscal year (October to September) of a moment, in the agency's time zone."""
    local = moment.astimezone(ZoneInfo(settings.PROBITY_AGENCY_TIME_ZONE))
    return local.year + 1 if local.month >= 10 else local.year


def opr_unit() -> OrgUnit | None:
    unit: OrgUnit | None = OrgUnit.objects.filter(code=settings.PROBITY_OPR_UNIT_CODE).first()
    return unit


def opr_field_offices() -> list[OrgUnit]:
    root = opr_unit()
    if root is None:
        return []
    return list(
        OrgUnit.objects.filter(
            path__startswith=root.path, kind=OrgUnitKind.FIELD_OFFICE, active=True
        ).order_by("path")
    )


def case_office_for(allegation: Allegation) -> OrgUnit:
    """The OPR office that takes a case on this allegation.

    The OPR field office above (or at) the allegation's office; else one in the same state
    (the same city first); else OPR itself, whose supervisors move it to a field office.
    """
    offices = opr_field_offices()
    place = allegation.office
    if place is not None:
        for office in offices:
            if place.path.startswith(office.path):
                return office
        same_state = [office for office in offices if place.state and office.state == place.state]
        same_city = [office for office in same_state if place.city and office.city == place.city]
        if same_city or same_state:
            return (same_city or same_state)[0]
    root = opr_unit()
    if root is None:
        raise ValidationError(
            f"No OPR office exists to own the case: add the OPR unit (code {settings.PROBITY_OPR_UNIT_CODE}) "
            "to the organisation."
        )
    return root


def _person_key(person: AllegationPerson) -> tuple[Any, ...]:
    if person.employee_id is not None:
        return ("employee", person.employee_id)
    return ("described", person.name.strip().lower(), person.badge_number.strip(), person.description.strip())


def _party_key(party: CaseParty) -> tuple[Any, ...]:
    """The key of the intake person a party was carried over from, so a linked allegation that
    names the same person joins that party (a case party has no badge number of its own)."""
    if party.employee_id is not None:
        return ("employee", party.employee_id)
    if party.source_person is not None:
        return _person_key(party.source_person)
    return ("described", party.name.strip().lower(), "", party.description.strip())


def _carry_over(case: Case, allegations: Sequence[Allegation], now: dt.datetime, actor: Any) -> None:
    """Parties and per-subject allegations from intake; an employee named twice is one party."""
    parties = {_party_key(p): p for p in case.parties.select_related("source_person")}
    existing_pairs = set(case.case_allegations.values_list("subject_id", "category_id"))
    fallback = AllegationCategory.objects.filter(code=FALLBACK_CATEGORY).first()
    for allegation in allegations:
        categories = list(allegation.categories.all()) or ([fallback] if fallback else [])
        for person in allegation.people.all():
            key = _person_key(person)
            party = parties.get(key)
            if party is None:
                description = person.description or (
                    f"Badge {person.badge_number}" if person.badge_number else ""
                )
                if person.employee_id is None and not person.name and not description:
                    description = (
                        "Anonymous"
                        if person.anonymous
                        else f"Unidentified {person.get_role_display().lower()}"
                    )
                party = CaseParty.objects.create(
                    case=case,
                    role=person.role,
                    employee_id=person.employee_id,
                    name=person.name,
                    description=description,
                    contact=person.contact,
                    source_person=person,
                    added_at=now,
                )
                PartyRoleChange.objects.create(
                    party=party, to_role=party.role, reason=f"Named in {allegation.number}", at=now, by=actor
                )
                parties[key] = party
            elif person.role == PersonRole.SUBJECT and party.role != PartyRole.SUBJECT:
                PartyRoleChange.objects.create(
                    party=party,
                    from_role=party.role,
                    to_role=PartyRole.SUBJECT,
                    reason=f"Named as a subject in {allegation.number}",
                    at=now,
                    by=actor,
                )
                party.role = PartyRole.SUBJECT
                party.save(update_fields=["role"])
            if person.role != PersonRole.SUBJECT:
                continue
            for category in categories:
                if (party.pk, category.pk) in existing_pairs:
                    continue
                existing_pairs.add((party.pk, category.pk))
                CaseAllegation.objects.create(
                    case=case, subject=party, category=category, source=allegation, added_at=now
                )
        CaseSource.objects.create(case=case, allegation=allegation, linked_at=now)


def open_case(
    *,
    actor: Any,
    allegations: Sequence[Allegation],
    case_type: str,
    office: OrgUnit | None = None,
    title: str = "",
    origin: str = CaseOrigin.ROUTED,
    opening_reason: str = "",
) -> Case:
    """Open one case on routed allegations (all of them in one transaction)."""
    if not allegations:
        raise ValidationError("A case is opened on at least one allegation.")
    if case_type not in CaseType.values:
        raise ValidationError({"case_type": [f"Unknown case type {case_type!r}."]})
    if origin == CaseOrigin.DIRECT and not opening_reason.strip():
        raise ValidationError({"opening_reason": ["Say why the case is opened directly."]})
    with transaction.atomic():
        locked = list(Allegation.objects.select_for_update().filter(pk__in=[a.pk for a in allegations]))
        for allegation in locked:
            if (
                allegation.status != AllegationStatus.ROUTED
                or allegation.routing_outcome not in TYPE_OF_OUTCOME
            ):
                raise ValidationError(f"{allegation.number} is not routed to an OPR investigation.")
        already = CaseSource.objects.filter(
            allegation__in=locked, case__status__in=OPEN_STATES
        ).select_related("case", "allegation")
        for source in already:
            raise ValidationError(
                f"{source.allegation.number} is already investigated in case {source.case.number}."
            )
        now = timezone.now()
        office = office or case_office_for(locked[0])
        year = fiscal_year(now)
        title = (title.strip() or locked[0].summary)[:200]
        case = Case.objects.create(
            number=next_number(office.code, year),
            office=office,
            fiscal_year=year,
            case_type=case_type,
            status=CaseStatus.OPENED,
            title=title,
            synopsis="",
            origin=origin,
            opening_reason=opening_reason.strip(),
            compartment=next((a.compartment for a in locked if a.compartment_id), None),
            opened_at=now,
            opened_by=actor,
            created_at=now,
            updated_at=now,
        )
        _carry_over(case, locked, now, actor)
        CaseEvent.objects.create(
            case=case,
            kind="transition",
            to_value=CaseStatus.OPENED,
            reason=opening_reason.strip() or "Routed from intake: " + ", ".join(a.number for a in locked),
            at=now,
            by=actor,
        )
        start_deadline(
            actor=actor,
            rule=CASE_AGE_RULE,
            record=case,
            title=f"Close case {case.number}",
            office=office,
            started_at=now,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=case,
            changes={
                "status": [None, case.status],
                "case_type": [None, case.case_type],
                "office": [None, office.code],
            },
            detail={"allegations": [a.number for a in locked], "origin": origin},
        )
    return case


def on_routed(*, actor: Any, allegation: Allegation) -> None:
    """Intake's routing hook: open a case, or join the case of a linked allegation routed with it."""
    case_type = TYPE_OF_OUTCOME[RoutingOutcome(allegation.routing_outcome)]
    if allegation.group_id is not None:
        sibling_case = (
            Case.objects.filter(sources__allegation__group_id=allegation.group_id, status__in=OPEN_STATES)
            .order_by("pk")
            .first()
        )
        if sibling_case is not None:
            now = timezone.now()
            _carry_over(sibling_case, [allegation], now, actor)
            audit.record(
                AuditAction.UPDATE,
                actor=actor,
                obj=sibling_case,
                detail={"allegation_added": allegation.number},
            )
            return
    open_case(actor=actor, allegations=[allegation], case_type=case_type)
