from django.urls import path

from submissions import review_views

app_name = "reviews"

urlpatterns = [
    path("", review_views.assignment_list, name="list"),
    path("<id:pk>/", review_views.review_detail, name="detail"),
    path("<id:pk>/pdf/", review_views.review_pdf, name="pdf"),
    path("invitation/<id:pk>/<str:token>/", review_views.invitation, name="invitation"),
]
