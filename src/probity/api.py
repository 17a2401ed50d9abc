"""The REST API (django-ninja) at /api/v1/: each app adds its router here."""

from __future__ import annotations

from ninja import NinjaAPI

from probity.core.api import router as core_router
from probity.core.api_auth import BearerTokenAuth, SessionAuth

api = NinjaAPI(
    title="Probity API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_url="/docs",
)
api.add_router("", core_router)
