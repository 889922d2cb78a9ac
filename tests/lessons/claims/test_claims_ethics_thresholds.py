"""The numbers the ethical-AI lesson quotes about its threshold figure still hold.

The figure (static/js/figures/fairness-thresholds.js) gives both groups the same logistic
score distributions (qualified around 0.65, unqualified around 0.35, scale 0.08) and base
rates 0.5 and 0.3; here scipy's logistic distribution gives each group's rates.
"""

import pytest
from scipy.stats import logistic

QUALIFIED = logistic(loc=0.65, scale=0.08)
UNQUALIFIED = logistic(loc=0.35, scale=0.08)
TOLERANCE = 0.02  # the figure's "holds": every gap at most this

def rates(threshold: float, base_rate: float) -> dict[str, float]:
    tpr, fpr = QUALIFIED.sf(threshold), UNQUALIFIED.sf(threshold)
    selected = base_rate * tpr + (1 - base_rate) * fpr
    return {"selected": selected, "tpr": tpr, "fpr": fpr, "ppv": base_rate * tpr / selected}


def holds(a: dict[str, float], b: dict[str, float]) -> dict[str, bool]:
    def gap(key: str) -> float:
        return abs(a[key] - b[key])

    return {"demographic parity": gap("selected") <= TOLERANCE,
            "equalized odds": gap("tpr") <= TOLERANCE and gap("fpr") <= TOLERANCE,
            "predictive parity": gap("ppv") <= TOLERANCE}


def test_equal_thresholds_give_equalized_odds_and_unequal_ppv_and_hiring():
    a, b = rates(0.5, 0.5), rates(0.5, 0.3)
    assert a["tpr"] == b["tpr"] == pytest.approx(0.867, abs=5e-4)
    assert a["fpr"] == b["fpr"] == pytest.approx(0.133, abs=5e-4)
    assert a["selected"] == pytest.approx(0.5) and b["selected"] == pytest.approx(0.353, abs=5e-4)
    assert a["ppv"] == pytest.approx(0.867, abs=5e-4) and b["ppv"] == pytest.approx(0.736, abs=5e-4)
    assert holds(a, b) == {"demographic parity": False, "equalized odds": True,
                           "predictive parity": False}


def test_moving_group_bs_threshold_trades_one_criterion_for_another():
    a = rates(0.5, 0.5)
    parity = rates(0.42, 0.3)
    assert parity["selected"] == pytest.approx(0.49, abs=5e-3)
    assert parity["fpr"] == pytest.approx(0.294, abs=5e-4)
    assert parity["ppv"] == pytest.approx(0.580, abs=5e-4)
    assert holds(a, parity) == {"demographic parity": True, "equalized odds": False,
                                "predictive parity": False}
    calibrated = rates(0.6, 0.3)
    assert calibrated["ppv"] == pytest.approx(0.869, abs=5e-4)
    assert calibrated["tpr"] == pytest.approx(0.651, abs=5e-4)
    assert holds(a, calibrated) == {"demographic parity": False, "equalized odds": False,
                                    "predictive parity": True}


def test_no_pair_of_thresholds_satisfies_all_three_unless_the_base_rates_match():
    grid = [t / 100 for t in range(101)]
    assert not any(all(holds(rates(ta, 0.5), rates(tb, 0.3)).values())
                   for ta in grid for tb in grid)
    assert all(holds(rates(0.5, 0.5), rates(0.5, 0.5)).values())


def test_the_same_score_means_a_different_chance_of_being_qualified():
    """Same score distributions per class, different base rates: P(qualified | score) differs."""
    def share_qualified(score: float, base_rate: float) -> float:
        qualified = base_rate * QUALIFIED.pdf(score)
        return qualified / (qualified + (1 - base_rate) * UNQUALIFIED.pdf(score))

    assert share_qualified(0.65, 0.5) == pytest.approx(0.92, abs=5e-3)
    assert share_qualified(0.65, 0.3) == pytest.approx(0.83, abs=5e-3)
    assert share_qualified(0.65, 0.3) < share_qualified(0.65, 0.5)


def test_chouldechovas_identity_holds_for_the_figures_groups():
    for threshold, base_rate in [(0.5, 0.5), (0.42, 0.3), (0.6, 0.3)]:
        r = rates(threshold, base_rate)
        identity = base_rate / (1 - base_rate) * (1 - r["ppv"]) / r["ppv"] * r["tpr"]
        assert r["fpr"] == pytest.approx(identity)
