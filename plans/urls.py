from django.urls import path  # noqa: F401  (routes are added with the plans endpoints)

app_name = "plans"

urlpatterns: list = []
