from django.urls import path

from .views import console, dual, honours, public, resident

app_name = "volunteering"

urlpatterns = [
    path("console/volunteering/volunteers/", console.volunteer_list, name="volunteer_list"),
    path(
        "console/volunteering/volunteers/<int:pk>/commend/",
        console.volunteer_commend,
        name="volunteer_commend",
    ),
    path(
        "console/volunteering/volunteers/<int:pk>/team/",
        console.volunteer_team,
        name="volunteer_team",
    ),
    path(
        "console/volunteering/volunteers/<int:pk>/decide/",
        console.volunteer_decide,
        name="volunteer_decide",
    ),
    path("console/volunteering/activities/", console.activity_list, name="activity_list"),
    path("console/volunteering/activities/new/", console.activity_new, name="activity_new"),
    path(
        "console/volunteering/activities/<int:pk>/", console.activity_detail, name="activity_detail"
    ),
    path(
        "console/volunteering/activities/<int:pk>/action/",
        console.activity_action,
        name="activity_action",
    ),
    path(
        "console/volunteering/activities/<int:pk>/signups/<int:entry_pk>/",
        console.signup_action,
        name="signup_action",
    ),
    path(
        "console/volunteering/activities/<int:pk>/venue/",
        console.activity_venue,
        name="activity_venue",
    ),
    path("console/volunteering/records/", console.record_list, name="record_list"),
    path("console/volunteering/shops/", console.shop_list, name="shop_list"),
    path("console/volunteering/shops/<int:pk>/", console.shop_detail, name="shop_detail"),
    path("console/volunteering/dual/", dual.dual_list, name="dual_list"),
    path("console/volunteering/dual/<int:pk>/feedback/", dual.dual_feedback, name="dual_feedback"),
    path(
        "console/volunteering/dual/<int:pk>/summary.pdf",
        dual.dual_summary_pdf,
        name="dual_summary_pdf",
    ),
    path("console/volunteering/honours/", honours.honour_list, name="honour_list"),
    path("console/volunteering/honours/<int:pk>/", honours.honour_detail, name="honour_detail"),
    path(
        "console/volunteering/honours/<int:pk>/action/", honours.honour_action, name="honour_action"
    ),
    path("m/volunteer/dual/", dual.m_dual, name="m_dual"),
    path("m/volunteer/board/", honours.m_board, name="m_board"),
    path("m/volunteer/timebank/", resident.m_timebank, name="m_timebank"),
    path("m/volunteer/", resident.m_home, name="m_home"),
    path("m/volunteer/activities/<int:pk>/", resident.m_activity, name="m_activity"),
    path("m/volunteer/activities/<int:pk>/signup/", resident.m_signup, name="m_signup"),
    path(
        "m/volunteer/activities/<int:pk>/cancel/", resident.m_signup_cancel, name="m_signup_cancel"
    ),
    path(
        "m/volunteer/activities/<int:pk>/checkin/",
        resident.m_checkin_position,
        name="m_checkin_position",
    ),
    path("m/volunteer/activities/<int:pk>/rate/", resident.m_rate, name="m_rate"),
    path("m/volunteer/scan/", resident.m_scan, name="m_scan"),
    path("m/volunteer/shop/", resident.m_shop, name="m_shop"),
    path(
        "m/volunteer/shop/<int:pk>/cancel/",
        resident.m_redemption_cancel,
        name="m_redemption_cancel",
    ),
    path("m/volunteer/certificate/", resident.m_certificate, name="m_certificate"),
    path(
        "m/volunteer/certificate/<str:number>.pdf",
        resident.m_certificate_pdf,
        name="m_certificate_pdf",
    ),
    path("v/", public.verify, name="verify_form"),
    path("v/<str:number>/", public.verify, name="verify"),
]
