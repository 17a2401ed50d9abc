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
    path("people/", people.placeholder, name="employee-list"),
    path("org/", people.placeholder, name="org-tree"),
    # deadlines
    path("deadlines/", deadlines.placeholder, name="deadlines-mine"),
    # audit
    path("audit/", audit.placeholder, name="audit-events"),
    # files
    path("files/", files.placeholder, name="files-placeholder"),
    # tasks
    path("tasks/", tasks.placeholder, name="tasks-placeholder"),
]
