"""A small causal (decoder-only) transformer that predicts the next character of a text.

Token embedding + positional encoding, then `num_layers` pre-LayerNorm decoder blocks
(causal multi-head self-attention and an MLP, each added back to the residual stream, as
in GPT-2 and nanoGPT), a final LayerNorm and a Linear layer to the character logits.

`forward` returns the logits of the character after the window (the same interface as the
recurrent text model, so evaluation, text sampling and the budget treat both alike);
`every_position` returns the logits after every position, which training uses: a window
of 16 characters is 16 next-character predictions at once, each position seeing only the
characters up to itself (the causal mask).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from engine.config import TransformerConfig

MLP_EXPANSION = 4  # each block's MLP is this many times wider than d_model


def sinusoidal_encoding(positions: int, width: int) -> torch.Tensor:
    """(positions, width): PE[p, 2i] = sin(p / 10000^(2i/width)), PE[p, 2i+1] = cos(...)."""
    position = torch.arange(positions, dtype=torch.float32)[:, None]
    frequency = torch.exp(-math.log(10000.0) * torch.arange(0, width, 2) / width)
    encoding = torch.zeros(positions, width)
    encoding[:, 0::2] = torch.sin(position * frequency)
    encoding[:, 1::2] = torch.cos(position * frequency[: width // 2])
    return encoding


def causal_mask(length: int, device: torch.device) -> torch.Tensor:
    """True above the diagonal: query position i may not look at a key j > i."""
    return torch.ones(length, length, dtype=torch.bool, device=device).triu(1)


class CausalSelfAttention(nn.Module):
    """softmax(Q Kᵀ / √d_head + causal mask) V per head, the heads concatenated and mixed
    by a Linear layer. Written out rather than nn.MultiheadAttention so that the weights
    each head puts on each earlier position can be read and shown."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.query_key_value = nn.Linear(d_model, 3 * d_model)
        self.output = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mixed values (n, t, d_model), attention weights (n, heads, t, t))."""
        n, length, width = x.shape
        d_head = width // self.heads
        query, key, value = (
            part.view(n, length, self.heads, d_head).transpose(1, 2)
            for part in self.query_key_value(x).split(width, dim=2)
        )
        scores = query @ key.transpose(-2, -1) / math.sqrt(d_head)
        scores = scores.masked_fill(causal_mask(length, x.device), float("-inf"))
        weights = F.softmax(scores, dim=-1)
        mixed = (weights @ value).transpose(1, 2).reshape(n, length, width)
        return self.output(mixed), weights


class DecoderBlock(nn.Module):
    """x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x))."""

    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, heads)
        self.mlp_norm = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, MLP_EXPANSION * d_model),
            nn.GELU(),
            nn.Linear(MLP_EXPANSION * d_model, d_model),
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        attended, weights = self.attention(self.attention_norm(x))
        x = x + attended
        return x + self.mlp(self.mlp_norm(x)), weights


class TransformerNet(nn.Module):
    def __init__(self, cfg: TransformerConfig, vocabulary: int, window: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, cfg.d_model)
        self.learned_positions = (
            nn.Embedding(window, cfg.d_model) if cfg.positional == "learned" else None
        )
        # A buffer, not a parameter: saved with the model, never trained.
        self.register_buffer("sinusoids", sinusoidal_encoding(window, cfg.d_model))
        self.blocks = nn.ModuleList(
            DecoderBlock(cfg.d_model, cfg.heads) for _ in range(cfg.num_layers)
        )
        self.final_norm = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, vocabulary)

    def _states(self, tokens: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The residual stream after the last block, (n, t, d_model), and each block's
        attention weights."""
        length = tokens.shape[1]
        if self.learned_positions is not None:
            positions = self.learned_positions(torch.arange(length, device=tokens.device))
        else:
            positions = self.get_buffer("sinusoids")[:length]
        x = self.embedding(tokens) + positions
        weights = []
        for block in self.blocks:
            x, block_weights = block(x)
            weights.append(block_weights)
        return self.final_norm(x), weights

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits of the character that follows each window: (n, vocabulary)."""
        states, _ = self._states(tokens)
        logits: torch.Tensor = self.head(states[:, -1])
        return logits

    def every_position(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits of the next character after every position: (n, t, vocabulary)."""
        states, _ = self._states(tokens)
        logits: torch.Tensor = self.head(states)
        return logits

    def attention_weights(self, tokens: torch.Tensor) -> torch.Tensor:
        """(n, layers, heads, t, t): row i of a head's matrix is how query position i
        spreads its attention over positions 0..i."""
        _, weights = self._states(tokens)
        return torch.stack(weights, dim=1)
