from django.urls import path

from training_worker import model_pages, views

urlpatterns = [
    path("runs/", views.my_runs, name="my-runs"),
    path("runs/compare/", views.compare_runs, name="compare-runs"),
    path("runs/<int:job_id>/", views.run_detail, name="run-detail"),
    path("models/", model_pages.my_models, name="my-models"),
    path("models/<int:model_id>/", model_pages.model_detail, name="model-detail"),
]
