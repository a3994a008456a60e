"""Fixtures communes : petites images synthétiques et isolation des variables d'environnement."""

import pytest
import torch


@pytest.fixture
def images() -> torch.Tensor:
    """64 images 28×28 dans [0, 1], reproductibles (traits horizontaux d'intensité aléatoire)."""
    generator = torch.Generator().manual_seed(0)
    base = torch.zeros(64, 1, 28, 28)
    rows = torch.randint(4, 24, (64,), generator=generator)
    for i, r in enumerate(rows):
        base[i, 0, r - 2 : r + 2, 4:24] = torch.rand(1, generator=generator) * 0.5 + 0.5
    return base
