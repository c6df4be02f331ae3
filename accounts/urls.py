from django.urls import path  # noqa: F401  (routes are added with the accounts endpoints)

app_name = "accounts"

urlpatterns: list = []
