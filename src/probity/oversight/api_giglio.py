"""The giglio part's API (mounted under /api/v1/; see oversight/api.py)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["giglio"])
