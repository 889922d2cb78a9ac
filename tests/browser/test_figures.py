"""The lessons' interactive figures in Chromium: they mount, their controls work from the
keyboard, the numbers they show are right, and they stay inside a phone's screen."""

import json
import math

import pytest
from django.core.management import call_command
from sklearn import metrics

from lessons.models import Lesson, LessonStatus
from tests.fixtures.accounts import PASSWORD
from tests.lessons.claims.init_histograms import layer_stds, saturated_share

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

COURSE = "/courses/foundations"


@pytest.fixture
def lessons(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url


def open_figure(page, base_url: str, lesson: str, figure: str):
    page.goto(f"{base_url}{COURSE}/{lesson}/")
    root = page.locator(f'.figure[data-figure="{figure}"]')
    root.locator(".figure-readout").wait_for()
    return root


def snap(screenshot, page, root, name: str) -> None:
    """The whole page, and the figure alone (close enough to read its numbers)."""
    path = screenshot(page, name)
    root.screenshot(path=str(path.with_name(f"{name}-close.png")))


def readout(root) -> str:
    return root.locator(".figure-readout").inner_text()


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def shown(x: float) -> str:
    """A number as the figures print it: 3 decimals, no trailing zeros, a real minus sign."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace("-", "−")


def test_neuron_sliders_move_the_output(lessons, page, screenshot):
    root = open_figure(page, lessons, "artificial-neurons", "neuron")
    # The lesson text promises z = 1 and a = 0.731 for the starting values.
    assert "= 1;" in readout(root) and f"= {shown(sigmoid(1))}" in readout(root)

    weight = root.get_by_role("slider", name="weight w", exact=True)
    weight.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.1: w = 2.1, so z = 1.1
    assert root.locator("output").nth(1).inner_text() == "2.1"
    assert f"output a = sigmoid(1.1) = {shown(sigmoid(1.1))}" in readout(root)

    root.get_by_role("slider", name="input x", exact=True).fill("1.5")
    weight.fill("2")
    assert f"= {shown(sigmoid(2))}" in readout(root)  # the quiz's 0.88
    root.get_by_role("radio", name="ReLU", exact=True).check()
    root.get_by_role("slider", name="bias b", exact=True).fill("-3")
    assert "ReLU(0) = 0" in readout(root)
    snap(screenshot, page, root, "figure-neuron")


def test_activation_figure_shows_function_and_slope(lessons, page, screenshot):
    root = open_figure(page, lessons, "activation-functions", "activations")
    root.get_by_role("radio", name="tanh", exact=True).check()
    root.get_by_role("slider", name="input z", exact=True).fill("2")
    text = readout(root)
    assert f"φ(2) = {shown(math.tanh(2))}" in text
    assert f"φ′(2) = {shown(1 - math.tanh(2) ** 2)}" in text  # 0.071, the quiz's answer

    root.get_by_role("radio", name="GELU", exact=True).check()
    root.get_by_role("slider", name="input z", exact=True).fill("1")
    gelu = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    assert f"φ(1) = {shown(gelu)}" in readout(root)
    root.get_by_role("radio", name="sigmoid", exact=True).check()
    root.get_by_role("slider", name="input z", exact=True).fill("0")
    assert "φ′(0) = 0.25" in readout(root)
    snap(screenshot, page, root, "figure-activations")


def test_forward_pass_steps_through_the_worked_example(lessons, page, screenshot):
    root = open_figure(page, lessons, "forward-propagation", "forward-pass")
    next_step = root.get_by_role("button", name="Next step")
    next_step.click()  # the inputs (0.5, −1) as set, not rounded to 0 and 1 decimals
    assert readout(root).startswith("z₁ = 0.4·0.5 + −0.6·−1 + 0.1 = ")
    root.get_by_role("button", name="Back").click()
    for _ in range(4):
        next_step.click()
    assert readout(root) == f"ŷ = σ(0.85) = {shown(sigmoid(0.85))}"  # 0.701, as in the text
    assert next_step.is_disabled()
    root.get_by_role("slider", name="input x₁", exact=True).fill("1")
    root.get_by_role("slider", name="input x₂", exact=True).fill("1")
    assert readout(root) == f"ŷ = σ(−1.13) = {shown(sigmoid(-1.13))}"  # the quiz's 0.24
    root.get_by_role("button", name="Back").click()
    assert "z = 1.5·0 + −0.7·0.9 + −0.5 = −1.13" in readout(root)
    snap(screenshot, page, root, "figure-forward-pass")


def test_gradient_descent_diverges_above_the_stable_learning_rate(lessons, page, screenshot):
    root = open_figure(page, lessons, "gradient-descent", "gradient-descent")
    assert "loss 0.236" in readout(root)  # η = 0.05, 20 steps, as the lesson says
    rate = root.get_by_role("slider", name="learning rate η", exact=True)
    rate.fill("0.1")
    assert "loss 0.002" in readout(root) and "getting closer" in readout(root)
    rate.fill("0.21")
    assert "loss 905.185" in readout(root) and "diverging" in readout(root)
    snap(screenshot, page, root, "figure-gradient-descent-diverging")
    rate.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # 0.19: still converging, slowly, zigzagging
    assert "η = 0.19" in readout(root) and "diverging" not in readout(root)


def test_convolution_kernels_give_the_lessons_numbers(lessons, page, screenshot):
    root = open_figure(page, lessons, "convolutional-networks", "convolution")
    assert readout(root).endswith("= 9")  # edge kernel, first position: 9·1
    root.get_by_role("radio", name="blur", exact=True).check()
    root.get_by_role("slider", name="kernel position", exact=True).fill("12")
    assert readout(root).startswith("Output at row 3, column 3")
    assert readout(root).endswith("= 9")
    root.get_by_role("radio", name="sharpen", exact=True).check()
    root.get_by_role("slider", name="kernel position", exact=True).fill("6")
    assert readout(root).endswith("= 27")
    assert root.locator(".conv-grid.output .conv-cell.on").inner_text() == "27"
    snap(screenshot, page, root, "figure-convolution")


def test_threshold_moves_precision_recall_and_f1(lessons, page, screenshot):
    root = open_figure(page, lessons, "performance-metrics", "threshold")
    assert readout(root) == ("Threshold 0.5: precision 0.7, recall 0.875, F1 0.778, accuracy 0.8")
    root.get_by_role("slider", name="threshold", exact=True).fill("0.7")
    assert readout(root) == ("Threshold 0.7: precision 0.833, recall 0.625, F1 0.714, accuracy 0.8")
    cells = root.locator(".confusion td").all_inner_texts()
    assert cells[1:] == ["TP 5", "FN 3", "FP 1", "TN 11"]
    snap(screenshot, page, root, "figure-threshold")


def test_roc_point_moves_with_the_threshold_and_imbalance_moves_only_precision(
    lessons, page, screenshot
):
    """The ROC point is (FPR, TPR) at the threshold; counting every negative k times leaves
    it and the ROC AUC alone, and lowers precision and average precision (scikit-learn's,
    with the negatives weighted k)."""
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    root = open_figure(page, lessons, "roc-pr-and-imbalance", "roc-point")
    scores = page.evaluate("() => window.dlFigures.threshold.SCORES")
    labels = page.evaluate("() => window.dlFigures.threshold.LABELS")

    def expected(threshold: float, k: int) -> str:
        called = [s >= threshold for s in scores]
        tp = sum(c and y for c, y in zip(called, labels, strict=True))
        fp = sum(c and not y for c, y in zip(called, labels, strict=True))
        weights = [1 if y else k for y in labels]
        auc = metrics.roc_auc_score(labels, scores, sample_weight=weights)
        ap = metrics.average_precision_score(labels, scores, sample_weight=weights)
        return (f"Threshold {shown(threshold)}, negatives ×{k}: recall {shown(tp / 8)}, "
                f"false-positive rate {shown(fp / 12)}, precision {shown(tp / (tp + k * fp))}; "
                f"ROC AUC {shown(auc)}, average precision {shown(ap)}")

    assert readout(root) == expected(0.5, 1)
    root.get_by_role("slider", name="threshold", exact=True).fill("0.3")
    assert readout(root) == expected(0.3, 1)
    root.get_by_role("slider", name="each negative counts ×k", exact=True).fill("10")
    assert readout(root) == expected(0.3, 10)
    assert "ROC AUC 0.906" in readout(root) and "average precision 0.638" in readout(root)
    assert console_errors == []
    snap(screenshot, page, root, "figure-roc-point")


def shown_std(x: float) -> str:
    """A standard deviation as init-histograms prints it: 3 significant digits."""
    if abs(x) < 1e-4 or abs(x) >= 1e5:
        mantissa, exponent = f"{x:.2e}".split("e")
        return f"{mantissa}e{int(exponent)}".replace("-", "−")
    return f"{float(f'{x:.3g}')}".removesuffix(".0")


def test_init_histograms_show_the_signal_vanish_keep_its_size_and_explode(
    lessons, page, screenshot
):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    root = open_figure(page, lessons, "initialization-and-unstable-gradients", "init-histograms")

    def stds() -> list[float]:
        return json.loads(root.locator(".figure-readout").get_attribute("data-stds"))

    # Loaded at tanh with s = 1 (Xavier for square layers), as the lesson's first bullet.
    assert stds() == pytest.approx(layer_stds(1, "tanh"), rel=1e-9)
    assert f"layer 1 {shown_std(layer_stds(1, 'tanh')[0])}" in readout(root)  # 0.623
    assert "shrinks slowly" in readout(root) and "saturated" not in readout(root)
    root.get_by_role("radio", name="ReLU", exact=True).check()
    scale = root.get_by_role("slider", name="init scale s", exact=True)
    scale.fill("0.5")
    small = stds()
    assert small == pytest.approx(layer_stds(0.5, "relu"), rel=1e-9)
    # The math fixes the rate: a ReLU layer multiplies the std by about s/√2 ≈ 0.354.
    per_layer = (small[-1] / small[0]) ** (1 / 9)
    assert per_layer == pytest.approx(0.5 / math.sqrt(2), rel=0.05)
    assert "the signal vanishes" in readout(root)
    assert f"layer 10 {shown_std(small[-1])}" in readout(root)  # 3.01e−5
    snap(screenshot, page, root, "figure-init-histograms-vanishing")

    root.get_by_role("button", name="He: s = √2").click()
    assert root.locator("output").first.inner_text() == "1.414"
    assert stds() == pytest.approx(layer_stds(math.sqrt(2), "relu"), rel=1e-9)
    assert "keeps its size" in readout(root)
    scale.focus()
    for _ in range(59):  # 1.41 → 2.00 by the keyboard, 0.01 a press
        page.keyboard.press("ArrowRight")
    assert "s = 2:" in readout(root) and "the signal explodes" in readout(root)
    assert stds() == pytest.approx(layer_stds(2, "relu"), rel=1e-9)  # 1.17 to 31.6

    scale.fill("0.5")
    root.get_by_text("residual connections").click()
    assert stds() == pytest.approx(layer_stds(0.5, "relu", residual=True), rel=1e-9)
    assert ", residual:" in readout(root) and "vanishes" not in readout(root)
    root.get_by_text("residual connections").click()
    root.get_by_role("radio", name="tanh", exact=True).check()
    scale.fill("3")
    assert stds() == pytest.approx(layer_stds(3, "tanh"), rel=1e-9)  # ≈ 0.84 in every layer
    share = round(saturated_share(3) * 100)  # 46: the histograms pile up at −1 and 1
    assert f"{share}% of layer 10's units are saturated (|h| > 0.95)" in readout(root)
    snap(screenshot, page, root, "figure-init-histograms-saturated")
    assert not console_errors, console_errors


def test_the_pure_functions_behind_the_figures(lessons, page):
    page.goto(f"{lessons}{COURSE}/artificial-neurons/")
    page.wait_for_function("() => window.dlFigures !== undefined")
    got = page.evaluate(
        """() => {
          const f = window.dlFigures;
          const box = f.convolution.KERNELS.blur.k;
          return {
            relu: [-2, 0, 3].map((z) => f.activations.activation("relu", z)),
            leaky: f.activations.activation("leaky_relu", -2),
            dsig: f.activations.derivative("sigmoid", 5),
            gelu: f.activations.activation("gelu", -1),
            dgelu: f.activations.derivative("gelu", 1),
            forward: f["forward-pass"].forwardPass([0.5, -1]),
            path: f["gradient-descent"].descend(0.1, 2),
            edge: f.convolution.convolve(f.convolution.IMAGE, f.convolution.KERNELS.edge.k),
            blur: f.convolution.convolveAt(f.convolution.IMAGE, box, 2, 2),
            metrics: f.threshold.metricsAt(0.3),
          };
        }"""
    )
    assert got["relu"] == [0, 0, 3]
    assert got["leaky"] == pytest.approx(-0.02)
    assert got["dsig"] == pytest.approx(sigmoid(5) * (1 - sigmoid(5)))
    assert got["gelu"] == pytest.approx(-0.5 * (1 + math.erf(-1 / math.sqrt(2))), abs=1e-6)
    phi = math.exp(-0.5) / math.sqrt(2 * math.pi)
    assert got["dgelu"] == pytest.approx(0.5 * (1 + math.erf(1 / math.sqrt(2))) + phi, abs=1e-6)
    assert got["forward"]["z1"] == pytest.approx([0.9, -0.85])
    assert got["forward"]["y"] == pytest.approx(sigmoid(0.85))
    # w ← w − η·(2·w1, 10·w2) from (−4, 2): (−3.2, 0) then (−2.56, 0).
    assert got["path"] == [[-4, 2], pytest.approx([-3.2, 0]), pytest.approx([-2.56, 0])]
    assert got["edge"][2] == [36, 36, 0, -36, -36]
    assert got["blur"] == pytest.approx(9)
    metrics = got["metrics"]
    assert (metrics["tp"], metrics["fp"], metrics["fn"], metrics["tn"]) == (8, 6, 0, 6)
    assert metrics["precision"] == pytest.approx(8 / 14) and metrics["recall"] == 1


def test_framework_code_tabs_work_by_mouse_and_keyboard(lessons, page, screenshot):
    page.goto(f"{lessons}{COURSE}/deep-learning-frameworks/")
    tabs = page.get_by_role("tab")
    tabs.first.wait_for()
    assert tabs.all_inner_texts() == ["PyTorch", "Keras", "TensorFlow"]
    panel = page.get_by_role("tabpanel")
    assert "nn.Sequential(" in panel.inner_text()
    page.get_by_role("tab", name="Keras").click()
    assert "model.compile(" in page.get_by_role("tabpanel").inner_text()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="TensorFlow").get_attribute("aria-selected") == "true"
    assert "GradientTape" in page.get_by_role("tabpanel").inner_text()
    screenshot(page, "figure-framework-tabs")


def test_figures_fit_a_phone_screen(lessons, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        for lesson, figure in [
            ("gradient-descent", "gradient-descent"),
            ("convolutional-networks", "convolution"),
            ("initialization-and-unstable-gradients", "init-histograms"),
            ("softmax-and-cross-entropy", "softmax"),
            ("roc-pr-and-imbalance", "roc-point"),
            ("performance-metrics", "threshold"),
            ("variational-autoencoders", "kl-gaussian"),
        ]:
            root = open_figure(page, lessons, lesson, figure)
            root.scroll_into_view_if_needed()
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{lesson}: the page scrolls sideways by {overflow}px"
            box = root.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, lesson
            if figure == "init-histograms":
                snap(screenshot, page, root, "figure-init-histograms-phone")
            if figure == "kl-gaussian":
                snap(screenshot, page, root, "figure-kl-gaussian-phone")
        snap(screenshot, page, root, "figure-threshold-phone")
    finally:
        context.close()


def test_instructor_previews_a_draft_lesson_with_its_figure(lessons, page, make_user, screenshot):
    Lesson.objects.filter(slug="activation-functions").update(status=LessonStatus.DRAFT)
    make_user("teacher", is_staff=True)
    url = f"{COURSE}/activation-functions/"
    page.goto(f"{lessons}/accounts/login/?next={url}")
    page.fill("input[name=username]", "teacher")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{url}")
    assert "Draft — preview" in page.locator(".preview-banner").inner_text()
    root = page.locator('.figure[data-figure="activations"]')
    root.get_by_role("slider", name="input z", exact=True).fill("-2")
    assert "φ(−2) = 0" in root.locator(".figure-readout").inner_text()
    screenshot(page, "figure-draft-preview")


def softmax(z: list[float]) -> list[float]:
    top = max(z)
    exps = [math.exp(v - top) for v in z]
    return [e / sum(exps) for e in exps]


def softmax_numbers(z: list[float], true_class: int, eps: float = 0.0) -> str:
    """The figure's readout, computed here: probabilities, cross-entropy, gradient p − y."""
    p = softmax(z)
    y = [(1 - eps if k == true_class else 0) + eps / len(z) for k in range(len(z))]
    loss = -sum(yk * math.log(pk) for yk, pk in zip(y, p, strict=True))
    gradient = [pk - yk for pk, yk in zip(p, y, strict=True)]
    vector = ", ".join
    return (f"p = ({vector(shown(v) for v in p)}); loss = {shown(loss)}; "
            f"gradient p − y = ({vector(shown(v) for v in gradient)})")


def test_softmax_figure_shows_probabilities_loss_and_gradient(lessons, page, screenshot):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    root = open_figure(page, lessons, "softmax-and-cross-entropy", "softmax")
    # The lesson's worked example: (2, 1, 0.1), class 1: loss 0.417, gradient (−0.341, …).
    assert readout(root) == softmax_numbers([2, 1, 0.1], 0)
    assert "loss = 0.417" in readout(root) and "(−0.341, 0.242, 0.099)" in readout(root)

    second = root.get_by_role("slider", name="logit z₂", exact=True)
    second.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.1: z₂ = 1.1
    assert readout(root) == softmax_numbers([2, 1.1, 0.1], 0)
    second.fill("3")
    assert readout(root) == softmax_numbers([2, 3, 0.1], 0)
    root.get_by_role("radio", name="class 2", exact=True).check()
    assert readout(root) == softmax_numbers([2, 3, 0.1], 1)

    root.get_by_role("slider", name="label smoothing ε", exact=True).fill("0.1")
    assert readout(root) == softmax_numbers([2, 3, 0.1], 1, 0.1)
    # As the lesson says: z₁ at its maximum with ε = 0.1 makes class 1's gradient positive.
    root.get_by_role("radio", name="class 1", exact=True).check()
    second.fill("1")
    root.get_by_role("slider", name="logit z₁", exact=True).fill("5")
    assert readout(root) == softmax_numbers([5, 1, 0.1], 0, 0.1)
    assert not readout(root).split("gradient p − y = (")[1].startswith("−")

    # Shifting every logit by 1000 changes nothing; the naive formula overflows to NaN.
    before = readout(root)
    root.get_by_role("slider", name="add c to every logit", exact=True).fill("1000")
    assert readout(root) == before == softmax_numbers([1005, 1001, 1000.1], 0, 0.1)
    assert "NaN" not in readout(root)
    assert "(NaN, NaN, NaN)" in root.locator(".softmax-naive").inner_text()
    snap(screenshot, page, root, "figure-softmax")
    assert not console_errors


def test_softmax_figure_pure_functions(lessons, page):
    page.goto(f"{lessons}{COURSE}/softmax-and-cross-entropy/")
    page.wait_for_function("() => window.dlFigures !== undefined")
    got = page.evaluate(
        """() => {
          const f = window.dlFigures.softmax;
          return {
            p: f.softmax([1000, 999, 998]),
            naive: f.naiveSoftmax([1000, 999, 998]),
            lse: f.logSumExp([1000, 999, 998]),
            loss: f.crossEntropy([2, 1, 0.1], 0, 0.1),
            gradient: f.gradient([2, 1, 0.1], 0, 0.1),
          };
        }"""
    )
    assert got["p"] == pytest.approx(softmax([0, -1, -2]))  # the lesson's 0.665, 0.245, 0.090
    assert len(got["naive"]) == 3 and all(math.isnan(v) for v in got["naive"])
    assert got["lse"] == pytest.approx(1000 + math.log(1 + math.exp(-1) + math.exp(-2)))
    p = softmax([2, 1, 0.1])
    y = [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3]
    assert got["loss"] == pytest.approx(-sum(a * math.log(b) for a, b in zip(y, p, strict=True)))
    assert got["gradient"] == pytest.approx([a - b for a, b in zip(p, y, strict=True)])


def kl_numbers(mu: float, sigma: float) -> str:
    """The KL figure's readout, computed here: KL(N(mu, sigma²) || N(0, 1)) and its parts."""
    mean_part = mu**2 / 2
    spread_part = (sigma**2 - 1 - math.log(sigma**2)) / 2
    return (f"μ = {shown(mu)}, σ = {shown(sigma)}: KL = {shown(mean_part + spread_part)} nats "
            f"(mean ½μ² = {shown(mean_part)}, spread ½(σ² − 1 − ln σ²) = {shown(spread_part)})")


def test_kl_figure_shows_the_kl_of_q_against_the_prior(lessons, page, screenshot):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    root = open_figure(page, lessons, "variational-autoencoders", "kl-gaussian")
    # The lesson's worked example and quiz: mu = 1, sigma = 0.5 gives 0.818 nats.
    assert readout(root) == kl_numbers(1, 0.5)
    assert "KL = 0.818 nats" in readout(root)

    mean = root.get_by_role("slider", name="mean μ", exact=True)
    spread = root.get_by_role("slider", name="standard deviation σ", exact=True)
    mean.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.1: mu = 1.1
    assert readout(root) == kl_numbers(1.1, 0.5)
    # The prior itself costs nothing; moving the mean either way costs the same.
    mean.fill("0")
    spread.fill("1")
    assert readout(root) == kl_numbers(0, 1) and "KL = 0 nats" in readout(root)
    mean.fill("-1")
    assert readout(root) == kl_numbers(-1, 1) and "KL = 0.5 nats" in readout(root)
    # The quiz: a spread of 2 adds 0.807 to the mean's 0.5.
    spread.fill("2")
    assert readout(root) == kl_numbers(-1, 2) and "KL = 1.307 nats" in readout(root)
    spread.fill("0.1")
    assert readout(root) == kl_numbers(-1, 0.1)
    snap(screenshot, page, root, "figure-kl-gaussian")
    mean.fill("1")
    spread.fill("0.5")
    assert console_errors == []
