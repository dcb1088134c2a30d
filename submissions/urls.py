from django.urls import path

from submissions import confirm_views, views

app_name = "submissions"

urlpatterns = [
    path("submissions/", views.my_submissions, name="mine"),
    path("welcome/", views.after_login, name="after_login"),
    path("workshops/<slug:slug>/submit/", views.new_submission, name="new"),
    path("submissions/<id:pk>/", views.submission_detail, name="detail"),
    path("submissions/<id:pk>/edit/", views.edit_submission, name="edit"),
    path("submissions/<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("submissions/<id:pk>/pdf/", views.download_pdf, name="pdf"),
    path("submissions/<id:pk>/confirm/<str:token>/", confirm_views.confirm, name="confirm"),
]
