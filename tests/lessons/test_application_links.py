"""The applications lesson ties each application to a lab of this course: every link in it
opens a published lesson, and its text is the title of a lab of that lesson."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from lessons.loader import load_content
from lessons.models import Lesson, LessonStatus

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"
LESSON = "real-world-applications"
# A Markdown link to a page of this site: [text](/path/).
_SITE_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<href>/[^)\s]*)\)")


@pytest.fixture
def applications(db) -> Lesson:
    load_content(CONTENT)
    return Lesson.objects.get(slug=LESSON)


def site_links(lesson: Lesson) -> list[tuple[str, str]]:
    return [(match["text"], match["href"]) for match in _SITE_LINK.finditer(lesson.body)]


def test_each_application_links_to_a_lab_of_a_published_lesson(applications, client):
    links = site_links(applications)
    assert len(links) >= 9
    for text, href in links:
        response = client.get(href)
        assert response.status_code == 200, href
        lesson = Lesson.objects.get(
            slug=href.strip("/").split("/")[-1], module__course=applications.module.course
        )
        assert lesson.status == LessonStatus.PUBLISHED, href
        assert href == lesson.get_absolute_url(), href
        assert text in set(lesson.labs.values_list("title", flat=True)), (text, href)


def test_the_links_are_rendered_on_the_page(applications, client):
    html = client.get(applications.get_absolute_url()).content.decode()
    for text, href in site_links(applications):
        assert f'<a href="{href}" rel="noopener noreferrer">{text}</a>' in html, href

