"""`/api/v1/cases`: the case API (the same services and queries as the screens)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["cases"])
