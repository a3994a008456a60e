"""Modèles du cours : l'auto-encodeur dense (perceptron multicouche) et ses variantes."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .losses import reparameterize
from .validation import require_float, require_pixels, require_positive_int

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


def flatten_images(x: torch.Tensor, input_dim: int) -> torch.Tensor:
    """Met un lot d'images (N, 1, 28, 28) ou de vecteurs (N, n) sous la forme (N, input_dim)."""
    require_float(x)
    if x.ndim >= 2 and x[0].numel() == input_dim:
        return x.reshape(len(x), input_dim)
    raise ValueError(
        f"Entrée de forme {tuple(x.shape)} : attendu un lot (N, {input_dim}) "
        f"ou des images (N, {', '.join(map(str, IMAGE_SHAPE))})."
    )


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
            require_positive_int(name, value)
        self.code_dim = code_dim
        self.input_dim = input_dim
        widths = [input_dim, *hidden, code_dim]
        self.encoder = mlp(widths, activation, code_activation)
        self.decoder = mlp(widths[::-1], activation, output_activation)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Code ``h = f(x)`` de forme (N, code_dim)."""
        return self.encoder(flatten_images(x, self.input_dim))

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Reconstruction ``g(h)`` sous forme de vecteurs (N, input_dim)."""
        if h.ndim != 2 or h.shape[1] != self.code_dim:
            raise ValueError(
                f"Code de forme {tuple(h.shape)} : attendu (N, {self.code_dim})."
            )
        return self.decoder(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require_pixels(x)
        return self.decode(self.encode(x)).reshape(x.shape)


def linear_autoencoder(code_dim: int, input_dim: int = 784) -> DenseAutoencoder:
    """Auto-encodeur linéaire (affine) : une couche sans activation de chaque côté."""
    return DenseAutoencoder(code_dim, hidden=(), activation="identity",
                            output_activation="identity", input_dim=input_dim)


class ConvAutoencoder(nn.Module):
    """Auto-encodeur convolutionnel de l'énoncé de TP, corrigé.

    Encodeur : conv 1→16 (3×3, pas 2) → 14×14, conv 16→32 (3×3, pas 2) → 7×7, conv 32→64 (7×7)
    → code 64×1×1. Décodeur symétrique par convolutions transposées, la dernière vers **un** canal,
    suivie d'une sigmoïde. Corrections de l'énoncé : la première convolution y figurait deux fois,
    et la dernière convolution transposée produisait 16 canaux au lieu d'une image à 1 canal.
    """

    def __init__(self, channels: Sequence[int] = (16, 32, 64)):
        super().__init__()
        c1, c2, c3 = channels
        for name, value in zip(("c1", "c2", "c3"), channels):
            require_positive_int(name, value)
        self.code_dim = c3
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c2, c3, 7),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(c3, c3, 7), nn.ReLU(),
            nn.ConvTranspose2d(c3, c2, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(c2, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Code de forme (N, 64) d'images (N, 1, 28, 28)."""
        if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(
                f"Entrée de forme {tuple(x.shape)} : attendu des images (N, 1, 28, 28)."
            )
        require_float(x)
        return self.encoder(x).flatten(1)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Images (N, 1, 28, 28) décodées depuis des codes (N, 64)."""
        if h.ndim != 2 or h.shape[1] != self.code_dim:
            raise ValueError(f"Code de forme {tuple(h.shape)} : attendu (N, {self.code_dim}).")
        return self.decoder(h[:, :, None, None])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require_pixels(x)
        return self.decode(self.encode(x))


class VAE(nn.Module):
    """Auto-encodeur variationnel dense à décodeur de Bernoulli.

    L'encodeur donne (μ, log σ²) de q(h | x) = N(μ, diag σ²) ; le décodeur donne les logits des
    pixels. ``forward`` renvoie (logits, μ, log σ²) pour un tirage reparamétré de h.
    """

    def __init__(self, latent_dim: int, hidden: Sequence[int] = (512,), input_dim: int = 784):
        super().__init__()
        require_positive_int("latent_dim", latent_dim)
        for width in hidden:
            require_positive_int("hidden", width)
        self.latent_dim = latent_dim
        self.input_dim = input_dim
        self.body = mlp([input_dim, *hidden], "relu", "relu") if hidden else nn.Identity()
        width = hidden[-1] if hidden else input_dim
        self.mean = nn.Linear(width, latent_dim)
        self.logvar = nn.Linear(width, latent_dim)
        self.decoder = nn.Sequential(mlp([latent_dim, *hidden[::-1]], "relu", "relu"),
                                     nn.Linear(hidden[0] if hidden else latent_dim, input_dim))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Paramètres (μ, log σ²) de q(h | x), chacun de forme (N, latent_dim)."""
        features = self.body(flatten_images(x, self.input_dim))
        return self.mean(features), self.logvar(features)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Logits des pixels, de forme (N, input_dim) ; ``torch.sigmoid`` donne l'image moyenne."""
        if h.ndim != 2 or h.shape[1] != self.latent_dim:
            raise ValueError(f"Code de forme {tuple(h.shape)} : attendu (N, {self.latent_dim}).")
        return self.decoder(h)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        require_pixels(x)
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar, generator)), mu, logvar


class SmallCNN(nn.Module):
    """Classifieur convolutionnel de MNIST : deux blocs convolution-ReLU-max-pooling, puis deux
    couches denses avec dropout. Sert de juge indépendant des images reconstruites."""

    def __init__(self, channels: Sequence[int] = (16, 32), dropout: float = 0.25):
        super().__init__()
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout doit être dans [0, 1) (reçu : {dropout}).")
        c1, c2 = channels
        for name, value in (("c1", c1), ("c2", c2)):
            require_positive_int(name, value)
        self.net = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(dropout),
            nn.Linear(c2 * 7 * 7, 128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require_pixels(x)
        if x.ndim == 2 and x.shape[1] == 784:
            x = x.reshape(len(x), *IMAGE_SHAPE)
        if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"Entrée de forme {tuple(x.shape)} : attendu (N, 1, 28, 28) ou (N, 784).")
        return self.net(x)
