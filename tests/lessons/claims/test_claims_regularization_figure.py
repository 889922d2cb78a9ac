"""The regularization lesson's weight-decay figure: the regularized minimum it draws (and the
lesson quotes) is where gradient descent on the same loss ends.

A module of its own beside test_claims_overfitting.py, whose lab claims other lessons' work
touches at the same time.
"""

import pytest
import torch

# The regularization lesson's weight-decay figure (static/js/figures/weight-decay.js): a data
# loss ½ Σ c_k (w_k − w*_k)² plus (λ/2)‖w‖², whose minimum the lesson gives in closed form.
WEIGHT_DECAY_BEST = (3.0, 4.0)
WEIGHT_DECAY_CURVATURE = (2.0, 0.2)


def regularized_minimum(lam: float) -> list[float]:
    return [c * best / (c + lam)
            for c, best in zip(WEIGHT_DECAY_CURVATURE, WEIGHT_DECAY_BEST, strict=True)]


def test_the_weight_decay_figures_closed_form_is_where_gradient_descent_ends():
    """The closed form c_k w*_k / (c_k + λ) is the minimum torch's SGD finds on the same loss
    with weight_decay=λ; at λ = 0.2 it is (2.73, 2): 91% and half of (3, 4)."""
    best, curvature = torch.tensor(WEIGHT_DECAY_BEST), torch.tensor(WEIGHT_DECAY_CURVATURE)
    for lam in (0.0, 0.2, 1.0, 5.0):
        w = torch.zeros(2, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.1, weight_decay=lam)
        for _ in range(3000):
            optimizer.zero_grad()
            (0.5 * curvature * (w - best) ** 2).sum().backward()
            optimizer.step()
        assert w.tolist() == pytest.approx(regularized_minimum(lam), abs=1e-4)
    at_start = regularized_minimum(0.2)
    assert [round(v, 2) for v in at_start] == [2.73, 2]
    assert round(at_start[0] / 3, 2) == 0.91 and at_start[1] / 4 == pytest.approx(0.5)


def test_the_contour_and_the_penalty_circle_touch_at_the_minimum():
    """The text's "the two dashed curves touch there": at the regularized minimum the data
    loss's gradient c_k (w_k − w*_k) is exactly −λ w, the penalty's gradient reversed, so the
    contour and the circle through that point share their tangent."""
    for lam in (0.2, 1.0, 5.0):
        w = regularized_minimum(lam)
        data_gradient = [c * (wk - best) for c, wk, best
                         in zip(WEIGHT_DECAY_CURVATURE, w, WEIGHT_DECAY_BEST, strict=True)]
        assert data_gradient == pytest.approx([-lam * wk for wk in w])
        # Same direction up to sign: their cross product vanishes.
        assert data_gradient[0] * w[1] - data_gradient[1] * w[0] == pytest.approx(0, abs=1e-12)
