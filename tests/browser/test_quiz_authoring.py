"""A content author writes a multiple-choice question with its choices on the quiz's one
admin page in Chromium, previews the quiz as learners see it, and opens a lab's preset form.
Screenshots go to /work/notes/shots/authoring/."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from accounts.instructors import CONTENT_AUTHORS_GROUP
from lessons.models import Course, Lab, Lesson, LessonStatus, Module, Question, Quiz
from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/notes/shots/authoring")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PRESET = {
    "model": {"kind": "mlp", "hidden": [8]},
    "data": {"name": "moons"},
    "optim": {"name": "sgd", "lr": 0.1, "epochs": 5},
}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def author_and_quiz(db):
    author = User.objects.create_user("author", password=PASSWORD, is_staff=True)
    author.groups.set(Group.objects.filter(name=CONTENT_AUTHORS_GROUP))
    course = Course.objects.create(title="Foundations", slug="foundations", is_published=True)
    module = Module.objects.create(course=course, title="Basics", slug="basics")
    lesson = Lesson.objects.create(module=module, title="Losses", slug="losses",
                                   status=LessonStatus.PUBLISHED, body="Hello.")
    lab = Lab(lesson=lesson, title="Moons", slug="moons", preset_config=PRESET,
              tunable={"optim.lr": {"min": 0.001, "max": 1}})
    lab.full_clean()
    lab.save()
    return author, Quiz.objects.create(lesson=lesson, title="Check your understanding"), lab


def log_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("input[name=username]", "author")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_an_author_writes_a_question_with_its_choices_on_one_page(
    live_platform, browser, author_and_quiz
):
    _author, quiz, lab = author_and_quiz
    base = live_platform.url
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    quiz_url = f"/admin/lessons/quiz/{quiz.pk}/change/"
    log_in(page, base, quiz_url)

    page.locator(".djn-add-handler.djn-model-lessons-question:visible").click()
    page.select_option("[name='questions-0-kind']", "multiple")
    page.fill("[name='questions-0-prompt']", "Which of these are **loss** functions?")
    page.fill("[name='questions-0-explanation']", "Accuracy is a metric, not a loss.")
    add_choice = page.locator(".djn-add-handler.djn-model-lessons-choice:visible")
    for j, (text, correct) in enumerate(
        [("Cross-entropy", True), ("Mean squared error", True), ("Accuracy", False)]
    ):
        add_choice.click()
        page.fill(f"[name='questions-0-choices-{j}-text']", text)
        if correct:
            page.check(f"[name='questions-0-choices-{j}-is_correct']")
    shoot(page, "quiz-authoring-desktop")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    question = Question.objects.get(quiz=quiz)
    assert question.kind == "multiple" and "<strong>loss</strong>" in question.prompt_html
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("Cross-entropy", True), ("Mean squared error", True), ("Accuracy", False)]
    # The saved page shows the question with its choices, and leads to the preview.
    expect(page.locator("[name='questions-0-choices-2-text']")).to_have_value("Accuracy")
    shoot(page, "quiz-authoring-saved-desktop")

    # A question whose kind asks for one right answer but has two: the error stays on the page.
    page.select_option("[name='questions-0-kind']", "single")
    page.click("input[name=_continue]")
    expect(page.locator(".errorlist").first).to_contain_text("exactly one correct choice")
    shoot(page, "quiz-authoring-error-desktop")

    page.goto(f"{base}{quiz_url}")
    page.click("text=Preview as a learner sees it")
    expect(page.locator(".card.quiz")).to_contain_text("Which of these are loss functions?")
    shoot(page, "quiz-preview-desktop")
    page.check("text=Cross-entropy")
    page.click(".card.quiz button[type=submit]")
    expect(page.locator(".quiz-score")).to_contain_text("You scored 0 / 1")
    shoot(page, "quiz-preview-answered-desktop")
    phone = browser.new_context(viewport=PHONE, storage_state=context.storage_state())
    phone_page = phone.new_page()
    phone_page.goto(page.url)
    shoot(phone_page, "quiz-preview-phone")
    phone.close()

    page.goto(f"{base}/admin/lessons/lab/{lab.pk}/change/")
    expect(page.locator("#id_preset__optim__lr")).to_have_value("0.1")
    # Only the chosen model type's fields show: the mlp has no convolution channels.
    expect(page.locator(".form-row.field-preset__model__channels")).to_be_hidden()
    expect(page.locator(".form-row.field-preset__model__hidden")).to_be_visible()
    shoot(page, "lab-preset-form-desktop")
    page.fill("#id_preset__optim__lr", "50")
    page.click("input[name=_continue]")
    expect(page.locator(".form-row.field-preset__optim__lr .errorlist")).to_contain_text(
        "must be greater than 0 and at most 10")
    shoot(page, "lab-preset-error-desktop")
    context.close()
    assert not [p for p in problems if "favicon" not in p], problems
