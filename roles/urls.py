from django.urls import path

from roles import views

app_name = "roles"

urlpatterns = [
    path("roles/", views.RoleListView.as_view(), name="role-list"),
    path("roles/compare/", views.RoleCompareView.as_view(), name="role-compare"),
    path("roles/<slug:slug>/", views.RoleDetailView.as_view(), name="role-detail"),
    path("roles/<slug:slug>/paths/", views.RolePathsView.as_view(), name="role-paths"),
    path("certifications/", views.CertificationListView.as_view(), name="certification-list"),
    path(
        "certifications/<str:code>/",
        views.CertificationDetailView.as_view(),
        name="certification-detail",
    ),
    path("training-paths/", views.TrainingPathListView.as_view(), name="training-path-list"),
    path(
        "training-paths/<slug:slug>/",
        views.TrainingPathDetailView.as_view(),
        name="training-path-detail",
    ),
    path("salary-bands/", views.SalaryBandListView.as_view(), name="salary-band-list"),
    path("tools/", views.ToolListView.as_view(), name="tool-list"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
]
