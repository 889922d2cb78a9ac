"""The course outline: progress per module (section), a completion mark per section, and a
"continue where you stopped" link to the first unfinished lesson."""

from lessons.services import lesson_mark_complete


def outline(client, course_slug="foundations") -> str:
    return client.get(f"/courses/{course_slug}/").content.decode()


def test_each_module_shows_how_many_of_its_lessons_are_done(client, make_lesson, learner):
    first = make_lesson("neurons", module_slug="basics", order=1)
    make_lesson("layers", module_slug="basics", order=2)
    make_lesson("backprop", module_slug="training", order=1)
    lesson_mark_complete(user=learner, lesson=first)
    client.force_login(learner)
    html = outline(client)
    assert "1 of 2 lessons completed" in html
    assert "0 of 1 lesson completed" in html
    assert 'aria-label="Basics: 1 of 2 lessons completed"' in html
    assert "Section complete" not in html


def test_a_finished_module_is_marked_complete(client, make_lesson, learner):
    lessons = [make_lesson(slug, module_slug="basics", order=i) for i, slug in enumerate("ab")]
    make_lesson("c", module_slug="training")
    for lesson in lessons:
        lesson_mark_complete(user=learner, lesson=lesson)
    client.force_login(learner)
    html = outline(client)
    assert html.count("✓ Section complete") == 1
    assert "2 of 2 lessons done" in html
    assert "module-done" in html


def test_continue_link_points_at_the_first_unfinished_lesson(client, make_lesson, learner):
    a = make_lesson("a", module_slug="basics", order=1)
    make_lesson("b", module_slug="basics", order=2)
    make_lesson("c", module_slug="training", order=1)
    client.force_login(learner)
    assert "Continue where you stopped" not in outline(client)  # nothing started yet
    lesson_mark_complete(user=learner, lesson=a)
    html = outline(client)
    assert "Continue where you stopped" in html
    assert 'class="button" href="/courses/foundations/b/"' in html


def test_anonymous_visitors_see_no_progress(client, make_lesson):
    make_lesson("a")
    html = outline(client)
    assert "lessons completed" not in html and "Continue where you stopped" not in html
