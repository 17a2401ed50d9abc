"""PREA clocks on a sexual-abuse allegation: started the moment it is recorded (6 CFR part 115).

Called by `record_allegation` inside its own transaction, so an allegation flagged PREA never
exists without its clocks. The oversight module meets them when the steps are done.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from probity.core.models import Deadline, DeadlineRule
from probity.core.services.deadlines import start_deadline
from probity.intake.models import Allegation

# Rule code -> what the clock asks for; durations are the rules' data (intake/fixtures).
PREA_CLOCKS = {
    "prea-intake-notification": "PREA: notify the program manager",
    "prea-contact-removal": "PREA: remove the accused from contact with detainees",
}


def start_prea_clocks(allegation: Allegation, *, actor: Any = None) -> list[Deadline]:
    """Start each PREA clock the allegation does not have yet, counted from its receipt.

    A rule an administrator switched off starts nothing: the report must still be taken.
    """
    if not allegation.prea:
        return []
    with transaction.atomic():
        started = set(
            Deadline.objects.filter(
                content_type=ContentType.objects.get_for_model(Allegation),
                object_id=allegation.pk,
                rule__code__in=PREA_CLOCKS,
            ).values_list("rule__code", flat=True)
        )
        switched_on = set(
            DeadlineRule.objects.filter(code__in=PREA_CLOCKS, active=True).values_list("code", flat=True)
        )
        return [
            start_deadline(
                actor=actor,
                rule=code,
                record=allegation,
                title=f"{title} ({allegation.number})",
                office=allegation.office,
                started_at=allegation.received_at,
            )
            for code, title in PREA_CLOCKS.items()
            if code in switched_on and code not in started
        ]
