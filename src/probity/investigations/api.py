"""`/api/v1/cases`: the case API (the same services and queries as the screens), one module per part.

Each part's router is mounted at `/cases` itself (nesting them under one router would put the
list at `/cases/`).
"""

from __future__ import annotations

from ninja import Router

from probity.investigations import api_cases, api_findings, api_outcomes, api_work

routers: list[Router] = [api_cases.router, api_work.router, api_findings.router, api_outcomes.router]
