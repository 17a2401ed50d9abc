"""`/api/v1/cases`: the case API (the same services and queries as the screens), one module per part."""

from __future__ import annotations

from ninja import Router

from probity.investigations import api_cases, api_findings, api_outcomes, api_work

router = Router(tags=["cases"])
router.add_router("", api_cases.router)
router.add_router("", api_work.router)
router.add_router("", api_findings.router)
router.add_router("", api_outcomes.router)
