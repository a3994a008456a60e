"""Figures du cours : grilles d'images, reconstructions, courbes de perte, codes en 2D."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, MaxNLocator

from .report import french_number
from .train import History


class _FrenchLogTicks(LogFormatterSciNotation):
    """Axe logarithmique : les graduations que matplotlib étiquette, écrites à la française."""

    def __call__(self, value, position=None):
        return french_number(value) if super().__call__(value, position) else ""


def french_axes(ax) -> None:
    """Graduations des deux axes écrites à la française, comme les nombres du texte
    (:func:`helpers.report.french_number`) : virgule décimale, signe moins, « 1 × 10⁻⁶ ».

    À appeler après le choix d'une échelle logarithmique, qui remplace les graduations.

    Arguments :

    - ``ax`` : des axes matplotlib (``Axes``), modifiés sur place.

    Exemple : ::

        fig, ax = plt.subplots()
        ax.set_yscale("log")
        french_axes(ax)
    """
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            base = axis.get_transform().base
            axis.set_major_formatter(_FrenchLogTicks(base))
            axis.set_minor_formatter(_FrenchLogTicks(base, labelOnlyBase=False))
        else:
            axis.set_major_formatter(FuncFormatter(lambda value, _position: french_number(value)))


def _as_images(x: torch.Tensor, shape: tuple[int, int] = (28, 28)) -> torch.Tensor:
    """Met un lot de vecteurs ou d'images sous la forme (N, H, W) sur le CPU."""
    return x.detach().cpu().reshape(len(x), *shape)


def show_rows(
    rows: Mapping[str, torch.Tensor],
    n: int = 10,
    shape: tuple[int, int] = (28, 28),
    scale: float = 1.0,
) -> Figure:
    """Affiche des rangées d'images (une par entrée de ``rows``), titrées à gauche.

    Chaque valeur est un lot de vecteurs ou d'images ; ``shape`` donne la forme d'affichage
    (par exemple (6, 6) pour montrer un code de taille 36). Les pixels sont affichés en niveaux de
    gris, de 0 (noir) à 1 (blanc), sauf pour les rangées dont les valeurs sortent de [0, 1] qui
    sont normalisées image par image.

    Arguments :

    - ``rows`` : dictionnaire titre → lot, de forme (N, 1, 28, 28), (N, 784) ou (N, H × W), sur
      n'importe quel périphérique ;
    - ``n`` : nombre d'images par rangée (les ``n`` premières ; cases vides s'il en manque) ;
    - ``shape`` : forme (H, W) d'affichage des lots dont chaque élément a H × W valeurs, les
      autres étant affichés en 28 × 28 ;
    - ``scale`` : taille d'une image, en pouces.

    Renvoie : la ``Figure`` matplotlib.

    Exemple : ::

        fig = show_rows({"images": x_test[:10], "reconstructions": reconstruct(model, x_test[:10])})
    """
    fig, axes = plt.subplots(
        len(rows), n, figsize=(scale * n, scale * len(rows) + 0.2), squeeze=False
    )
    for r, (title, batch) in enumerate(rows.items()):
        row_shape = shape if batch[0].numel() == shape[0] * shape[1] else (28, 28)
        images = _as_images(batch[:n], row_shape)
        in_unit_range = bool(images.min() >= 0 and images.max() <= 1)
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            if c < len(images):
                kwargs = {"vmin": 0.0, "vmax": 1.0} if in_unit_range else {}
                ax.imshow(images[c].numpy(), cmap="gray", **kwargs)
            else:
                ax.axis("off")
        axes[r][0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=11)
    fig.tight_layout(pad=0.3)
    return fig


def plot_losses(histories: Mapping[str, History], log: bool = True) -> Figure:
    """Courbes de perte par époque : entraînement (trait plein) et test (pointillés).

    Arguments :

    - ``histories`` : dictionnaire légende → :class:`~helpers.train.History`, une couleur par
      entrée ;
    - ``log`` : échelle logarithmique pour la perte.

    Renvoie : la ``Figure`` matplotlib.

    Exemple : ::

        fig = plot_losses({"dense": history_dense, "conv": history_conv})
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, history) in enumerate(histories.items()):
        color = f"C{i % 10}"
        epochs = range(1, len(history.train_loss) + 1)
        # Marqueurs : une courbe d'une seule époque (mode rapide) reste visible.
        ax.plot(epochs, history.train_loss, color=color, marker="o", ms=3,
                label=f"{label} (entraînement)")
        if history.test_loss:
            ax.plot(epochs, history.test_loss, color=color, ls="--", marker="o", ms=3,
                    label=f"{label} (test)")
    ax.set_xlabel("époque")
    ax.set_ylabel("perte")
    if log:
        ax.set_yscale("log")
    french_axes(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, max(len(h.train_loss) for h in histories.values()) + 0.5)
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_codes_2d(codes: torch.Tensor, labels: torch.Tensor, title: str = "") -> Figure:
    """Nuage des codes de dimension 2, colorés par chiffre.

    Arguments :

    - ``codes`` : tenseur de forme (N, 2), sur n'importe quel périphérique ;
    - ``labels`` : chiffres (0 à 9) des images, de forme (N,) ;
    - ``title`` : titre de la figure.

    Renvoie : la ``Figure`` matplotlib.

    Lève : ``ValueError`` si ``codes`` n'est pas de forme (N, 2).

    Exemple : ::

        fig = plot_codes_2d(encode(model, x_test), y_test, title="Codes des images de test")
    """
    codes = codes.detach().cpu()
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"Codes de forme {tuple(codes.shape)} : attendu (N, 2).")
    fig, ax = plt.subplots(figsize=(6, 5.5))
    scatter = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=3, alpha=0.6,
                         vmin=-0.5, vmax=9.5)
    fig.colorbar(scatter, ax=ax, ticks=range(10), label="chiffre")
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")
    french_axes(ax)
    ax.set_title(title)
    fig.tight_layout()
    return fig
