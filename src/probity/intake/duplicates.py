"""Finding likely duplicates and related allegations when one is recorded, and showing them.

When an allegation is recorded, the matcher gathers a small block of recent allegations that
share a subject employee, the office, or an incident date within a few days (never a scan of
every allegation), scores each pair on matchable fields only (people's identifiers and names,
incident dates, office and place, narrative text) and stores a `DuplicateSuggestion` for each
pair above the threshold, with its score, plain-language reasons and the method that made it.

One canonical direction is stored: `allegation` is the later-recorded of the pair (higher pk)
and `candidate` the earlier, so the pair constraint also holds when two matchers race.
Suggestions are shown on both allegations, only to a viewer who may see the other one.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime as dt
import functools
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, Role
from probity.intake.models import (
    Allegation,
    AllegationPerson,
    DatePrecision,
    DuplicateSuggestion,
    PersonRole,
    SuggestionStatus,
)

logger = logging.getLogger(__name__)

METHOD = "tfidf-char-v1"
DECIDING_ROLES = frozenset({Role.INTAKE, Role.SUPERVISOR})
# A candidate dated to a whole month is stored on its first day: look back that far as well.
_MONTH_SLACK = dt.timedelta(days=31)
# An incident span longer than this is vague: an overlap with it is weaker evidence.
_NARROW_SPAN_DAYS = 7


@dataclass(frozen=True)
class MatchWeights:
    """How strongly each kind of agreement says "same incident", read as independent evidence.

    The score is a noisy-OR: score = 1 - product of (1 - weight * strength), each strength in
    [0, 1] (1 for an exact agreement; less for near dates or partial text similarity). Absent
    data adds nothing rather than counting against a pair. With the defaults and a threshold of
    0.65: the same subject employee on the same day scores 0.70; the same subject alone 0.50,
    and in the same office 0.60 (different incidents of one employee are not suggested); the
    same day in the same office 0.52 (a busy port has many), raised over the threshold by the
    same place (0.69) or a similar narrative; a near-identical narrative alone about 0.75.
    """

    same_subject: float = 0.5  # a directory employee or badge number named as subject in both
    same_complainant: float = 0.4  # the same complainant name
    incident_dates: float = 0.4  # overlapping incident dates; less as they drift apart
    same_office: float = 0.2
    same_place: float = 0.35  # the same free-text place, after normalising case and punctuation
    narrative: float = 0.75  # times the rescaled TF-IDF cosine similarity of the narratives


@dataclass(frozen=True)
class MatchConfig:
    """The matcher's settings; `from_settings` reads the PROBITY_DUPLICATE_* overrides."""

    window_days: int = 365  # candidates received within this many days of the new allegation
    date_tolerance_days: int = 14  # incident dates this far apart still count as near
    threshold: float = 0.65
    block_limit: int = 500  # the most recent candidates per blocking key
    max_suggestions: int = 20  # per recorded allegation, highest scores first
    min_text_chars: int = 50  # shorter narratives carry too little to compare
    max_text_chars: int = 2_000  # the opening of a narrative is compared, not all of it
    text_floor: float = 0.3  # character n-gram cosines below this are shared-language noise
    weights: MatchWeights = field(default_factory=MatchWeights)

    @classmethod
    def from_settings(cls) -> MatchConfig:
        default = cls()
        weights = getattr(settings, "PROBITY_DUPLICATE_WEIGHTS", None) or {}
        return cls(
            window_days=int(getattr(settings, "PROBITY_DUPLICATE_WINDOW_DAYS", default.window_days)),
            date_tolerance_days=int(
                getattr(settings, "PROBITY_DUPLICATE_DATE_TOLERANCE_DAYS", default.date_tolerance_days)
            ),
            threshold=float(getattr(settings, "PROBITY_DUPLICATE_THRESHOLD", default.threshold)),
            block_limit=int(getattr(settings, "PROBITY_DUPLICATE_BLOCK_LIMIT", default.block_limit)),
            max_suggestions=int(
                getattr(settings, "PROBITY_DUPLICATE_MAX_SUGGESTIONS", default.max_suggestions)
            ),
            weights=replace(default.weights, **weights),
        )


