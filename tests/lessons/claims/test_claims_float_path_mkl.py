"""Claims of chaotic runs hold on the mkl-compatible float path too (see float_paths.py)."""

from tests.lessons.claims.float_paths import assert_chaotic_claims_hold_on


def test_claims_of_chaotic_runs_hold_on_the_mkl_float_path():
    assert_chaotic_claims_hold_on("mkl-compatible")
