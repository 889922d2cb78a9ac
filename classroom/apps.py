from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = "Classes"

    def ready(self) -> None:
        # Imported once the app registry is ready: both modules import models.
        from accounts.instructors import register_learner_scope
        from classroom.selectors import learner_ids_taught_by

        # Runs, attempts and progress of a class's learners become readable by its instructors.
        register_learner_scope(learner_ids_taught_by)
