"""Modèles du cours : l'auto-encodeur dense (perceptron multicouche) et ses variantes."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "identity": nn.Identity,
}

IMAGE_SHAPE = (1, 28, 28)


def _activation(name: str) -> nn.Module:
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Activation inconnue {name!r} ; choix possibles : {', '.join(ACTIVATIONS)}."
        ) from None


def check_positive_int(name: str, value) -> None:
    """Lève une ``ValueError`` si ``value`` n'est pas un entier strictement positif."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} doit être un entier strictement positif (reçu : {value!r}).")


def mlp(sizes: Sequence[int], activation: str, last_activation: str) -> nn.Sequential:
    """Perceptron multicouche ``sizes[0] → … → sizes[-1]`` ; ``last_activation`` sur la sortie."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        is_last = i == len(sizes) - 2
        layers.append(_activation(last_activation if is_last else activation))
    return nn.Sequential(*layers)


class DenseAutoencoder(nn.Module):
    """Auto-encodeur dense ``n → hidden… → code_dim → …hidden → n``.

    L'encodeur et le décodeur sont symétriques. Les images (N, 1, 28, 28) ou les vecteurs (N, 784)
    sont acceptés ; la sortie a la forme de l'entrée. La sortie du décodeur passe par une sigmoïde
    (``output_activation``) pour rester dans [0, 1], comme les pixels.
    """

    def __init__(
        self,
        code_dim: int,
        hidden: Sequence[int] = (256, 128),
        activation: str = "relu",
        code_activation: str = "identity",
        output_activation: str = "sigmoid",
        input_dim: int = 784,
    ):
        super().__init__()
        for name, value in [("code_dim", code_dim), ("input_dim", input_dim)] + [
            ("hidden", width) for width in hidden
        ]:
            check_positive_int(name, value)
        self.code_dim = code_dim
        self.input_dim = input_dim
        widths = [input_dim, *hidden, code_dim]
        self.encoder = mlp(widths, activation, code_activation)
        self.decoder = mlp(widths[::-1], activation, output_activation)

    def _flatten(self, x: torch.Tensor) -> torch.Tensor:
        if not x.is_floating_point():
            raise ValueError(
                f"Entrée de type {x.dtype} : convertissez les images en flottants dans [0, 1] "
                "(par exemple x.float() / 255)."
            )
        if x.ndim >= 2 and x[0].numel() == self.input_dim:
            return x.reshape(len(x), self.input_dim)
        raise ValueError(
            f"Entrée de forme {tuple(x.shape)} : attendu un lot (N, {self.input_dim}) "
            f"ou des images (N, {', '.join(map(str, IMAGE_SHAPE))})."
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Code ``h = f(x)`` de forme (N, code_dim)."""
        return self.encoder(self._flatten(x))

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Reconstruction ``g(h)`` sous forme de vecteurs (N, input_dim)."""
        if h.ndim != 2 or h.shape[1] != self.code_dim:
            raise ValueError(
                f"Code de forme {tuple(h.shape)} : attendu (N, {self.code_dim})."
            )
        return self.decoder(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x)).reshape(x.shape)
