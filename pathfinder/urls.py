from django.urls import path

from pathfinder import views

app_name = "pathfinder"

urlpatterns = [
    path("path-finder/", views.PathFinderView.as_view(), name="find"),
    path("path-finder/questions/", views.PathFinderQuestionsView.as_view(), name="questions"),
    path("path-finder/plan/", views.PathFinderPlanView.as_view(), name="plan"),
]
