"""Linking allegations that report one incident, unlinking them, and dismissing suggested duplicates.

Linked allegations share an `AllegationGroup`: each keeps its own sources (channel, people,
narrative, attachments) and the workflow moves the whole group together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, Role
from probity.intake.models import Allegation, AllegationGroup, DuplicateSuggestion, SuggestionStatus

LINKING_ROLES = frozenset({Role.INTAKE, Role.SUPERVISOR})


def _require_role(actor: Any) -> None:
    if actor is None or not actor.has_role(*LINKING_ROLES):
        raise PermissionDenied("Only intake specialists and supervisors link allegations.")


def _visible(actor: Any, pk: int) -> Allegation:
    """The allegation if the actor may see it, else 404 (whether hidden or absent)."""
    return access.get_for(actor, Allegation.objects.all(), pk=pk)


def _lock(pks: Iterable[int]) -> dict[int, Allegation]:
    # Locked without the access filter: FOR UPDATE cannot apply to the outer joins it may add.
    return {a.pk: a for a in Allegation.objects.select_for_update().filter(pk__in=list(pks)).order_by("pk")}


def _check_suggestion(suggestion: DuplicateSuggestion, pair: set[int]) -> DuplicateSuggestion:
    locked = DuplicateSuggestion.objects.select_for_update().filter(pk=suggestion.pk).first()
    if locked is None or {locked.allegation_id, locked.candidate_id} != pair:
        raise ValidationError("That suggestion is not about these two allegations.")
    return locked


def link_allegations(
    *, actor: Any, allegation: Allegation, other: Allegation, suggestion: DuplicateSuggestion | None = None
) -> AllegationGroup:
    """Link two allegations as one incident, merging their groups; both must be visible to the actor.

    Every allegation whose group changes is audited, as is the suggestion the link decides.
    """
    _require_role(actor)
    if allegation.pk == other.pk:
        raise ValidationError("An allegation cannot be linked to itself.")
    with transaction.atomic():
        _visible(actor, allegation.pk)
        _visible(actor, other.pk)
        locked_suggestion = (
            _check_suggestion(suggestion, {allegation.pk, other.pk}) if suggestion is not None else None
        )
        pair = _lock([allegation.pk, other.pk])
        first, second = pair[allegation.pk], pair[other.pk]
        group_ids = {g for g in (first.group_id, second.group_id) if g is not None}
        members = _lock(Allegation.objects.filter(group_id__in=group_ids).values_list("pk", flat=True)) | pair
        seen = set(
            access.visible(actor, Allegation.objects.filter(pk__in=list(members))).values_list(
                "pk", flat=True
            )
        )
        if seen != set(members):
            raise ValidationError(
                "One of these allegations is already linked to others you may not see; "
                "ask a colleague without that restriction to link them."
            )
        now = timezone.now()
        created = not group_ids
        group = (
            AllegationGroup.objects.create(created_at=now, created_by=actor)
            if created
            else AllegationGroup.objects.get(pk=min(group_ids))
        )
        # A merged-away group is left empty rather than deleted: audit events still name it.
        moving = [a for a in members.values() if a.group_id != group.pk]
        Allegation.objects.filter(pk__in=[a.pk for a in moving]).update(group=group, updated_at=now)
        resolved = _resolve_suggestions(actor, set(members), now, locked_suggestion)

        events = []
        if created:
            events.append(
                audit.EventSpec(
                    action=AuditAction.CREATE,
                    actor=actor,
                    obj=group,
                    detail={"allegations": sorted(a.number for a in members.values())},
                )
            )
        for moved in moving:
            events.append(
                audit.EventSpec(
                    action=AuditAction.UPDATE,
                    actor=actor,
                    obj=moved,
                    changes={"group": [moved.group_id, group.pk]},
                    detail={
                        "linked": [first.number, second.number],
                        "suggestion_id": locked_suggestion.pk if locked_suggestion else None,
                    },
                )
            )
        if not moving:
            # Already one group: the decision is still recorded on both.
            events.extend(
                audit.EventSpec(
                    action=AuditAction.UPDATE,
                    actor=actor,
                    obj=a,
                    detail={"linked": [first.number, second.number], "already_linked": True},
                )
                for a in (first, second)
            )
        events.extend(
            audit.EventSpec(
                action=AuditAction.TRANSITION,
                actor=actor,
                obj=s,
                changes={"status": [SuggestionStatus.SUGGESTED, SuggestionStatus.LINKED]},
            )
            for s in resolved
        )
        audit.record_many(events)
    allegation.group_id = other.group_id = group.pk
    if suggestion is not None:
        suggestion.refresh_from_db(fields=["status", "decided_by", "decided_at"])
    return group


def _resolve_suggestions(
    actor: Any, members: set[int], now: dt.datetime, chosen: DuplicateSuggestion | None
) -> list[DuplicateSuggestion]:
    """Mark as linked the pending suggestions now inside one group (and the chosen one, if dismissed)."""
    undecided = Q(status=SuggestionStatus.SUGGESTED)
    if chosen is not None:
        undecided |= Q(pk=chosen.pk)
    pending = list(
        DuplicateSuggestion.objects.select_for_update()
        .filter(undecided, allegation_id__in=members, candidate_id__in=members)
        .exclude(status=SuggestionStatus.LINKED)
    )
    for suggestion in pending:
        suggestion.status = SuggestionStatus.LINKED
        suggestion.decided_by = actor
        suggestion.decided_at = now
    DuplicateSuggestion.objects.bulk_update(pending, ["status", "decided_by", "decided_at"])
    return pending


def unlink_allegation(*, actor: Any, allegation: Allegation) -> None:
    """Take one allegation out of its group; a group left with one member is dissolved too."""
    _require_role(actor)
    with transaction.atomic():
        _visible(actor, allegation.pk)
        current = _lock([allegation.pk])[allegation.pk]
        if current.group_id is None:
            raise ValidationError(f"{current.number} is not linked to any other allegation.")
        group_id = current.group_id
        rest = list(
            Allegation.objects.select_for_update()
            .filter(group_id=group_id)
            .exclude(pk=current.pk)
            .order_by("pk")
        )
        leaving = [current, *rest] if len(rest) == 1 else [current]
        now = timezone.now()
        Allegation.objects.filter(pk__in=[a.pk for a in leaving]).update(group=None, updated_at=now)
        audit.record_many(
            audit.EventSpec(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=a,
                changes={"group": [group_id, None]},
                detail={"unlinked": current.number},
            )
            for a in leaving
        )
    allegation.group_id = None


def dismiss_suggestion(*, actor: Any, suggestion: DuplicateSuggestion) -> DuplicateSuggestion:
    """Record that two allegations are not the same incident; the pair is never suggested again."""
    _require_role(actor)
    with transaction.atomic():
        first = _visible(actor, suggestion.allegation_id)
        second = _visible(actor, suggestion.candidate_id)
        locked = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.status != SuggestionStatus.SUGGESTED:
            raise ValidationError(f"This suggestion was already {locked.get_status_display().lower()}.")
        now = timezone.now()
        locked.status = SuggestionStatus.DISMISSED
        locked.decided_by = actor
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record_many(
            [
                audit.EventSpec(
                    action=AuditAction.TRANSITION,
                    actor=actor,
                    obj=locked,
                    changes={"status": [SuggestionStatus.SUGGESTED, SuggestionStatus.DISMISSED]},
                    detail={"allegations": [first.number, second.number], "score": locked.score},
                ),
                *(
                    audit.EventSpec(
                        action=AuditAction.UPDATE,
                        actor=actor,
                        obj=a,
                        detail={"dismissed_suggestion": locked.pk, "not_linked_with": b.number},
                    )
                    for a, b in ((first, second), (second, first))
                ),
            ]
        )
    suggestion.status, suggestion.decided_by, suggestion.decided_at = locked.status, actor, now
    return locked
