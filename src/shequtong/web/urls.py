from django.urls import path

from .views import auth, console, resident

app_name = "web"

urlpatterns = [
    path("console/login/", auth.login_view, name="login"),
    path("console/logout/", auth.logout_view, name="logout"),
    path("console/2fa/", auth.two_factor, name="two_factor"),
    path("console/", console.home, name="home"),
    path("console/scope/", console.switch_scope, name="switch_scope"),
    path("console/areas/", console.area_list, name="area_list"),
    path("console/areas/<int:pk>/", console.area_detail, name="area_detail"),
    path("console/staff/", console.staff_list, name="staff_list"),
    path(
        "console/staff/<int:pk>/reveal-phone/",
        console.staff_reveal_phone,
        name="staff_reveal_phone",
    ),
    path("console/audit/", console.audit_list, name="audit_list"),
    path("console/calendar/", console.calendar, name="calendar"),
    path("console/tokens/", console.token_list, name="token_list"),
    path("console/tokens/<int:pk>/revoke/", console.token_revoke, name="token_revoke"),
    path("console/notifications/", console.notifications, name="notifications"),
    path("notifications/read/", console.notifications_read, name="notifications_read"),
    path("m/", resident.resident_home, name="resident_home"),
]
