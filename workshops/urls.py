from django.urls import path

from workshops import schedule_views, views

app_name = "workshops"

urlpatterns = [
    path("", views.home, name="home"),
    path("workshops/<slug:slug>/", views.workshop_detail, name="detail"),
    path("workshops/<slug:slug>/speakers/", views.speakers, name="speakers"),
    path("workshops/<slug:slug>/schedule/", schedule_views.schedule, name="schedule"),
    path(
        "workshops/<slug:slug>/schedule/changes/",
        schedule_views.schedule_changes,
        name="schedule_changes",
    ),
    path(
        "workshops/<slug:slug>/schedule/<id:item_id>/",
        schedule_views.schedule_item,
        name="schedule_item",
    ),
    path(
        "workshops/<slug:slug>/schedule/<id:item_id>.ics",
        schedule_views.schedule_item_ics,
        name="schedule_item_ics",
    ),
    *(
        path(
            f"workshops/<slug:slug>/{name}",
            schedule_views.schedule_export,
            {"name": name},
            name=name.replace(".", "_"),
        )
        for name in schedule_views.EXPORTS
    ),
    path("series/<slug:slug>/", views.series_detail, name="series"),
]
