from django.urls import path

from submissions import review_views

app_name = "reviews"

urlpatterns = [
    path("", review_views.assignment_list, name="list"),
    path("<int:pk>/", review_views.review_detail, name="detail"),
    path("<int:pk>/pdf/", review_views.review_pdf, name="pdf"),
]
