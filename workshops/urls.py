from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.home, name="home"),
    path("workshops/<slug:slug>/", views.workshop_detail, name="detail"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
]
