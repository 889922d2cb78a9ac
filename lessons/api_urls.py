from django.urls import path

from lessons.api import ChallengeDetail, ChallengeList
from lessons.prediction_api import (
    PredictionDetail,
    PredictionListCreate,
    PredictionQuestionList,
    PredictionRun,
)

urlpatterns = [
    path("challenges/", ChallengeList.as_view(), name="api-challenges"),
    path("challenges/<int:challenge_id>/", ChallengeDetail.as_view(),
         name="api-challenge-detail"),
    path("prediction-questions/", PredictionQuestionList.as_view(),
         name="api-prediction-questions"),
    path("predictions/", PredictionListCreate.as_view(), name="api-predictions"),
    path("predictions/<int:prediction_id>/", PredictionDetail.as_view(),
         name="api-prediction-detail"),
    path("predictions/<int:prediction_id>/run/", PredictionRun.as_view(),
         name="api-prediction-run"),
]
