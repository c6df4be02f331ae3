from django.urls import path

from plans import public_views, views

app_name = "plans"

urlpatterns = [
    path("me/calendar-token/", views.CalendarTokenView.as_view(), name="calendar-token"),
    path("calendar/<str:token>.ics", public_views.calendar_feed, name="calendar"),
    path("plans/", views.PlanListView.as_view(), name="list"),
    path("plans/compare/", views.PlanCompareView.as_view(), name="compare"),
    path("plans/<uuid:plan_id>/", views.PlanDetailView.as_view(), name="detail"),
    path("plans/<uuid:plan_id>/items/", views.PlanItemListView.as_view(), name="items"),
    path(
        "plans/<uuid:plan_id>/items/reorder/",
        views.PlanItemReorderView.as_view(),
        name="items-reorder",
    ),
    path(
        "plans/<uuid:plan_id>/items/<int:item_id>/",
        views.PlanItemDetailView.as_view(),
        name="item-detail",
    ),
    path("plans/<uuid:plan_id>/shift/", views.PlanShiftView.as_view(), name="shift"),
    path("plans/<uuid:plan_id>/milestones/", views.MilestoneListView.as_view(), name="milestones"),
    path(
        "plans/<uuid:plan_id>/milestones/<int:milestone_id>/",
        views.MilestoneDetailView.as_view(),
        name="milestone-detail",
    ),
]
