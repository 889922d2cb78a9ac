from django.urls import path

from training_worker import views

urlpatterns = [
    path("runs/", views.my_runs, name="my-runs"),
    path("runs/compare/", views.compare_runs, name="compare-runs"),
    path("runs/<int:job_id>/", views.run_detail, name="run-detail"),
]