# ---------------------------------------------------------------------------------------------
# Scoring: Django-free, on the matchable fields of two allegations.


@dataclass(frozen=True)
class Profile:
    """The matchable fields of one allegation, and nothing else."""

    pk: int
    received_at: dt.datetime
    incident_span: tuple[dt.date, dt.date] | None
    office_id: int | None = None
    office_name: str = ""
    place_key: str = ""
    place: str = ""
    subject_employees: dict[int, str] = field(default_factory=dict)  # employee id -> number
    subject_badges: frozenset[str] = frozenset()
    subject_names: frozenset[str] = frozenset()
    complainant_names: frozenset[str] = frozenset()
    text: str = ""  # the narrative
    group_id: int | None = None  # not matched on: allegations already linked are not suggested


@dataclass(frozen=True)
class Match:
    score: float
    reasons: list[str]


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing folded away, for exact comparison of names and places."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def incident_span(
    start: dt.date | None, precision: str, end: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """The days an incident may have happened on, honouring a date known only to the month or year."""
    if start is None:
        return None
    if precision == DatePrecision.YEAR:
        first, last = start.replace(month=1, day=1), start.replace(month=12, day=31)
    elif precision == DatePrecision.MONTH:
        days = calendar.monthrange(start.year, start.month)[1]
        first, last = start.replace(day=1), start.replace(day=days)
    else:
        first = last = start
    if end is not None and end > last:
        last = end
    return first, last


def _describe_span(span: tuple[dt.date, dt.date]) -> str:
    first, last = span
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _date_evidence(
    a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None, tolerance: int
) -> tuple[float, str]:
    if a is None or b is None:
        return 0.0, ""
    first, last = max(a[0], b[0]), min(a[1], b[1])
    if first <= last:
        narrow = max((a[1] - a[0]).days, (b[1] - b[0]).days) <= _NARROW_SPAN_DAYS
        return (1.0 if narrow else 0.5), f"incident dates overlap ({_describe_span((first, last))})"
    gap = (first - last).days
    if gap > tolerance:
        return 0.0, ""
    earlier, later = (a, b) if a[0] <= b[0] else (b, a)
    # A day or two apart is nearly as telling as the same day: people misremember dates.
    strength = 0.9 * (1 - (gap - 1) / tolerance)
    reason = (
        f"incident dates {gap} day{'s' if gap != 1 else ''} apart "
        f"({_describe_span(earlier)} and {_describe_span(later)})"
    )
    return strength, reason


def score_pair(new: Profile, other: Profile, similarity: float | None, config: MatchConfig) -> Match:
    """The score and reasons for one pair; `similarity` is their text cosine, None when not compared."""
    w = config.weights
    evidence: list[tuple[float, float]] = []  # (weight, strength)
    reasons: list[str] = []

    shared = sorted(set(new.subject_employees) & set(other.subject_employees))
    badges = sorted(new.subject_badges & other.subject_badges)
    names = new.subject_names & other.subject_names
    if shared:
        numbers = ", ".join(new.subject_employees[pk] for pk in shared)
        reasons.append(f"same subject employee{'s' if len(shared) > 1 else ''} ({numbers})")
        evidence.append((w.same_subject, 1.0))
    elif badges:
        reasons.append(f"same subject badge number ({', '.join(badges)})")
        evidence.append((w.same_subject, 1.0))
    elif names:
        # A bare name is weaker than an identifier: namesakes exist.
        reasons.append("same subject name")
        evidence.append((w.same_subject, 0.6))

    if new.complainant_names & other.complainant_names:
        reasons.append("same complainant name")
        evidence.append((w.same_complainant, 1.0))

    strength, reason = _date_evidence(new.incident_span, other.incident_span, config.date_tolerance_days)
    if strength > 0:
        reasons.append(reason)
        evidence.append((w.incident_dates, strength))

    if new.office_id is not None and new.office_id == other.office_id:
        reasons.append(f"same office ({new.office_name})" if new.office_name else "same office")
        evidence.append((w.same_office, 1.0))
    if new.place_key and new.place_key == other.place_key:
        reasons.append(f"same place ({new.place})")
        evidence.append((w.same_place, 1.0))

    if similarity is not None and similarity > config.text_floor:
        reasons.append(f"narrative similarity {similarity:.2f}")
        evidence.append((w.narrative, (similarity - config.text_floor) / (1 - config.text_floor)))

    remaining = 1.0
    for weight, strength in evidence:
        remaining *= 1 - min(1.0, weight * strength)
    return Match(score=round(1 - remaining, 3), reasons=reasons)


