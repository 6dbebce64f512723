from django.urls import path

from .views import meetings, resident, topics, votes

app_name = "deliberation"

urlpatterns = [
    path("console/deliberation/votes/", votes.vote_list, name="vote_list"),
    path("console/deliberation/votes/<int:pk>/", votes.vote_detail, name="vote_detail"),
    path("console/deliberation/votes/<int:pk>/action/", votes.vote_action, name="vote_action"),
    path("console/deliberation/topics/", topics.topic_list, name="topic_list"),
    path("console/deliberation/topics/<int:pk>/", topics.topic_detail, name="topic_detail"),
    path("console/deliberation/topics/<int:pk>/action/", topics.topic_action, name="topic_action"),
    path("console/deliberation/procedures/", topics.procedure_list, name="procedure_list"),
    path(
        "console/deliberation/procedures/<int:pk>/",
        topics.procedure_detail,
        name="procedure_detail",
    ),
    path("console/deliberation/meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path(
        "console/deliberation/meetings/<int:pk>/action/",
        meetings.meeting_action,
        name="meeting_action",
    ),
    path("console/deliberation/files/<int:pk>/", meetings.meeting_file, name="meeting_file"),
    path("m/votes/", votes.m_votes, name="m_votes"),
    path("m/votes/<int:pk>/roll/", votes.m_vote_roll, name="m_vote_roll"),
    path("m/topics/", resident.m_topics, name="m_topics"),
    path("m/topics/<int:pk>/", resident.m_topic, name="m_topic"),
]
