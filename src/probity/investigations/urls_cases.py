"""Investigations URLs: the cases part (owned with views/cases.py)."""

from django.urls import URLPattern, path

from probity.investigations.views import cases

urlpatterns: list[URLPattern] = [
    # lists
    path("cases/", cases.case_list, name="case-list"),
    path("caseload/", cases.caseload, name="caseload"),
    path("cases/new", cases.case_open, name="case-open"),
    # one case and its actions
    path("cases/<int:pk>/", cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit", cases.edit_view, name="case-edit"),
    path("cases/<int:pk>/move", cases.move_view, name="case-move"),
    path("cases/<int:pk>/lead", cases.assign_lead_view, name="case-assign-lead"),
    path("cases/<int:pk>/team", cases.add_member_view, name="case-add-member"),
    path(
        "cases/<int:pk>/team/<int:member_id>/release",
        cases.release_member_view,
        name="case-release-member",
    ),
    path("cases/<int:pk>/convert", cases.convert_view, name="case-convert"),
    path("cases/<int:pk>/transfer", cases.transfer_view, name="case-transfer"),
    path("cases/<int:pk>/reopen", cases.reopen_view, name="case-reopen"),
    path("cases/<int:pk>/parties", cases.add_party_view, name="case-add-party"),
    path("cases/<int:pk>/parties/<int:party_id>/role", cases.party_role_view, name="case-party-role"),
    path("cases/<int:pk>/allegations", cases.add_allegation_view, name="case-add-allegation"),
]
