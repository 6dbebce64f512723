from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

handler400 = "shequtong.web.views.errors.error_400"
handler403 = "shequtong.web.views.errors.error_403"
handler404 = "shequtong.web.views.errors.error_404"
handler500 = "shequtong.web.views.errors.error_500"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:home", permanent=False)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("console/registry/", include("shequtong.registry.urls")),
    path("open311/v2/", include("shequtong.cases.open311")),
    path("", include("shequtong.cases.urls")),
    path("console/care/", include("shequtong.care.urls")),
    path("", include("shequtong.accounts.urls")),
    path("", include("shequtong.volunteering.urls")),
    path("", include("shequtong.deliberation.urls")),
    path("", include("shequtong.notices.urls")),
    path("", include("shequtong.surveys.urls")),
    path("", include("shequtong.covenants.urls")),
    path("", include("shequtong.web.urls")),
]
