"""Intake models, one module per aggregate."""

from probity.intake.models.allegations import (
    Allegation,
    AllegationGroup,
    AllegationPerson,
    AllegationStatus,
    Channel,
    DatePrecision,
    PersonRole,
    PublicStatus,
    RoutingOutcome,
    SelfReportKind,
    Seriousness,
)
from probity.intake.models.duplicates import DuplicateSuggestion, SuggestionStatus
from probity.intake.models.portal import PublicFollowUp, PublicSubmission
from probity.intake.models.ratelimit import PortalRateCounter
from probity.intake.models.reference import AllegationCategory, ArrestCategory, Impeachment
from probity.intake.models.referrals import OigAnswer, OigReferral

__all__ = [
    "Allegation",
    "AllegationCategory",
    "AllegationGroup",
    "AllegationPerson",
    "AllegationStatus",
    "ArrestCategory",
    "Channel",
    "DatePrecision",
    "DuplicateSuggestion",
    "Impeachment",
    "OigAnswer",
    "OigReferral",
    "PersonRole",
    "PortalRateCounter",
    "PublicFollowUp",
    "PublicStatus",
    "PublicSubmission",
    "RoutingOutcome",
    "SelfReportKind",
    "Seriousness",
    "SuggestionStatus",
]
