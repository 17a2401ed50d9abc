"""URL map: one include per app, the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from probity.api import api

urlpatterns = [
    path("", include("probity.core.urls")),
    path("intake/", include("probity.intake.urls")),
    path("investigations/", include("probity.investigations.urls")),
    path("oversight/", include("probity.oversight.urls")),
    path("transparency/", include("probity.oversight.urls_public")),
    path("report/", include("probity.intake.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "probity.core.views.errors.bad_request"
handler403 = "probity.core.views.errors.permission_denied"
handler404 = "probity.core.views.errors.page_not_found"
handler500 = "probity.core.views.errors.server_error"