@functools.cache
def _ngram_counter() -> Any:
    # Imported here: scikit-learn takes a second to load, which every process start need not pay.
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        strip_accents="unicode",
        lowercase=True,
        alternate_sign=False,
        norm=None,
        n_features=2**20,
    )


@functools.lru_cache(maxsize=2048)
def _ngram_counts(text: str) -> Any:
    """One text's character n-gram counts. Cached: a recent allegation is a candidate many times over,
    and cutting text into n-grams is most of the matcher's cost."""
    return _ngram_counter().transform([text])


def text_similarities(text: str, others: Sequence[str], *, min_chars: int) -> list[float | None]:
    """Cosine similarity of `text` to each of `others` (None where either is too short to compare).

    TF-IDF over character 3- to 5-grams within words (scikit-learn's HashingVectorizer counts,
    weighted by its TfidfTransformer: the same as TfidfVectorizer but for rare hash collisions),
    the inverse document frequencies fitted on the block being compared, so that phrasing every
    report shares weighs less than what is particular to these ones. Character grams tolerate
    misspellings and inflections.
    """
    result: list[float | None] = [None] * len(others)
    if len(text.strip()) < min_chars:
        return result
    usable = [i for i, other in enumerate(others) if len(other.strip()) >= min_chars]
    if not usable:
        return result
    from scipy.sparse import vstack
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = vstack([_ngram_counts(text), *(_ngram_counts(others[i]) for i in usable)], format="csr")
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    # Rows are L2-normalised, so the dot product is the cosine.
    cosines = (matrix[1:] @ matrix[0].T).toarray().ravel()
    for index, cosine in zip(usable, cosines, strict=True):
        result[index] = min(1.0, float(cosine))
    return result


def rank_matches(
    new: Profile, candidates: Sequence[Profile], config: MatchConfig
) -> list[tuple[Profile, Match]]:
    """The candidates scoring at or above the threshold, best first, at most `max_suggestions`."""
    similarities = text_similarities(new.text, [c.text for c in candidates], min_chars=config.min_text_chars)
    scored = [
        (candidate, score_pair(new, candidate, similarity, config))
        for candidate, similarity in zip(candidates, similarities, strict=True)
    ]
    kept = [(c, m) for c, m in scored if m.score >= config.threshold]
    kept.sort(key=lambda pair: (-pair[1].score, pair[0].pk))
    return kept[: config.max_suggestions]


# ---------------------------------------------------------------------------------------------
# Reading profiles from the database, blocking, storing suggestions.


_FIELDS = (
    "pk",
    "group_id",
    "received_at",
    "incident_date",
    "incident_date_precision",
    "incident_end_date",
    "office_id",
    "office__name",
    "incident_place",
    "narrative",
)
_PEOPLE_FIELDS = ("allegation_id", "role", "employee_id", "employee__employee_number", "name", "badge_number")


def load_profiles(pks: Sequence[int], *, max_text_chars: int = MatchConfig.max_text_chars) -> list[Profile]:
    """The matchable fields of these allegations, in two queries (plain rows: no model instances)."""
    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for person in AllegationPerson.objects.filter(allegation_id__in=pks).values(*_PEOPLE_FIELDS):
        people[person["allegation_id"]].append(person)
    rows = Allegation.objects.filter(pk__in=pks).values(*_FIELDS).order_by("pk")
    return [_profile(row, people[row["pk"]], max_text_chars) for row in rows]


