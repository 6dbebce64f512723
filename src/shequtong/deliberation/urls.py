from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    path("console/deliberation/votes/", views.vote_list, name="vote_list"),
    path("console/deliberation/votes/<int:pk>/", views.vote_detail, name="vote_detail"),
    path("console/deliberation/votes/<int:pk>/action/", views.vote_action, name="vote_action"),
    path("m/votes/", views.m_votes, name="m_votes"),
]
