"""An instructor sweeps a lab from its lesson page (2 learning rates × 2 seeds, tiny runs) on
the live platform, and sees each value's mean ± std band and final-metric table."""

from pathlib import Path

import pytest

from lessons.models import Course, Lab, Lesson, LessonStatus, Module
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/notes/shots/sweeps")
TINY = {
    "model": {"kind": "mlp", "hidden": [8], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 200, "noise": 0.2, "val_fraction": 0.25, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3},
}


@pytest.fixture
def tiny_lesson(db) -> Lesson:
    course = Course.objects.create(title="Sweeping", slug="sweeping", is_published=True)
    module = Module.objects.create(course=course, title="Basics", slug="basics")
    lesson = Lesson.objects.create(module=module, title="Learning rate", slug="sweep-lr",
                                   status=LessonStatus.PUBLISHED, body="A lab to sweep.")
    lab = Lab(lesson=lesson, title="Tiny moons", slug="tiny", preset_config=TINY,
              tunable={"optim.lr": {"min": 0.001, "max": 0.5}})
    lab.full_clean()
    lab.save()
    return lesson


def test_an_instructor_sweeps_a_lab_and_sees_mean_and_std(live_platform, page, user,
                                                          tiny_lesson):
    user.is_staff = True  # both instructor roles (accounts.instructors)
    user.save()
    lesson_url = tiny_lesson.get_absolute_url()
    log_in(page, live_platform.url, lesson_url)

    page.get_by_role("link", name="Sweep this lab").click()
    page.wait_for_url("**/sweep/")
    page.fill("input[name=values_1]", "0.01, 0.1")
    page.fill("input[name=seeds]", "2")
    page.get_by_role("button", name="Start the sweep").click()
    page.wait_for_url("**/sweeps/*/")
    assert "4 runs" in page.locator(".sweep-progress").inner_text()

    # The page reloads itself until every run has finished, then draws the chart.
    page.wait_for_selector(".compare-chart", timeout=120_000)
    page.wait_for_function("() => document.querySelector('.compare-chart').data")
    assert "4 done" in page.locator(".sweep-progress").inner_text()
    traces = page.evaluate("() => document.querySelector('.compare-chart').data.map("
                           "t => ({ name: t.name, fill: t.fill }))")
    names = [t["name"] for t in traces]
    assert names.count("mean of optim.lr = 0.01") == 1
    assert names.count("mean of optim.lr = 0.1") == 1
    assert sum(t["fill"] == "tonexty" for t in traces) == 2  # one ± std band per value
    rows = page.locator("table.sweep-table tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["optim.lr = 0.01", "optim.lr = 0.1"]
    assert all(row.count("± ") == 4 for row in rows), rows  # accuracy and loss, val and train

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SHOTS / "sweep-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # drawn at the phone's width, as a phone would load it
    page.wait_for_function("() => document.querySelector('.compare-chart').data")
    page.screenshot(path=str(SHOTS / "sweep-phone.png"), full_page=True)
    page.goto(f"{live_platform.url}/labs/{tiny_lesson.labs.get().pk}/sweep/")
    page.screenshot(path=str(SHOTS / "sweep-form-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SHOTS / "sweep-form-desktop.png"), full_page=True)
