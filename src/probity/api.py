"""The REST API (django-ninja) at /api/v1/: each app adds its router here.

Errors are JSON with a `detail`: 401 without valid credentials, 404 for what does not exist or
may not be seen, 422 for malformed input. The interactive docs use the Swagger UI files that
django-ninja ships (when "ninja" is in INSTALLED_APPS), never a CDN, so they run under our CSP.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.docs import Swagger

from probity.core.api import router as core_router
from probity.core.api_auth import BearerTokenAuth, SessionAuth
from probity.core.api_deadlines import router as deadlines_router
from probity.core.api_people import employees_router, org_units_router


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's own static files; absent rather than fetched from a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if "ninja" not in settings.INSTALLED_APPS:
            raise Http404("The API documentation page is not installed; use /api/v1/openapi.json")
        return super().render_page(request, api, **kwargs)


api = NinjaAPI(
    title="Probity API",
    version="1",
    description=(
        "Send a personal token as `Authorization: Bearer prb_…` (`probity token create USERNAME`), "
        "or use the signed-in browser session (unsafe methods then need the X-CSRFToken header)."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
)


def _where(location: Any) -> str:
    parts = [str(part) for part in location if part not in ("query", "body", "path", "header", "cookie")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def _invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{_where(err.get('loc', ()))}: {err.get('msg', 'is not valid')}" for err in exc.errors
    )
    return api.create_response(
        request, {"detail": f"Invalid input: {problems}", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Authentication required: send a valid API token as a Bearer token, or sign in."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="probity"'
    return response


api.add_router("", core_router)
api.add_router("/employees", employees_router)
api.add_router("/org-units", org_units_router)
api.add_router("/deadlines", deadlines_router)

# Intake (staff and public); imported here, not in core, so core never imports a domain app.
from probity.intake.api import router as intake_router  # noqa: E402
from probity.intake.api_public import router as public_router  # noqa: E402

api.add_router("/allegations", intake_router)
api.add_router("/public", public_router)

# Investigations.
from probity.investigations.api import routers as case_routers  # noqa: E402

for case_router in case_routers:
    api.add_router("/cases", case_router, tags=["cases"])

# Oversight programs.
from probity.oversight.api import ROUTERS as oversight_routers  # noqa: E402

for prefix, oversight_router in oversight_routers:
    api.add_router(prefix, oversight_router)
