from django.urls import include, path

from bench import bare_views, baseline_views

urlpatterns = [
    path(
        "bench/baseline/<slug:slug>/",
        baseline_views.register_without_rules,
        name="bench-baseline",
    ),
    path("bench/bare/", bare_views.bare, name="bench-bare"),  # bench/schedule.py
    path("bench/sized/<int:size>/", bare_views.sized, name="bench-sized"),
    path("", include("config.urls")),
]
