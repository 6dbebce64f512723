from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.profile_list, name="profile_list"),
    path("new/", views.profile_new, name="profile_new"),
    path("<int:pk>/", views.profile_detail, name="profile_detail"),
    path("<int:pk>/change/", views.profile_change, name="profile_change"),
    path("<int:pk>/reveal/", views.profile_reveal, name="profile_reveal"),
    path("alarms/", views.alarm_wall, name="alarm_wall"),
    path("alarms/<int:pk>/act/", views.alarm_act, name="alarm_act"),
]
