"""Give every existing question its first version and point the attempts made so far at it.

An attempt made before versions existed was graded against a wording nobody kept; the
question as it is now is the best record there is, and from here on every rewrite makes a
new version, so what these attempts show does not change again. Each attempt also keeps
its quiz's current pass mark.
"""

from django.db import migrations

from lessons.revision_models import question_snapshot


def first_versions(apps, schema_editor):
    Quiz = apps.get_model("lessons", "Quiz")
    Question = apps.get_model("lessons", "Question")
    QuestionVersion = apps.get_model("lessons", "QuestionVersion")
    Attempt = apps.get_model("lessons", "Attempt")
    AttemptVersion = Attempt.question_versions.through
    for quiz in Quiz.objects.all().iterator():
        versions = {}
        for question in Question.objects.filter(quiz=quiz).prefetch_related("choices"):
            versions[str(question.id)] = QuestionVersion.objects.create(
                quiz=quiz,
                question=question,
                question_key=question.id,
                number=1,
                **question_snapshot(question, question.choices.all()),
            )
        links = []
        for attempt in Attempt.objects.filter(quiz=quiz).only("id", "results").iterator():
            links += [
                AttemptVersion(attempt_id=attempt.id, questionversion_id=versions[key].id)
                for key in attempt.results
                if key in versions
            ]
        AttemptVersion.objects.bulk_create(links, batch_size=1000)
        Attempt.objects.filter(quiz=quiz).update(pass_mark=quiz.pass_mark)


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0003_question_versions_pending_updates"),
    ]

    operations = [
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
