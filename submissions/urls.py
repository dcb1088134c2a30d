from django.urls import path

from submissions import confirm_views, views

app_name = "submissions"

urlpatterns = [
    path("submissions/", views.my_submissions, name="mine"),
    path("workshops/<slug:slug>/submit/", views.new_submission, name="new"),
    path("submissions/<int:pk>/", views.submission_detail, name="detail"),
    path("submissions/<int:pk>/edit/", views.edit_submission, name="edit"),
    path("submissions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("submissions/<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("submissions/<int:pk>/confirm/<str:token>/", confirm_views.confirm, name="confirm"),
]