def _profile(row: dict[str, Any], people: list[dict[str, Any]], max_text_chars: int) -> Profile:
    subjects = [p for p in people if p["role"] == PersonRole.SUBJECT]
    complainants = [p for p in people if p["role"] == PersonRole.COMPLAINANT]
    return Profile(
        pk=row["pk"],
        group_id=row["group_id"],
        received_at=row["received_at"],
        incident_span=incident_span(
            row["incident_date"], row["incident_date_precision"], row["incident_end_date"]
        ),
        office_id=row["office_id"],
        office_name=row["office__name"] or "",
        place_key=normalise(row["incident_place"]),
        place=row["incident_place"],
        subject_employees={
            p["employee_id"]: p["employee__employee_number"] for p in subjects if p["employee_id"] is not None
        },
        subject_badges=frozenset(b for b in (normalise(p["badge_number"]) for p in subjects) if b),
        subject_names=frozenset(n for n in (normalise(p["name"]) for p in subjects) if n),
        complainant_names=frozenset(n for n in (normalise(p["name"]) for p in complainants) if n),
        # The opening of a long narrative carries the incident; comparing all of it costs more than it adds.
        text=row["narrative"].strip()[:max_text_chars],
    )


def _candidate_ids(new: Profile, config: MatchConfig) -> list[int]:
    """Recent allegations sharing a subject employee, the office, or a near incident date."""
    window = dt.timedelta(days=config.window_days)
    recent = Allegation.objects.filter(
        received_at__gte=new.received_at - window, received_at__lte=new.received_at + window
    ).exclude(pk=new.pk)
    if new.group_id is not None:
        recent = recent.exclude(group_id=new.group_id)  # already linked
    newest_first = ("-received_at", "-pk")
    blocks: list[tuple[QuerySet[Allegation], int]] = []
    if new.subject_employees:
        naming = AllegationPerson.objects.filter(
            role=PersonRole.SUBJECT, employee_id__in=list(new.subject_employees)
        ).values("allegation_id")
        blocks.append((recent.filter(pk__in=naming).order_by(*newest_first), config.block_limit))
    if new.office_id is not None:
        blocks.append((recent.filter(office_id=new.office_id).order_by(*newest_first), config.block_limit))
    if new.incident_span is not None:
        tolerance = dt.timedelta(days=config.date_tolerance_days)
        first, last = new.incident_span
        near = recent.filter(
            Q(incident_date__gte=first - tolerance)
            # A candidate dated to a month or year is stored on its first day.
            | Q(
                incident_date__gte=first - tolerance - _MONTH_SLACK,
                incident_date_precision=DatePrecision.MONTH,
            )
            | Q(incident_date__year=first.year, incident_date_precision=DatePrecision.YEAR),
            incident_date__lte=last + tolerance,
        )
        # Nearest incident dates first on each side, so that a busy fortnight cannot crowd out
        # the same day (both walks follow the incident-date index).
        half = max(1, config.block_limit // 2)
        blocks.append((near.filter(incident_date__lte=last).order_by("-incident_date", "-pk"), half))
        blocks.append((near.filter(incident_date__gt=last).order_by("incident_date", "pk"), half))
    ids: dict[int, None] = {}
    for block, limit in blocks:
        ids.update(dict.fromkeys(block.values_list("pk", flat=True)[:limit]))
    return list(ids)


def _decided_pairs(pk: int, candidate_ids: Sequence[int]) -> set[int]:
    """Candidates already suggested with this allegation, in either direction, whatever the decision."""
    rows = DuplicateSuggestion.objects.filter(
        Q(allegation_id=pk, candidate_id__in=candidate_ids)
        | Q(candidate_id=pk, allegation_id__in=candidate_ids)
    ).values_list("allegation_id", "candidate_id")
    return {b if a == pk else a for a, b in rows}


def suggest_for(allegation: Allegation, *, config: MatchConfig | None = None) -> list[DuplicateSuggestion]:
    """Find and store this allegation's likely duplicates and related allegations; return the new ones.

    Pairs suggested before (pending, linked or dismissed) are never suggested again.
    """
    config = config or MatchConfig.from_settings()
    found = load_profiles([allegation.pk], max_text_chars=config.max_text_chars)
    if not found:
        return []
    new = found[0]
    candidate_ids = _candidate_ids(new, config)
    if not candidate_ids:
        return []
    candidates = load_profiles(candidate_ids, max_text_chars=config.max_text_chars)
    ranked = rank_matches(new, candidates, config)
    if not ranked:
        return []
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _store(new, ranked, config)
        except IntegrityError:
            # A matcher for another allegation stored one of these pairs meanwhile: skip it.
            if attempt == 2:
                raise
    return []  # pragma: no cover


def _store(
    new: Profile, ranked: Sequence[tuple[Profile, Match]], config: MatchConfig
) -> list[DuplicateSuggestion]:
    decided = _decided_pairs(new.pk, [candidate.pk for candidate, _ in ranked])
    now = timezone.now()
    suggestions = [
        DuplicateSuggestion(
            allegation_id=max(new.pk, candidate.pk),
            candidate_id=min(new.pk, candidate.pk),
            score=match.score,
            reasons=match.reasons,
            method=METHOD,
            created_at=now,
        )
        for candidate, match in ranked
        if candidate.pk not in decided
    ]
    if not suggestions:
        return []
    DuplicateSuggestion.objects.bulk_create(suggestions)
    audit.record_many(
        audit.EventSpec(
            action=AuditAction.CREATE,
            obj=suggestion,
            changes={"score": [None, suggestion.score], "status": [None, suggestion.status]},
            detail={
                "allegation_id": suggestion.allegation_id,
                "candidate_id": suggestion.candidate_id,
                "reasons": suggestion.reasons,
                "method": suggestion.method,
                "threshold": config.threshold,
            },
        )
        for suggestion in suggestions
    )
    return suggestions


# ---------------------------------------------------------------------------------------------
# The hook that runs the matcher after an allegation is recorded.

_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "duplicate_matching_suspended", default=False
)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Record allegations without matching them (bulk imports that match afterwards, or never)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@task()
def match_allegation(allegation_id: int) -> int:
    """The matcher as a background task, for `PROBITY_DUPLICATE_MATCHING = "task"`."""
    allegation = Allegation.objects.filter(pk=allegation_id).first()
    return len(suggest_for(allegation)) if allegation is not None else 0


