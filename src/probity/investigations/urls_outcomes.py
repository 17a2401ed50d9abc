"""Investigations URLs: the outcomes part (owned with views/outcomes.py)."""

from django.urls import URLPattern, path

from probity.investigations.views import outcomes

urlpatterns: list[URLPattern] = [
    # on the case page
    path("cases/<int:pk>/prosecutions", outcomes.refer_prosecution, name="case-refer-prosecution"),
    path(
        "cases/<int:pk>/prosecutions/<int:referral_id>/decision",
        outcomes.record_decision,
        name="prosecution-decision",
    ),
    path(
        "cases/<int:pk>/prosecutions/<int:referral_id>/disposition",
        outcomes.record_disposition,
        name="prosecution-disposition",
    ),
    path("cases/<int:pk>/discipline", outcomes.refer_discipline, name="case-refer-discipline"),
    # labor and employee relations
    path("discipline/", outcomes.discipline_queue, name="discipline-queue"),
    path("discipline/consistency", outcomes.consistency, name="discipline-consistency"),
    path("discipline/<int:pk>/", outcomes.discipline_detail, name="discipline-detail"),
    path("discipline/<int:pk>/propose", outcomes.propose_view, name="discipline-propose"),
    path("discipline/<int:pk>/reply", outcomes.reply_view, name="discipline-reply"),
    path("discipline/<int:pk>/decide", outcomes.decide_view, name="discipline-decide"),
    path("discipline/<int:pk>/appeal", outcomes.appeal_view, name="discipline-appeal"),
    path("discipline/<int:pk>/finalize", outcomes.finalize_view, name="discipline-finalize"),
]
