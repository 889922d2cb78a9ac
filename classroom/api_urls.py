from django.urls import path

from classroom import api, sweep_api

urlpatterns = [
    path("classes/", api.ClassListCreate.as_view(), name="api-classes"),
    path("classes/join/", api.ClassJoin.as_view(), name="api-class-join"),
    path("classes/<int:cohort_id>/gradebook/", api.ClassGradebook.as_view(),
         name="api-class-gradebook"),
    path("sweeps/", sweep_api.SweepListCreate.as_view(), name="api-sweeps"),
    path("sweeps/<int:sweep_id>/", sweep_api.SweepDetail.as_view(), name="api-sweep-detail"),
]
