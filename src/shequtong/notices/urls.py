from django.urls import path

from .views import console, disclosures, resident

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
    path("console/disclosures/", disclosures.disclosure_list, name="disclosure_list"),
    path("console/disclosures/new/", disclosures.disclosure_new, name="disclosure_new"),
    path("console/disclosures/<int:pk>/", disclosures.disclosure_detail, name="disclosure_detail"),
    path(
        "console/disclosures/<int:pk>/action/",
        disclosures.disclosure_action,
        name="disclosure_action",
    ),
    path(
        "console/disclosures/files/<int:pk>/", disclosures.disclosure_file, name="disclosure_file"
    ),
    path(
        "console/disclosures/supervisors/",
        disclosures.disclosure_supervisors,
        name="disclosure_supervisors",
    ),
    path(
        "console/disclosures/supervisors/<int:pk>/end/",
        disclosures.supervisor_end,
        name="disclosure_supervisor_end",
    ),
    path("m/disclosures/", disclosures.m_disclosures, name="m_disclosures"),
    path("m/disclosures/<int:pk>/", disclosures.m_disclosure, name="m_disclosure"),
    path("m/disclosures/files/<int:pk>/", disclosures.m_disclosure_file, name="m_disclosure_file"),
    path("m/disclosures/sign/", disclosures.m_disclosure_signs, name="m_disclosure_signs"),
    path("m/disclosures/sign/<int:pk>/", disclosures.m_disclosure_sign, name="m_disclosure_sign"),
    path(
        "m/disclosures/sign/files/<int:pk>/",
        disclosures.m_disclosure_sign_file,
        name="m_disclosure_sign_file",
    ),
    path("m/notices/", resident.m_notices, name="m_notices"),
    path("m/notices/<int:pk>/", resident.m_notice, name="m_notice"),
    path("m/publicity/", resident.m_publicity, name="m_publicity"),
    path("m/publicity/<int:pk>/", resident.m_publicity_detail, name="m_publicity_detail"),
]
