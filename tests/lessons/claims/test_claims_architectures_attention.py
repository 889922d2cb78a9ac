"""The numbers the attention lesson quotes still hold (see support.py).

A module of its own beside test_claims_architectures.py (same course module): the lesson has
no lab, so every number here is computed with PyTorch's own attention, softmax and
MultiheadAttention rather than read from a run, and the transformers lesson that follows is
being written at the same time.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

# The lesson's worked example (and the figure's starting state: static/js/figures/attention.js).
KEYS = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
VALUES = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
QUERY = torch.tensor([[2.0, 0.0]])

NOT_MEASURED = {
    "attention": {
        "1": "a position's index in the causal mask (positions 1 to i)",
        "8": "the keys per query of the measurement, a setting (1/8: their uniform weight)",
    },
}

CHECKED_BY = {
    "attention": {
        "0.87": "test_unscaled_scores_saturate_the_softmax_at_width_64",
        "37%": "test_unscaled_scores_saturate_the_softmax_at_width_64",
        "0.99": "test_unscaled_scores_saturate_the_softmax_at_width_64",
        "0.36": "test_unscaled_scores_saturate_the_softmax_at_width_64",
        "10 000": "test_unscaled_scores_saturate_the_softmax_at_width_64",
        "512": "test_the_quizs_numbers_and_the_cost",
        "2048": "test_the_quizs_numbers_and_the_cost",
    },
}


def attend(query: torch.Tensor, *, scaled: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """The weights and the output of one query over the lesson's keys and values."""
    scores = query @ KEYS.T / (math.sqrt(KEYS.shape[1]) if scaled else 1.0)
    weights = torch.softmax(scores, dim=-1)
    return weights, weights @ VALUES


def test_the_worked_example_step_by_step():
    scores = QUERY @ KEYS.T / math.sqrt(2)
    assert scores.squeeze().tolist() == pytest.approx([1.414, 0, -1.414], abs=5e-4)
    exponentials = scores.exp().squeeze()
    assert exponentials.tolist() == pytest.approx([4.113, 1, 0.243], abs=5e-4)
    assert exponentials.sum().item() == pytest.approx(5.356, abs=5e-4)
    weights, output = attend(QUERY)
    assert weights.squeeze().tolist() == pytest.approx([0.768, 0.187, 0.045], abs=5e-4)
    assert output.squeeze().tolist() == pytest.approx([0.813, 0.232], abs=5e-4)
    # The lesson's PyTorch snippet: its printed tensors, and the fused call agrees.
    assert weights.squeeze().tolist() == pytest.approx([0.7679, 0.1867, 0.0454], abs=5e-5)
    fused = F.scaled_dot_product_attention(QUERY, KEYS, VALUES)
    assert fused.squeeze().tolist() == pytest.approx([0.8133, 0.2321], abs=5e-5)


def test_without_scaling_or_with_a_longer_query_the_weights_sharpen():
    unscaled, _ = attend(QUERY, scaled=False)
    assert unscaled.squeeze().tolist() == pytest.approx([0.867, 0.117, 0.016], abs=5e-4)
    longer, _ = attend(2 * QUERY)
    assert longer.squeeze().tolist() == pytest.approx([0.941, 0.056, 0.003], abs=5e-4)
    assert unscaled.max() > attend(QUERY)[0].max() < longer.max()


def test_the_figures_notes():
    zero, output = attend(torch.zeros(1, 2))
    assert zero.squeeze().tolist() == pytest.approx([1 / 3] * 3)
    assert output.squeeze().tolist() == pytest.approx([2 / 3, 2 / 3])
    up, _ = attend(torch.tensor([[0.0, 2.0]]))
    assert up[0, 0].item() == pytest.approx(up[0, 2].item())
    # Lengthening sharpens towards the nearest key; halfway between k₁ and k₂, towards both.
    nearest, _ = attend(torch.tensor([[6.0, 0.0]]))
    assert nearest[0, 0].item() > 0.98
    between, _ = attend(6 * torch.tensor([[math.cos(math.pi / 4), math.sin(math.pi / 4)]]))
    assert between[0, 0].item() == pytest.approx(between[0, 1].item())
    assert between[0, 0].item() > 0.49 and between[0, 2].item() < 0.02
    for angle in range(0, 360, 15):
        for length in (0.5, 3, 6):
            query = length * torch.tensor([[math.cos(math.radians(angle)),
                                            math.sin(math.radians(angle))]])
            weights, _ = attend(query)
            # Inside the triangle of the values: a convex combination, weights ≥ 0 adding to one.
            assert weights.min() >= 0 and weights.sum().item() == pytest.approx(1)


