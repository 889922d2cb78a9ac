from django.urls import path

from deployments import model_pages

urlpatterns = [
    path("models/", model_pages.my_models, name="my-models"),
    path("models/<int:model_id>/", model_pages.model_detail, name="model-detail"),
]
