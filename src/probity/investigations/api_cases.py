"""`/api/v1/cases`: the cases endpoints (owned with services of the same part)."""

from __future__ import annotations

from ninja import Router

router = Router()
