"""The product's URLs plus the two baselines of bench/api.py (bench settings only)."""

from django.urls import path

from bench import views
from careerplan.urls import handler404, handler500  # noqa: F401 - re-exported for Django
from careerplan.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/bare/<slug:name>/", views.bare_payload, name="bench-bare"),
    path("bench/pk/", views.one_pk_query, name="bench-pk"),
    *product_urlpatterns,
]
