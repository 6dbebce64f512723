from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("m/login/", views.m_login, name="m_login"),
    path("m/me/claim/", views.m_claim, name="m_claim"),
    path("m/me/proxy/", views.m_proxy, name="m_proxy"),
    path("console/accounts/claims/", views.claim_list, name="claim_list"),
    path("console/accounts/claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("console/accounts/orgs/", views.org_list, name="org_list"),
]
