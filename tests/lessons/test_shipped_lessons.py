"""Every lesson shipped in content/ loads, renders, has a working quiz and valid labs."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from engine import parse_config
from lessons.labs import check_lab_config
from lessons.loader import load_content
from lessons.models import Course, Lesson, QuestionKind
from lessons.services import attempt_submit

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def shipped(db):
    report = load_content(CONTENT)
    assert not report.skipped and not report.warnings
    return list(Lesson.objects.select_related("module__course"))


# The course follows the syllabus (/work/shared/syllabus.md): one module per heading, in order,
# and at least one lesson per bullet.
SYLLABUS = {
    "Introduction to Deep Learning": ["what-is-deep-learning"],
    "Fundamentals of Neural Networks": [
        "artificial-neurons", "forward-propagation", "activation-functions",
        "softmax-and-cross-entropy",
    ],
    "Training Neural Networks": [
        "gradient-descent", "backpropagation", "sgd-minibatch-batch", "optimizers",
        "initialization-and-unstable-gradients", "normalization-layers",
    ],
    "Advanced Neural Network Architectures": [
        "convolutional-networks", "recurrent-networks", "generative-adversarial-networks",
        "autoencoders", "modern-convolutional-networks", "variational-autoencoders",
        "attention", "transformers",
    ],
    "Overfitting and Regularization": ["overfitting", "regularization",
                                       "generalization-in-practice"],
    "Evaluation and Metrics": ["model-evaluation", "performance-metrics", "roc-pr-and-imbalance"],
    "Transfer Learning": ["transfer-learning"],
    "Deep Learning Frameworks": ["deep-learning-frameworks"],
    "Ethics and Bias in AI": ["bias-in-data", "ethical-ai"],
    "Practical Deep Learning": [
        "deploying-models", "model-interpretability", "real-world-applications",
    ],
}  # fmt: skip

# Lessons whose topic the engine cannot train yet: they say so instead of faking a lab.
NO_LAB_YET: set[str] = set()


def test_the_foundations_course_follows_the_syllabus(shipped):
    course = Course.objects.get(slug="foundations")
    assert course.title == "Deep Learning Foundations" and course.is_published
    outline = {
        module.title: [lesson.slug for lesson in shipped if lesson.module_id == module.id]
        for module in course.modules.order_by("order")
    }
    assert list(outline) == list(SYLLABUS)
    assert outline == SYLLABUS
    assert all(lesson.is_published for lesson in shipped)


def test_lessons_without_a_lab_say_why(shipped):
    for lesson in shipped:
        if lesson.slug in NO_LAB_YET:
            assert not lesson.labs.exists(), lesson.slug
            assert "## Lab: coming later" in lesson.body, lesson.slug


def test_loading_twice_is_idempotent(shipped):
    report = load_content(CONTENT)
    assert (len(report.created), len(report.updated)) == (0, 0)
    assert len(report.unchanged) == len(shipped) + Course.objects.count()


def test_management_command_loads_on_a_fresh_database(capsys):
    call_command("load_lessons")
    assert " created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out


def test_every_lesson_renders_with_math(client, shipped):
    for lesson in shipped:
        response = client.get(lesson.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200, lesson.slug
        assert "<math" in html, lesson.slug
        assert "math-error" not in html, lesson.slug
        for lab in lesson.labs.all():
            assert f'id="lab-{lab.id}"' in html


def test_every_code_block_of_every_lesson_renders_as_a_code_block(shipped):
    """A fence the renderer did not read as one (inside a list item, say) comes out as a line
    of inline code that starts with its language: `<code>python\n...`."""
    for lesson in shipped:
        fences = len(re.findall(r"^[ ]*```(?!`)[ \t]*(?!figure|tabs)\w", lesson.body, re.M))
        assert lesson.body_html.count("<pre") >= fences, lesson.slug
        assert not re.search(r"<code>[\w+#-]+\n", lesson.body_html), lesson.slug


def test_every_quiz_is_substantial_and_grades_right_and_wrong(shipped, learner, answers_for):
    for lesson in shipped:
        quiz = lesson.quiz
        questions = list(quiz.questions.all())
        assert len(questions) >= 5, lesson.slug
        assert {q.kind for q in questions} == set(QuestionKind.values), lesson.slug
        assert all(q.explanation.strip() for q in questions), lesson.slug
        for q in questions:
            assert "math-error" not in q.prompt_html + q.explanation_html, (lesson.slug, q.prompt)
        right = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
        assert right.score == right.max_score == len(questions), lesson.slug
        wrong = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right=False))
        assert wrong.score < wrong.max_score, lesson.slug


def test_every_lab_preset_is_valid_and_allowed_by_its_own_lab(shipped):
    labs = [lab for lesson in shipped for lab in lesson.labs.all()]
    assert labs
    for lab in labs:
        assert parse_config(lab.preset_config).to_dict() == lab.preset_config, lab.slug
        assert check_lab_config(lab, lab.preset_config) == {}, lab.slug
        assert lab.tunable, lab.slug
        assert "math-error" not in lab.instructions_html


def test_batch_lesson_lab_offers_the_three_batch_regimes(shipped):
    lab = Lesson.objects.get(slug="sgd-minibatch-batch").labs.get()
    assert lab.tunable["optim.batch_size"] == {"choices": [1, 32, "full"]}
    assert "optim.lr" in lab.tunable


def test_figures_are_embedded_and_their_script_loaded_only_where_used(client, shipped):
    expected = {
        "artificial-neurons": ["neuron"],
        "forward-propagation": ["forward-pass"],
        "activation-functions": ["activations"],
        "gradient-descent": ["gradient-descent"],
        "convolutional-networks": ["convolution"],
        "performance-metrics": ["threshold"],
        "initialization-and-unstable-gradients": ["init-histograms"],
        "optimizers": ["optimizer-paths"],
        "softmax-and-cross-entropy": ["softmax"],
        "roc-pr-and-imbalance": ["roc-point"],
        "what-is-deep-learning": ["history-timeline"],
        "backpropagation": ["backprop-graph"],
        "sgd-minibatch-batch": ["batch-noise"],
        "recurrent-networks": ["rnn-gradient"],
        "generative-adversarial-networks": ["gan-discriminator"],
        "autoencoders": ["bottleneck"],
        "transfer-learning": ["frozen-layers"],
        "bias-in-data": ["group-share"],
        "attention": ["attention"],
        "model-interpretability": ["attribution"],
        "ethical-ai": ["fairness-thresholds"],
        "model-evaluation": ["holdout-spread"],
        "modern-convolutional-networks": ["receptive-field"],
        "variational-autoencoders": ["kl-gaussian"],
        "transformers": ["positional-encoding"],
        "generalization-in-practice": ["search-coverage"],
        "overfitting": ["polynomial-fit"],
        "normalization-layers": ["batch-norm"],
        "regularization": ["weight-decay"],
        "deep-learning-frameworks": ["autograd-loop"],
        "deploying-models": ["psi-drift"],
        "real-world-applications": ["iou-boxes"],
    }
    for lesson in shipped:
        html = client.get(lesson.get_absolute_url()).content.decode()
        figures = re.findall(r'<div class="figure" data-figure="([\w-]+)"></div>', html)
        assert figures == expected.get(lesson.slug, []), lesson.slug
        has_tabs = 'class="code-tabs"' in html
        assert has_tabs == (lesson.slug == "deep-learning-frameworks"), lesson.slug
        assert ("js/figures/index.js" in html) == bool(figures or has_tabs), lesson.slug
        assert "figure-error" not in html, lesson.slug


def test_framework_lesson_shows_the_same_model_in_three_tabs(client, shipped):
    lesson = Lesson.objects.get(slug="deep-learning-frameworks")
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert re.findall(r'data-tab="([^"]+)"', html) == ["PyTorch", "Keras", "TensorFlow"]
    assert "nn.Linear(16, 2)" in html and "keras.layers.Dense(2)" in html
    assert "tf.GradientTape()" in html


def test_every_lab_lesson_asks_about_the_learners_own_run(shipped):
    """At least one question per lab lesson is answered from what the lab shows."""
    for lesson in shipped:
        if not lesson.labs.exists():
            continue
        prompts = [q.prompt.lower() for q in lesson.quiz.questions.all()]
        assert any("lab" in p or "run" in p for p in prompts), lesson.slug


def test_display_math_in_a_list_item_is_indented_with_the_item(client, shipped):
    """A `$$` line at column 0 inside a list item ends the list: the item's text after it, and
    the items after that, render outside it (deploying-models' PSI bullet and the attention
    and IoU bullets of real-world-applications did). Indented with the item, it stays inside."""
    split = []
    for lesson in shipped:
        lines = lesson.body.split("\n")
        for i, line in enumerate(lines):
            if not line.startswith("$$"):
                continue
            before = next((x for x in reversed(lines[:i]) if x.strip()), "")
            after = next((x for x in lines[i + 1:] if x.strip()), "")
            in_item = re.match(r"(?:[-*+]|\d+[.)])[ \t]|[ \t]{2,}\S", before)
            if in_item and after.startswith("  "):
                split.append(f"{lesson.slug}: {line[:50]}")
    assert not split, split
    deploying = Lesson.objects.get(slug="deploying-models")
    html = client.get(deploying.get_absolute_url()).content.decode()
    monitor = html[html.index(">4. Monitor<"):html.index(">What the PSI sees")]
    assert monitor.count("<ul>") == 1 and monitor.count("<li>") == 4
    psi = monitor.index("math-scroll")
    assert monitor.rfind("<li>", 0, psi) > monitor.rfind("</li>", 0, psi)  # inside an item
