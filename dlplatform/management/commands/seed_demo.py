"""Create the demo learner and instructor of a local run (never run this in production),
and, the first time, a demo class so the instructor's class page is full on first start."""

import copy
from typing import TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from classroom.models import Cohort, Membership
from jobs import services
from lessons import prediction_services
from lessons.models import Course, Lab, QuestionKind, Quiz
from lessons.prediction_models import PredictionQuestion
from lessons.services import attempt_submit
from training_worker import runner

DEMO_ACCOUNTS = [
    # username, password, is_staff
    ("learner", "learn-deep-2024", False),
    ("instructor", "teach-deep-2024", True),
]
DEMO_CLASS = "Demo class"
DEMO_LAB = "linear-vs-mlp"  # the lab with a challenge in content/foundations/introduction
# Classmates of the demo learner (they cannot log in): per quiz in course order, whether
# they answer right; the hidden layers of the runs they trained on the demo lab; and which
# choice (by position) they predicted for the demo lab's predict-then-run question, trained.
class ClassmateWork(TypedDict):
    quizzes: list[bool]
    runs: list[list[int]]
    prediction: int | None


CLASSMATES: dict[str, ClassmateWork] = {
    "ada": {"quizzes": [True, True, True], "runs": [[], [4]], "prediction": 0},
    "grace": {"quizzes": [True, False], "runs": [[], [8]], "prediction": 2},
    "alan": {"quizzes": [False], "runs": [], "prediction": None},
}


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts: learner and instructor; and a demo class."

    def handle(self, *args, **options) -> None:
        users = {}
        for username, password, is_staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = is_staff
            user.save()
            users[username] = user
            verb = "created" if created else "reset"
            self.stdout.write(f"{verb} {'instructor' if is_staff else 'learner'} "
                              f"{username!r} / password {password!r}")
        self._demo_class(users["instructor"], users["learner"])

    def _demo_class(self, instructor: User, learner: User) -> None:
        course = Course.objects.order_by("order", "id").first()
        if course is None or Cohort.objects.filter(name=DEMO_CLASS).exists():
            return  # no lessons loaded yet, or seeded before: keep what happened since
        with transaction.atomic():
            cohort = Cohort.objects.create(name=DEMO_CLASS, course=course)
            cohort.instructors.add(instructor)
            Membership.objects.create(cohort=cohort, learner=learner)
            classmates = []
            for username, work in CLASSMATES.items():
                classmate, _ = User.objects.get_or_create(username=username)
                classmate.set_unusable_password()
                classmate.save()
                Membership.objects.create(cohort=cohort, learner=classmate)
                self._answer_quizzes(classmate, course, work["quizzes"])
                classmates.append((classmate, work))
        for classmate, work in classmates:  # outside the transaction: the worker's own writes
            self._train(classmate, work["runs"])
            self._predict(classmate, work["prediction"])
        self.stdout.write(f"created the class {DEMO_CLASS!r} (code {cohort.join_code}) taught by "
                          f"{instructor.username!r}, with {len(CLASSMATES) + 1} learners")

    def _answer_quizzes(self, user: User, course, rights: list[bool]) -> None:
        quizzes = Quiz.objects.filter(lesson__module__course=course).order_by(
            "lesson__module__order", "lesson__order")
        for quiz, right in zip(quizzes, rights, strict=False):
            answers = {}
            for question in quiz.questions.prefetch_related("choices"):
                if question.kind == QuestionKind.NUMERIC:
                    off = 0 if right else question.tolerance + max(1, abs(question.answer))
                    answers[str(question.pk)] = question.answer + off
                    continue
                choices = list(question.choices.all())
                wanted = [c.pk for c in choices if c.is_correct == right] or [choices[0].pk]
                if question.kind == QuestionKind.SINGLE:
                    answers[str(question.pk)] = wanted[0]
                else:
                    answers[str(question.pk)] = wanted
            attempt_submit(user=user, quiz=quiz, answers=answers)

    def _train(self, user: User, runs: list[list[int]]) -> None:
        """Real runs, trained here so the class page shows them finished on first start (a
        few seconds); the queue's copy of each is refused by the worker as already done."""
        lab = Lab.objects.filter(slug=DEMO_LAB).first()
        if lab is None:
            return
        # Events written by this thread: a writer thread's second connection would wait on
        # this one's SQLite lock (a dozen seconds of a first start).
        settings.EVENT_WRITER_THREAD = False
        for hidden in runs:
            config = copy.deepcopy(lab.preset_config)
            config["model"]["hidden"] = hidden
            job = services.job_submit(user=user, config=config, lab=lab)
            runner.job_run(job_id=job.pk)

    def _predict(self, user: User, choice_index: int | None) -> None:
        """A prediction on the demo lab's first question, and its run, trained here."""
        question = PredictionQuestion.objects.filter(lab__slug=DEMO_LAB).order_by("order").first()
        if question is None or choice_index is None:
            return
        choice = question.choices.order_by("order", "id")[choice_index]
        prediction = prediction_services.prediction_make(user=user, question=question,
                                                         choice_id=choice.pk)
        job = prediction_services.prediction_run(prediction=prediction)
        runner.job_run(job_id=job.pk)
