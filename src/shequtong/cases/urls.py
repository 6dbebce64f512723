from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("console/cases/", views.case_list, name="case_list"),
    path("console/cases/new/", views.case_new, name="case_new"),
    path("console/cases/stats/", views.case_stats, name="case_stats"),
    path("console/cases/views/", views.saved_view_save, name="saved_view_save"),
    path("console/cases/views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("console/cases/hotline/", views.hotline_import, name="hotline_import"),
    path("console/cases/hazards/", views.hazard_register, name="hazard_register"),
    path("console/cases/<int:pk>/hazard/", views.hazard_update, name="hazard_update"),
    path("console/cases/<int:pk>/dispute/party/", views.dispute_party, name="dispute_party"),
    path("console/cases/<int:pk>/dispute/session/", views.mediation_record, name="mediation"),
    path(
        "console/cases/<int:pk>/dispute/conclude/", views.dispute_conclude, name="dispute_conclude"
    ),
    path(
        "console/cases/<int:pk>/dispute/agreement.pdf",
        views.dispute_agreement,
        name="dispute_agreement",
    ),
    path("console/cases/<int:pk>/extension/", views.extension_request, name="extension_request"),
    path(
        "console/cases/extensions/<int:pk>/decide/",
        views.extension_decide,
        name="extension_decide",
    ),
    path("console/cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("console/cases/<int:pk>/act/", views.case_act, name="case_act"),
    path("console/cases/summons/<int:pk>/answer/", views.summons_answer, name="summons_answer"),
    path("console/cases/summons/<int:pk>/review/", views.objection_review, name="objection_review"),
    path("cases/photos/<int:pk>/<str:size>/", views.photo, name="photo"),
    path("console/cases/<int:pk>/merge/<int:into>/", views.case_merge, name="case_merge"),
    path("m/report/", views.report, name="report"),
    path("m/report/nearby/", views.nearby, name="nearby"),
    path("cases/suggest/", views.suggest, name="suggest"),
    path("console/cases/<int:pk>/reclassify/", views.case_reclassify, name="case_reclassify"),
    path("m/cases/", views.my_cases, name="my_cases"),
    path("m/cases/<int:pk>/", views.my_case, name="my_case"),
]
