from django.urls import path

from schedule import rendering, views

app_name = "schedule"

urlpatterns = [
    path("workshops/<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("workshops/<slug:slug>/schedule/changes/", views.changes, name="schedule_changes"),
    path("workshops/<slug:slug>/schedule/preview/", views.preview, name="preview"),
    path("workshops/<slug:slug>/schedule/<id:item_id>/", views.item, name="schedule_item"),
    path(
        "workshops/<slug:slug>/schedule/<id:item_id>.ics", views.item_ics, name="schedule_item_ics"
    ),
    path("workshops/<slug:slug>/speakers/", views.speakers, name="speakers"),
    *(
        path(
            f"workshops/<slug:slug>/{name}",
            views.export,
            {"name": name},
            name=name.replace(".", "_"),
        )
        for name in rendering.EXPORTS
    ),
]
