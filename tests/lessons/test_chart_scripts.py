"""The charting library (1.5 MB) loads only on pages that draw a chart."""

import pytest

PLOTLY = "vendor/plotly/plotly-cartesian.min.js"


def lesson_url(lesson) -> str:
    return f"/courses/{lesson.module.course.slug}/{lesson.slug}/"


@pytest.mark.django_db
def test_a_visitor_who_cannot_train_gets_no_charting_library(client, lab):
    html = client.get(lesson_url(lab.lesson)).content.decode()
    assert "Log in</a> to train this model" in html
    assert PLOTLY not in html
    assert "js/live_run.js" not in html


@pytest.mark.django_db
def test_a_learner_on_a_lesson_with_a_lab_gets_it(client, lab, learner):
    client.force_login(learner)
    html = client.get(lesson_url(lab.lesson)).content.decode()
    assert f'<script defer src="/static/{PLOTLY}">' in html
    assert html.index(PLOTLY) < html.index("js/live_run.js") < html.index("js/lab.js")


@pytest.mark.django_db
def test_a_lesson_without_a_lab_has_none(client, lesson, learner):
    client.force_login(learner)
    assert PLOTLY not in client.get(lesson_url(lesson)).content.decode()


@pytest.mark.django_db
def test_every_page_names_the_favicon(client, lesson):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
