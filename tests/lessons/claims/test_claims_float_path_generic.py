"""Claims of chaotic runs hold on the generic-kernels float path too (see float_paths.py)."""

from tests.lessons.claims.float_paths import assert_chaotic_claims_hold_on


def test_claims_of_chaotic_runs_hold_on_the_generic_float_path():
    assert_chaotic_claims_hold_on("generic-kernels")
