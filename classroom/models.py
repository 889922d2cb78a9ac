"""Classes (cohorts): an instructor's group of learners following a course.

A learner joins with the class's code (or a link holding it) and may be in several classes;
the class's instructors read their learners' progress, attempts and runs, never edit them.
"""

import secrets

from django.conf import settings
from django.db import models

# No 0/O, 1/I/L: a code is read aloud in a classroom and typed by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Cohort(models.Model):
    name = models.CharField(max_length=120)
    course = models.ForeignKey(
        "lessons.Course", on_delete=models.PROTECT, related_name="cohorts",
        help_text="The course this class follows: its progress columns.",
    )
    join_code = models.CharField(
        max_length=16, unique=True, default=new_join_code,
        help_text="Learners join with this code, or the link that holds it.",
    )
    joining_open = models.BooleanField(
        default=True, help_text="Untick to stop new learners joining (members stay)."
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts_taught", blank=True
    )
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="cohorts_joined", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "learner__username"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"
