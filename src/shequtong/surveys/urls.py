from django.urls import path

from .views import console, resident

app_name = "surveys"

urlpatterns = [
    path("console/surveys/", console.survey_list, name="survey_list"),
    path("console/surveys/new/", console.survey_new, name="survey_new"),
    path("console/surveys/<int:pk>/", console.survey_detail, name="survey_detail"),
    path("console/surveys/<int:pk>/edit/", console.survey_edit, name="survey_edit"),
    path("console/surveys/<int:pk>/questions/", console.question_add, name="question_add"),
    path(
        "console/surveys/<int:pk>/questions/<int:qid>/",
        console.question_change,
        name="question_change",
    ),
    path(
        "console/surveys/<int:pk>/questions/<int:qid>/remove/",
        console.question_remove,
        name="question_remove",
    ),
    path("console/surveys/<int:pk>/consent/", console.survey_consent, name="survey_consent"),
    path("console/surveys/<int:pk>/open/", console.survey_open, name="survey_open"),
    path("console/surveys/<int:pk>/close/", console.survey_close, name="survey_close"),
    path("console/surveys/<int:pk>/results/", console.survey_results, name="survey_results"),
    path("console/surveys/<int:pk>/visit/", console.survey_visit, name="survey_visit"),
    path(
        "console/surveys/<int:pk>/visit/<int:household>/answer/",
        console.visit_answer,
        name="visit_answer",
    ),
    path(
        "console/surveys/<int:pk>/visit/<int:household>/record/",
        console.visit_record,
        name="visit_record",
    ),
    path("m/surveys/", resident.m_surveys, name="m_surveys"),
    path("m/surveys/<int:pk>/", resident.m_survey, name="m_survey"),
    path("m/surveys/<int:pk>/receipt/", resident.m_receipt, name="m_receipt"),
]
