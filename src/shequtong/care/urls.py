from django.urls import path

from . import views, views_orders, views_visits

app_name = "care"

urlpatterns = [
    path("", views.profile_list, name="profile_list"),
    path("new/", views.profile_new, name="profile_new"),
    path("<int:pk>/", views.profile_detail, name="profile_detail"),
    path("<int:pk>/change/", views.profile_change, name="profile_change"),
    path("<int:pk>/reveal/", views.profile_reveal, name="profile_reveal"),
    path("alarms/", views.alarm_wall, name="alarm_wall"),
    path("alarms/<int:pk>/act/", views.alarm_act, name="alarm_act"),
    path("visits/", views_visits.visit_list, name="visit_list"),
    path("visits/plans/", views_visits.plan_create, name="plan_create"),
    path("visits/plans/<int:pk>/stop/", views_visits.plan_stop, name="plan_stop"),
    path("<int:pk>/visit/", views_visits.visit_record, name="visit_record"),
    path("orders/", views_orders.order_list, name="order_list"),
    path("orders/subsidies/", views_orders.subsidy_totals, name="subsidy_totals"),
    path("<int:pk>/order/", views_orders.order_request, name="order_request"),
    path("orders/<int:pk>/act/", views_orders.order_act, name="order_act"),
]
