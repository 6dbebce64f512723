from django.urls import path

from .views import console, resident

app_name = "covenants"

_V = "console/covenants/versions/<int:pk>/"

urlpatterns = [
    path("console/covenants/", console.covenant_list, name="covenant_list"),
    path("console/covenants/<int:pk>/", console.covenant_detail, name="covenant_detail"),
    path("console/covenants/<int:pk>/draft/", console.covenant_draft, name="covenant_draft"),
    path(_V, console.version_detail, name="version_detail"),
    path(f"{_V}edit/", console.version_edit, name="version_edit"),
    path(f"{_V}consult/", console.version_consult, name="version_consult"),
    path(f"{_V}submit/", console.version_submit, name="version_submit"),
    path(f"{_V}adopt/", console.version_adopt, name="version_adopt"),
    path(f"{_V}publish/", console.version_publish, name="version_publish"),
    path(f"{_V}file/", console.version_file, name="version_file"),
    path(f"{_V}withdraw/", console.version_withdraw, name="version_withdraw"),
    path(f"{_V}diff/", console.version_diff, name="version_diff"),
    path(f"{_V}comments/<int:comment>/answer/", console.comment_answer, name="comment_answer"),
    path("m/covenants/", resident.m_covenants, name="m_covenants"),
    path("m/covenants/<int:pk>/", resident.m_version, name="m_version"),
]
