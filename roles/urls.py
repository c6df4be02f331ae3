from django.urls import path  # noqa: F401  (routes are added with the roles endpoints)

app_name = "roles"

urlpatterns: list = []
