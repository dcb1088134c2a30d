from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("speaker/<id:pk>/<str:token>/", views.claim_profile, name="claim_profile"),
]
