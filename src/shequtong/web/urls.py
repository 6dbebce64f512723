from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("console/login/", views.login_view, name="login"),
    path("console/logout/", views.logout_view, name="logout"),
    path("console/2fa/", views.two_factor, name="two_factor"),
    path("console/", views.home, name="home"),
    path("console/areas/", views.area_list, name="area_list"),
    path("console/areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("console/staff/", views.staff_list, name="staff_list"),
    path("console/audit/", views.audit_list, name="audit_list"),
    path("console/calendar/", views.calendar, name="calendar"),
    path("console/tokens/", views.token_list, name="token_list"),
    path("m/", views.resident_home, name="resident_home"),
]
