"""The classes API: your classes, join one with its code, and (instructors only) a class's
grade book. A class you do not teach is a 404 here, as on its page."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from classroom import selectors, services
from dlplatform.api_errors import StrictFieldsMixin, invalid
from lessons.models import Course
from lessons.selectors import courses_visible_to


class ClassSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    course = serializers.CharField(help_text="The course's slug.")
    role = serializers.ChoiceField(choices=["instructor", "learner"])
    join_code = serializers.CharField(required=False, help_text="Instructors only.")
    learners = serializers.IntegerField(required=False, help_text="Instructors only.")
    gradebook_url = serializers.CharField(required=False, help_text="Instructors only.")


def class_data(cohort, request, *, role: str) -> dict:
    data = {"id": cohort.pk, "name": cohort.name, "course": cohort.course.slug, "role": role}
    if role == "instructor":
        data["join_code"] = cohort.join_code
        data["learners"] = getattr(cohort, "n_learners", None) or cohort.memberships.count()
        data["gradebook_url"] = request.build_absolute_uri(
            reverse("api-class-gradebook", args=[cohort.pk])
        )
    return data


class JoinSerializer(StrictFieldsMixin, serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="The code your instructor gave you.")


class CreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    course = serializers.SlugRelatedField(slug_field="slug", queryset=Course.objects.all())


class ClassListCreate(APIView):
    @extend_schema(responses=ClassSerializer(many=True))
    def get(self, request):
        """The classes you teach, then the classes you joined."""
        taught = [class_data(c, request, role="instructor")
                  for c in selectors.cohorts_taught_by(user=request.user)]
        joined = [class_data(c, request, role="learner")
                  for c in selectors.cohorts_joined_by(user=request.user)]
        return Response(taught + joined)

    @extend_schema(request=CreateSerializer, responses={
        201: ClassSerializer,
        403: OpenApiResponse(description="Only class instructors create classes."),
    })
    def post(self, request):
        """Create a class (class instructors only); you teach it."""
        form = CreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        course = form.validated_data["course"]
        if not courses_visible_to(user=request.user).filter(pk=course.pk).exists():
            raise invalid({"course": f'No course "{course.slug}".'})
        try:
            cohort = services.cohort_create(instructor=request.user,
                                            name=form.validated_data["name"], course=course)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise invalid({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
        return Response(class_data(cohort, request, role="instructor"),
                        status=status.HTTP_201_CREATED)


class ClassJoin(APIView):
    @extend_schema(request=JoinSerializer, responses={
        201: ClassSerializer,
        200: OpenApiResponse(ClassSerializer, description="You were already in this class."),
        400: OpenApiResponse(description="No open class has this code."),
    })
    def post(self, request):
        """Join a class with its code."""
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            cohort, created = services.cohort_join(learner=request.user,
                                                   code=form.validated_data["code"])
        except ValidationError as exc:
            raise invalid({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
        return Response(class_data(cohort, request, role="learner"),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class GradebookLearnerSerializer(serializers.Serializer):
    username = serializers.CharField()
    joined_at = serializers.DateTimeField()
    lessons_completed = serializers.IntegerField()
    quiz_attempts = serializers.IntegerField()
    mean_quiz_score = serializers.FloatField(allow_null=True)
    best_quiz_scores = serializers.DictField(child=serializers.FloatField(),
                                             help_text="Lesson id → best score, percent.")
    challenges = serializers.DictField(
        child=serializers.ChoiceField(choices=["passed", "tried", "not tried"]),
        help_text="Challenge id → how far the learner got.",
    )
    challenges_passed = serializers.IntegerField()
    predictions_made = serializers.IntegerField(help_text="Predict-then-run questions answered.")
    predictions_settled = serializers.IntegerField(help_text="Of those, settled by a run.")
    predictions_right = serializers.IntegerField(help_text="Of those, right.")
    runs = serializers.IntegerField()
    recent_runs = serializers.ListField(child=serializers.IntegerField())
    last_activity = serializers.DateTimeField(allow_null=True)


class GradebookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    course = serializers.CharField()
    lessons = serializers.ListField(child=serializers.DictField())
    challenges = serializers.ListField(child=serializers.DictField())
    learners = GradebookLearnerSerializer(many=True)
    most_missed = serializers.ListField(child=serializers.DictField(),
                                        help_text="Questions by share of learners missing them.")


def _challenge_state(status) -> str:
    if status is None or not status.runs_counted:
        return "not tried"
    return "passed" if status.passed else "tried"


class ClassGradebook(APIView):
    @extend_schema(responses={200: GradebookSerializer,
                              404: OpenApiResponse(description="No such class, or not yours.")})
    def get(self, request, cohort_id: int):
        """A class's grade book, for its instructors only."""
        cohort = selectors.cohort_for_instructor(user=request.user, cohort_id=cohort_id)
        if cohort is None:
            raise Http404("No such class.")
        book = selectors.gradebook(cohort=cohort)
        items = selectors.item_analysis(cohort=cohort)
        return Response({
            "id": cohort.pk, "name": cohort.name, "course": cohort.course.slug,
            "lessons": [{"id": lesson.pk, "title": lesson.title} for lesson in book.lessons],
            "challenges": [{"id": c.pk, "lab": c.lab_id, "lab_title": c.lab.title}
                           for c in book.challenges],
            "learners": [{
                "username": row.learner.username,
                "joined_at": row.membership.joined_at,
                "lessons_completed": row.lessons_completed,
                "quiz_attempts": row.attempts,
                "mean_quiz_score": row.mean_score,
                "best_quiz_scores": {str(k): v for k, v in row.best_scores.items()},
                "challenges": {str(c.pk): _challenge_state(row.challenges.get(c.pk))
                               for c in book.challenges},
                "challenges_passed": row.challenges_passed,
                "predictions_made": row.predictions.made,
                "predictions_settled": row.predictions.settled,
                "predictions_right": row.predictions.right,
                "runs": row.runs,
                "recent_runs": [job.pk for job in row.recent_runs],
                "last_activity": row.last_activity,
            } for row in selectors.sorted_rows(book.rows, sort="name", descending=False)],
            "most_missed": [{
                "question": item.question.pk,
                "lesson": item.question.quiz.lesson.title,
                "prompt": item.question.prompt,
                "answered": item.answered,
                "missed": item.missed,
                "answers": [{"answer": text, "count": n, "correct": right}
                            for text, n, right in item.distribution],
            } for item in items[:10]],
        })
