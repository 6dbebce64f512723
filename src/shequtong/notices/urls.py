from django.urls import path

from .views import console, resident

app_name = "notices"

urlpatterns = [
    path("console/notices/", console.notice_list, name="notice_list"),
    path("console/notices/new/", console.notice_new, name="notice_new"),
    path("console/notices/queue/", console.moderation_queue, name="moderation_queue"),
    path("console/notices/<int:pk>/", console.notice_detail, name="notice_detail"),
    path("console/notices/<int:pk>/moderate/", console.notice_moderate, name="notice_moderate"),
    path("console/publicity/", console.publicity_list, name="publicity_list"),
    path("console/publicity/<int:pk>/", console.publicity_detail, name="publicity_detail"),
    path(
        "console/publicity/<int:pk>/comments/<int:comment>/answer/",
        console.publicity_answer,
        name="publicity_answer",
    ),
    path("m/notices/", resident.m_notices, name="m_notices"),
    path("m/notices/<int:pk>/", resident.m_notice, name="m_notice"),
    path("m/publicity/", resident.m_publicity, name="m_publicity"),
    path("m/publicity/<int:pk>/", resident.m_publicity_detail, name="m_publicity_detail"),
]
