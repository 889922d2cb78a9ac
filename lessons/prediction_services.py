"""Changes to predictions: make one (locked from then on), and start the run that settles it."""

import math

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jobs import services as job_services
from jobs.models import JobStatus, TrainingJob
from lessons.prediction_models import Prediction, PredictionKind, PredictionQuestion
from lessons.predictions import run_config


class PredictionLocked(Exception):
    """The learner already predicted this: a prediction is never changed once made."""


class RunConflict(Exception):
    """The prediction already has a run that is training or has settled it."""


LOCKED_MESSAGE = "You already made a prediction for this question; it cannot be changed."


def prediction_make(*, user, question: PredictionQuestion, choice_id=None,
                    value=None) -> Prediction:
    """Store the learner's prediction, before any run: a range question takes one of its
    choices, an estimate question a finite number.

    Raises ValidationError naming the field, or PredictionLocked when one is already stored.
    """
    if Prediction.objects.filter(user=user, question=question).exists():
        raise PredictionLocked(LOCKED_MESSAGE)
    fields = {"user": user, "question": question}
    if question.kind == PredictionKind.NUMERIC:
        if value is None or isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise ValidationError({"value": "Enter your estimate as a number."})
        fields["value"] = float(value)
    else:
        choice = question.choices.filter(pk=choice_id).first() \
            if isinstance(choice_id, int) and not isinstance(choice_id, bool) else None
        if choice is None:
            raise ValidationError({"choice": "Pick one of this question's choices."})
        fields["choice"] = choice
    try:
        with transaction.atomic():
            return Prediction.objects.create(**fields)
    except IntegrityError as exc:  # the same learner, twice at once: the first one stands
        raise PredictionLocked(LOCKED_MESSAGE) from exc


def prediction_run(*, prediction: Prediction) -> TrainingJob:
    """Submit the run that settles a prediction, as a run of the question's lab, and link it.

    A prediction whose run failed or was cancelled may be run again; one whose run is training
    or succeeded may not (RunConflict). Raises what jobs.services.job_submit
    raises (ConfigError, LimitReached, QueueFull) when the run cannot be submitted.
    """
    with transaction.atomic():
        prediction = Prediction.objects.select_for_update().get(pk=prediction.pk)
        job = prediction.job
        if job is not None and job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
            raise RunConflict(f"This prediction already has its run, #{job.pk} ({job.status}).")
        question = PredictionQuestion.objects.select_related("lab").get(pk=prediction.question_id)
        job = job_services.job_submit(user=prediction.user, config=run_config(question),
                                      lab=question.lab)
        prediction.job = job
        prediction.save(update_fields=["job"])
    return job
