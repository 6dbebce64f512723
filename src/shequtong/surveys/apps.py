from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "shequtong.surveys"
    label = "surveys"
    verbose_name = "问卷与民意调查"