def test_unscaled_scores_saturate_the_softmax_at_width_64():
    generator = torch.Generator().manual_seed(0)
    width, n_keys, n_queries = 64, 8, 10_000
    q = torch.randn(100_000, width, generator=generator)
    k = torch.randn(100_000, width, generator=generator)
    assert (q * k).sum(1).std().item() == pytest.approx(math.sqrt(width), rel=0.02)  # about 8
    assert ((q * k).sum(1) / math.sqrt(width)).std().item() == pytest.approx(1, rel=0.02)

    queries = torch.randn(n_queries, width, generator=generator)
    keys = torch.randn(n_queries, n_keys, width, generator=generator)
    scores = (keys @ queries.unsqueeze(2)).squeeze(2)
    largest_unscaled = torch.softmax(scores, dim=1).max(1).values
    largest_scaled = torch.softmax(scores / math.sqrt(width), dim=1).max(1).values
    # Tolerances of half the printed precision: 37% is 0.370, not anything from 0.36 to 0.38.
    assert largest_unscaled.mean().item() == pytest.approx(0.87, abs=0.005)
    assert (largest_unscaled > 0.99).float().mean().item() == pytest.approx(0.37, abs=0.005)
    assert largest_scaled.mean().item() == pytest.approx(0.36, abs=0.005)
    assert (largest_scaled > 0.99).sum().item() == 0  # "never above 0.99"
    assert 1 / n_keys < largest_scaled.mean().item()


def test_the_softmax_gradient_vanishes_when_it_saturates():
    """∂w_i/∂s_j = w_i(δ_ij − w_j): small once one weight is near one."""
    def jacobian_size(scores: torch.Tensor) -> float:
        return torch.autograd.functional.jacobian(
            lambda s: torch.softmax(s, dim=0), scores).abs().max().item()

    assert jacobian_size(torch.tensor([8.0, 0.0, -8.0])) < 0.001 < jacobian_size(
        torch.tensor([1.0, 0.0, -1.0]))


def test_four_heads_of_16_cost_what_one_head_of_64_costs():
    four_heads = nn.MultiheadAttention(64, num_heads=4, bias=False)
    one_head = nn.MultiheadAttention(64, num_heads=1, bias=False)
    count = sum(p.numel() for p in four_heads.parameters())
    assert count == 4 * 64 * 64 == 16_384 == sum(p.numel() for p in one_head.parameters())


def test_heads_share_the_multiply_adds_but_each_stores_its_own_weights():
    """h heads of width d/h: h · n² · d/h = n² · d multiply-adds for the scores, as one head of
    width d; but h matrices of n × n attention weights instead of one."""
    n, d, h = 10, 64, 4
    assert h * n * n * (d // h) == n * n * d
    layer = nn.MultiheadAttention(d, num_heads=h, batch_first=True)
    tokens = torch.randn(1, n, d)
    _, weights = layer(tokens, tokens, tokens, average_attn_weights=False)
    assert weights.shape == (1, h, n, n)


def test_a_causal_mask_with_minus_infinity_and_the_bug_with_zero():
    torch.manual_seed(0)
    x = torch.randn(3, 4)
    scores = x @ x.T / 2
    future = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
    weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    assert weights[0].tolist() == [1.0, 0.0, 0.0]
    assert (weights[future] == 0).all()
    assert weights.sum(-1).tolist() == pytest.approx([1, 1, 1])
    leaky = torch.softmax(scores.masked_fill(future, 0.0), dim=-1)
    assert (leaky[future] > 0.02).all()  # a score of 0 still gets e^0 = 1 of weight


def test_self_attention_without_positions_is_permutation_equivariant():
    torch.manual_seed(0)
    layer = nn.MultiheadAttention(8, num_heads=2, batch_first=True)
    tokens = torch.randn(1, 5, 8)
    order = torch.tensor([3, 0, 4, 1, 2])
    out, _ = layer(tokens, tokens, tokens)
    shuffled, _ = layer(tokens[:, order], tokens[:, order], tokens[:, order])
    assert torch.allclose(shuffled, out[:, order], atol=1e-6)
    # Equivariant, not invariant (the quiz's tempting answer): in place, the outputs changed.
    assert not torch.allclose(shuffled, out, atol=1e-3)


def test_the_quizs_numbers_and_the_cost():
    two_keys = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    scores = torch.tensor([[1.0, 3.0]]) @ two_keys.T
    assert torch.softmax(scores / math.sqrt(2), -1)[0, 1].item() == pytest.approx(0.804, abs=5e-4)
    assert torch.softmax(scores, -1)[0, 1].item() == pytest.approx(0.881, abs=5e-4)
    assert math.sqrt(64) / math.sqrt(16) == 2  # the scores' spread doubles, from 4 to 8
    assert 2048**2 / 512**2 == 16
    assert 1000**2 == 10**6 and 2000**2 == 4 * 10**6
