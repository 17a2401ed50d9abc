"""Oversight URLs: the incidents part (owned with views/incidents.py and views/board.py)."""

from django.urls import URLPattern, path

from probity.oversight.views import board, incidents

urlpatterns: list[URLPattern] = [
    # incidents
    path("incidents/", incidents.incident_list, name="incident-list"),
    path("incidents/new", incidents.incident_report, name="incident-report"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/reviewer", incidents.reviewer_view, name="incident-reviewer"),
    path("incidents/<int:pk>/facts", incidents.facts_view, name="incident-facts"),
    path("incidents/<int:pk>/links", incidents.link_view, name="incident-link"),
    path("incidents/<int:pk>/move", incidents.move_view, name="incident-move"),
    # the review board
    path("board/", board.meeting_list, name="board-meeting-list"),
    path("board/new", board.meeting_new, name="board-meeting-new"),
    path("board/<int:pk>/", board.meeting_detail, name="board-meeting-detail"),
    path("board/<int:pk>/agenda", board.agenda_add_view, name="board-agenda-add"),
    path(
        "board/<int:pk>/agenda/<int:item_id>/determination",
        board.determination_view,
        name="board-determination",
    ),
    path(
        "board/<int:pk>/agenda/<int:item_id>/recommendations",
        board.recommendation_add_view,
        name="board-recommendation-add",
    ),
    # recommendations, for their owners
    path("recommendations/", incidents.my_recommendations, name="recommendation-mine"),
    path(
        "recommendations/<int:pk>/complete",
        incidents.complete_recommendation_view,
        name="recommendation-complete",
    ),
]
