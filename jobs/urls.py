from django.urls import path

from jobs import views

urlpatterns = [
    path("runs/", views.my_runs, name="my-runs"),
    path("runs/compare/", views.compare_runs, name="compare-runs"),
    path("runs/<int:job_id>/", views.run_detail, name="run-detail"),
    # A shared run's link: its token, never its (countable) id.
    path("runs/shared/<str:share_token>/", views.run_shared, name="run-shared"),
]
