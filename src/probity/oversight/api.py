"""Oversight's API: each program's router and the path it is mounted at under /api/v1/."""

from __future__ import annotations

from ninja import Router

from probity.oversight import api_deaths, api_giglio, api_incidents, api_prea

# Incidents' router also serves /review-board (its own second router).
ROUTERS: list[tuple[str, Router]] = [
    ("/incidents", api_incidents.router),
    ("/review-board", api_incidents.board_router),
    ("/deaths", api_deaths.router),
    ("/prea", api_prea.router),
    ("/giglio-requests", api_giglio.router),
]
