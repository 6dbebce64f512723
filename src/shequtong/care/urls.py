from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("alarms/", views.alarm_wall, name="alarm_wall"),
    path("alarms/<int:pk>/act/", views.alarm_act, name="alarm_act"),
]
