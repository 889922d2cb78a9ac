"""Every lab of every published lesson trains from its page, as a learner would press Train.

The labs come from the loaded content (`load_lessons`), so a new lab is covered without
touching this test. Each lab is trained twice on one page load: first with its preset
untouched, then, pressing Train again over the finished run, with every tunable field set
through the form to another valid value (tests/browser/lab_values.py). Both runs must
succeed with no page error and no console error, and the second run's config must hold the
values typed (a list field such as model.channels typed as "8, 16" arrives as [8, 16]).
"""

import time

import pytest
from django.core.management import call_command

from jobs.models import JobLimits, JobStatus, TrainingJob
from lessons.labs import _leaves
from lessons.models import Lab, LessonStatus
from tests.browser.lab_values import as_text, other_value
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RUN_TIMEOUT_MS = 180_000
TERMINAL = ("succeeded", "failed", "cancelled")
# A GAN's two losses are its two players'; the chart names them.
GAN_CURVES = ("generator loss (epoch)", "discriminator loss (epoch)")


def published_labs() -> list[Lab]:
    return list(
        Lab.objects.filter(lesson__status=LessonStatus.PUBLISHED)
        .select_related("lesson__module__course")
        .order_by("lesson__module__course__order", "lesson__module__order", "lesson__order",
                  "order", "id")
    )


def build_bases_the_labs_start_from(labs: list[Lab]) -> None:
    names = sorted({lab.preset_config.get("transfer", {}).get("base_name", "none")
                    for lab in labs} - {"none"})
    if names:
        call_command("build_base_models", *names, verbosity=0)


def set_field(section, path: str, value) -> None:
    control = section.locator(f"[data-path='{path}']")
    tag = control.evaluate("el => el.tagName + ':' + el.type")
    if tag == "INPUT:checkbox":
        control.set_checked(bool(value))
    elif tag.startswith("SELECT"):
        control.select_option(value=_json(value))
    else:
        control.fill(as_text(value))


def _json(value) -> str:
    import json

    return json.dumps(value)


def train_and_wait(page, section, lab: Lab, user, previous_id: int | None) -> TrainingJob:
    section.locator("button.lab-train").click()
    # The status badge of a new run: a previous run's "succeeded" must not count.
    page.wait_for_function(
        "([id, prev, terminal]) => {"
        " const s = document.querySelector(`section.lab[data-lab-id='${id}']`);"
        " const run = s && s.liveRun;"
        " return run && run.job.id !== prev && terminal.includes(run.status)"
        "   && terminal.includes(s.querySelector('.lab-status').textContent); }",
        arg=[lab.pk, previous_id, list(TERMINAL)], timeout=RUN_TIMEOUT_MS,
    )
    return TrainingJob.objects.filter(owner=user, lab=lab).latest("id")


def test_every_lab_trains_from_its_page_with_its_preset_and_with_every_field_changed(
    live_platform, browser, user
):
    call_command("load_lessons", verbosity=0)
    labs = published_labs()
    assert labs, "no published lab was loaded"
    # One learner trains every lab twice, more runs than the default hourly limit allows
    # (what that limit does is tested in tests/jobs/api/test_job_limits.py, not here).
    limits = JobLimits.current()
    limits.max_jobs_per_hour = max(limits.max_jobs_per_hour, 2 * len(labs) + 10)
    limits.save()
    build_bases_the_labs_start_from(labs)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and
            page_errors.append(f"console error: {msg.text} ({msg.location.get('url')})"))
    problems: list[str] = []
    started = time.monotonic()
    try:
        log_in(page, live_platform.url, labs[0].lesson.get_absolute_url())
        current_url = None
        for lab in labs:
            where = f"{lab.lesson.slug}/{lab.slug}"
            url = lab.lesson.get_absolute_url()
            if url != current_url:
                page.goto(live_platform.url + url)
                current_url = url
            section = page.locator(f"section.lab[data-lab-id='{lab.pk}']")
            section.locator(".lab-form [data-path], .lab-train").first.wait_for()

            preset_job = train_and_wait(page, section, lab, user, None)
            if preset_job.status != JobStatus.SUCCEEDED:
                problems.append(f"{where} preset: {preset_job.status} ({preset_job.error})")

            preset = _leaves(lab.preset_config)
            changed = {path: other_value(path, bounds, preset[path])
                       for path, bounds in lab.tunable.items()}
            for path, value in changed.items():
                set_field(section, path, value)
            changed_job = train_and_wait(page, section, lab, user, preset_job.pk)
            got = _leaves(changed_job.config)
            wrong = {p: got.get(p) for p, v in changed.items() if got.get(p) != v}
            if wrong:
                problems.append(f"{where} changed: sent {wrong}, typed {changed}")
            if changed_job.status != JobStatus.SUCCEEDED:
                problems.append(f"{where} changed {changed}: {changed_job.status} "
                                f"({changed_job.error})")
            curves = section.locator(".run-loss").evaluate("d => d.data.map((t) => t.name)")
            kind = lab.preset_config.get("model", {}).get("kind")
            named = GAN_CURVES if kind == "gan" else ("train loss (epoch)",)
            if not set(named) <= set(curves):
                problems.append(f"{where}: the loss chart names {curves}, not {named}")
            if page_errors:
                problems.append(f"{where}: {page_errors}")
                page_errors.clear()
    finally:
        context.close()
    elapsed = time.monotonic() - started
    print(f"{len(labs)} labs trained twice in {elapsed:.0f} s")
    assert not problems, "\n".join(problems)

