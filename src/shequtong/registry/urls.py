from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/export/", views.person_export_full, name="person_export_full"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("persons/<int:pk>/end/", views.person_end, name="person_end"),
    path("persons/<int:pk>/tags/", views.person_tag_add, name="person_tag_add"),
    path(
        "persons/<int:pk>/tags/<int:assignment_pk>/end/",
        views.person_tag_end,
        name="person_tag_end",
    ),
    path("estates/", views.estate_list, name="estate_list"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("directory/", views.directory, {"kind": "organizations"}, name="directory_home"),
    path("directory/<str:kind>/", views.directory, name="directory"),
    path("directory/<str:kind>/new/", views.directory_edit, name="directory_new"),
    path("directory/<str:kind>/<int:pk>/", views.directory_edit, name="directory_edit"),
    path("buildings/", views.building_list, name="building_list"),
    path("buildings/place/", views.buildings_place, name="buildings_place"),
    path("buildings/locate/", views.buildings_locate, name="buildings_locate"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("dwellings/<int:pk>/", views.dwelling_detail, name="dwelling_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("imports/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("imports/<int:pk>/rejected.xlsx", views.import_rejected, name="import_rejected"),
    path("stats/", views.stats, name="stats"),
]
