from django.urls import path

from lessons.api import ChallengeDetail, ChallengeList

urlpatterns = [
    path("challenges/", ChallengeList.as_view(), name="api-challenges"),
    path("challenges/<int:challenge_id>/", ChallengeDetail.as_view(),
         name="api-challenge-detail"),
]
