"""Per-address rate limits for the public portal and the public API.

Counters are rows in the database (`PortalRateCounter`), not a per-process cache, so several
web processes behind a load balancer share them. Django's database cache was the other
choice, but its `incr` is a read followed by a write, which loses counts under concurrent
requests; here the increment is one `UPDATE … SET hits = hits + 1` under the row's lock.

Windows are fixed (e.g. each clock hour). At a window's edge an address can make up to twice
the limit in a short time; for a complaint form that is acceptable, and it keeps every check
to a few indexed queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from probity.core import context
from probity.intake.models import PortalRateCounter

HOUR = dt.timedelta(hours=1)
# Counters older than this are deleted when a new window starts; nothing reads them.
KEEP = dt.timedelta(days=1)

SUBMISSIONS = "submit"
STATUS_CHECKS = "status"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int


def client_key(address: str | None) -> str:
    """A keyed hash of the address: tells addresses apart without storing them."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _window_start(now: dt.datetime, period: dt.timedelta) -> dt.datetime:
    seconds = int(period.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _count(scope: str, key: str, start: dt.datetime) -> int:
    """Add one to the window's counter, creating it at 1, and return the new count.

    One statement on both databases (PostgreSQL, and SQLite from 3.35), atomic by itself, so
    outside a transaction it commits on its own: the portal's busiest path spends one round
    trip on bookkeeping, not four (nor a BEGIN and COMMIT around it).
    """
    table = connection.ops.quote_name(PortalRateCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (scope, client_key, window_start, hits) VALUES (%s, %s, %s, 1) "  # noqa: S608  (table name from the model)
        f"ON CONFLICT (scope, client_key, window_start) DO UPDATE SET hits = {table}.hits + 1 "
        "RETURNING hits"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, key, connection.ops.adapt_datetimefield_value(start)])
        row = cursor.fetchone()
    return int(row[0])


def hit(scope: str, address: str | None, *, limit: int, period: dt.timedelta = HOUR) -> Verdict:
    """Count one request from `address`; allowed while the window's count is within `limit`."""
    now = timezone.now()
    start = _window_start(now, period)
    hits = _count(scope, client_key(address), start)
    if hits == 1:  # a new window: forget old ones
        PortalRateCounter.objects.filter(window_start__lt=now - KEEP).delete()
    retry = int((start + period - now).total_seconds()) + 1
    return Verdict(allowed=hits <= limit, retry_after_seconds=max(retry, 1))


def address_of(request: HttpRequest) -> str | None:
    return context.client_ip_of(request)


def check_submission(request: HttpRequest) -> Verdict:
    return hit(SUBMISSIONS, address_of(request), limit=settings.PROBITY_PORTAL_SUBMISSIONS_PER_HOUR)


def check_status_attempt(request: HttpRequest) -> Verdict:
    return hit(STATUS_CHECKS, address_of(request), limit=settings.PROBITY_PORTAL_STATUS_CHECKS_PER_HOUR)
