from django.urls import path

from lessons import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("courses/<slug:course_slug>/", views.course_detail, name="course-detail"),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/",
        views.lesson_detail,
        name="lesson-detail",
    ),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/quiz/",
        views.lesson_quiz_submit,
        name="lesson-quiz",
    ),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/complete/",
        views.lesson_complete,
        name="lesson-complete",
    ),
]
