from django.urls import path

from registration import views

app_name = "registration"

urlpatterns = [
    path("workshops/<slug:slug>/register/", views.register, name="register"),
    path("workshops/<slug:slug>/register/thanks/", views.thanks, name="thanks"),
    path("workshops/<slug:slug>/participants/", views.participants, name="participants"),
    path("workshops/<slug:slug>/check-in/", views.checkin, name="checkin"),
    path("registrations/<id:pk>/<str:token>/", views.manage, name="manage"),
    path(
        "registrations/<id:pk>/confirm/<str:token>/",
        views.confirm_address,
        name="confirm_address",
    ),
]