def match_recorded(allegation: Allegation) -> None:
    """The `hooks.on_recorded` handler: the matcher must never break recording, so it only logs.

    `PROBITY_DUPLICATE_MATCHING`: "task" (default: a worker matches just after saving, keeping
    submission bursts fast), "inline" (suggestions are there when the page after saving loads)
    or "off".
    """
    mode = settings.PROBITY_DUPLICATE_MATCHING
    if _suspended.get() or mode == "off":
        return
    try:
        if mode == "task":
            match_allegation.enqueue(allegation_id=allegation.pk)
        else:
            suggest_for(allegation)
    except Exception:
        logger.exception("duplicate matching failed for allegation %s", allegation.pk)


# ---------------------------------------------------------------------------------------------
# Showing suggestions to a person.


@dataclass(frozen=True)
class ShownSuggestion:
    """A pending suggestion as one viewer sees it from one allegation: the other side and the reasons."""

    suggestion: DuplicateSuggestion
    other: Allegation
    can_decide: bool

    @property
    def score_percent(self) -> int:
        return round(self.suggestion.score * 100)


def visible_suggestions(user: Any, allegation: Allegation) -> list[ShownSuggestion]:
    """Pending suggestions for `allegation` whose other allegation `user` may see, best first."""
    pending = list(
        DuplicateSuggestion.objects.filter(
            Q(allegation_id=allegation.pk) | Q(candidate_id=allegation.pk), status=SuggestionStatus.SUGGESTED
        )
    )
    if not pending:
        return []
    other_ids = {s.candidate_id if s.allegation_id == allegation.pk else s.allegation_id for s in pending}
    others = {
        other.pk: other
        for other in access.visible(user, Allegation.objects.filter(pk__in=other_ids)).select_related(
            "office"
        )
    }
    can_decide = bool(others) and bool(user.has_role(*DECIDING_ROLES))
    shown = []
    for suggestion in pending:
        other_id = (
            suggestion.candidate_id if suggestion.allegation_id == allegation.pk else suggestion.allegation_id
        )
        other = others.get(other_id)
        if other is None:
            continue
        if allegation.group_id is not None and other.group_id == allegation.group_id:
            continue  # linked meanwhile through another allegation of the group
        shown.append(ShownSuggestion(suggestion, other, can_decide))
    shown.sort(key=lambda item: (-item.suggestion.score, item.other.pk))
    return shown
