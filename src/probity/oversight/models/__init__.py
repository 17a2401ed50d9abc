"""Oversight models, one module per program."""

from probity.oversight.models.deaths import CustodyAgency, DeathInCustody, DeathReview, DeathReviewStatus
from probity.oversight.models.giglio import (
    CompiledItem,
    GiglioRequest,
    GiglioStatus,
    ItemKind,
    JudicialFinding,
)
from probity.oversight.models.incidents import (
    AgendaItem,
    BoardMeeting,
    BoardMeetingStatus,
    CriticalIncident,
    Determination,
    ForceUsed,
    IncidentEmployee,
    IncidentKind,
    IncidentStatus,
    IncidentSubject,
    Recommendation,
    RecommendationKind,
)
from probity.oversight.models.prea import FacilityType, MonitoringCheck, PreaOutcome, PreaTrack

__all__ = [
    "AgendaItem",
    "BoardMeeting",
    "BoardMeetingStatus",
    "CompiledItem",
    "CriticalIncident",
    "CustodyAgency",
    "DeathInCustody",
    "DeathReview",
    "DeathReviewStatus",
    "Determination",
    "FacilityType",
    "ForceUsed",
    "GiglioRequest",
    "GiglioStatus",
    "IncidentEmployee",
    "IncidentKind",
    "IncidentStatus",
    "IncidentSubject",
    "ItemKind",
    "JudicialFinding",
    "MonitoringCheck",
    "PreaOutcome",
    "PreaTrack",
    "Recommendation",
    "RecommendationKind",
]
