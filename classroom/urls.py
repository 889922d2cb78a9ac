from django.urls import path

from classroom import sweep_views, views

urlpatterns = [
    path("classes/", views.classes, name="classes"),
    path("classes/new/", views.class_create, name="class-create"),
    path("classes/join/", views.class_join, name="class-join"),
    path("classes/join/<str:code>/", views.class_join, name="class-join-code"),
    path("classes/<int:cohort_id>/", views.class_detail, name="class-detail"),
    path("classes/<int:cohort_id>/gradebook.csv", views.class_gradebook_csv,
         name="class-gradebook-csv"),
    path("classes/<int:cohort_id>/renew-code/", views.class_renew_code, name="class-renew-code"),
    path("classes/<int:cohort_id>/leave/", views.class_leave, name="class-leave"),
    path("sweeps/", sweep_views.sweep_list, name="sweeps"),
    path("labs/<int:lab_id>/sweep/", sweep_views.sweep_create, name="sweep-create"),
    path("sweeps/<int:sweep_id>/", sweep_views.sweep_detail, name="sweep-detail"),
]
