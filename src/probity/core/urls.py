"""Core URLs: sign-in, dashboard, people, organisation, deadlines, audit, files, tasks."""

from django.contrib.auth import views as auth_views
from django.urls import path

from probity.core.views import audit, deadlines, files, home, people, tasks

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("healthz", home.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # people and organisation
    path("people/", people.employee_list, name="employee-list"),
    path("people/search", people.employee_search, name="employee-search"),
    path("people/<int:pk>/", people.employee_detail, name="employee-detail"),
    path("org/", people.org_tree, name="org-tree"),
    # deadlines
    path("deadlines/", deadlines.mine, name="deadlines-mine"),
    path("deadlines/office/", deadlines.office, name="deadlines-office"),
    # audit
    path("audit/", audit.event_list, name="audit-events"),
    path("audit/<int:seq>/", audit.event_detail, name="audit-event-detail"),
    path("audit/verify/", audit.verify_chain, name="audit-verify"),
    # files
    path("files/<int:attachment_id>/download", files.download, name="file-download"),
    # tasks
    path("tasks/<str:task_id>/", tasks.progress_page, name="task-progress"),
    path("tasks/<str:task_id>/status", tasks.progress_status, name="task-status"),
]
