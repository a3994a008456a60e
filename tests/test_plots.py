"""Figures : graduations à la française (linéaires et logarithmiques) et courbes de perte lisibles
même après une seule époque (mode rapide)."""

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.plots import french_axes, plot_codes_2d, plot_losses
from helpers.report import sci
from helpers.train import History


def tick_labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    low, high = sorted(axis.get_view_interval())
    return [t.get_text() for t in axis.get_ticklabels(which="both")
            if t.get_text() and low <= t.get_position()[axis is axis.axes.yaxis] <= high]


def test_a_log_axis_writes_powers_of_ten_like_the_prose():
    """Les graduations d'un axe logarithmique s'écrivent comme les puissances de dix du texte."""
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [1e-6, 1e-4, 1e-2])
    ax.set_yscale("log")
    french_axes(ax)
    labels = tick_labels(ax.yaxis)
    assert sci(1e-6, 0) in labels and "0,01" in labels, labels
    assert not any("e" in label or "-" in label for label in labels), labels
    plt.close(fig)


def test_loss_curves_use_french_ticks_on_a_log_scale():
    history = History(train_loss=[0.16, 0.11, 0.093], test_loss=[0.17, 0.12, 0.1])
    ax = plot_losses({"dense": history}).axes[0]
    labels = tick_labels(ax.yaxis)
    assert labels and all("." not in t and "times" not in t for t in labels), labels
    assert tick_labels(ax.xaxis) == ["1", "2", "3"]


def test_a_single_epoch_is_drawn_with_a_marker_at_epoch_one():
    ax = plot_losses({"dense": History(train_loss=[0.1], test_loss=[0.12])}).axes[0]
    assert all(line.get_marker() not in (None, "None", "") for line in ax.lines)
    assert tick_labels(ax.xaxis) == ["1"]


def test_codes_plot_has_french_ticks():
    codes = torch.tensor([[-1.5, 0.25], [2.0, -0.75]])
    ax = plot_codes_2d(codes, torch.tensor([0, 1])).axes[0]
    assert any("," in t for t in tick_labels(ax.xaxis) + tick_labels(ax.yaxis))
    assert not any("-" in t for t in tick_labels(ax.xaxis))  # signe moins typographique


def test_french_axes_after_a_log_scale():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.02, 0.05, 0.3])
    ax.set_yscale("log")
    french_axes(ax)
    assert "0,1" in tick_labels(ax.yaxis)
    plt.close(fig)


def test_show_rows_keeps_pixels_on_a_fixed_scale_and_normalises_other_rows():
    """Des pixels dans [0, 1] sont affichés de 0 (noir) à 1 (blanc), même une image sombre ; une
    rangée qui sort de [0, 1] (codes, différences) est normalisée image par image."""
    from helpers.plots import show_rows

    dark = torch.full((3, 784), 0.2)
    dark[:, 0] = 0.4
    codes = torch.linspace(-3, 5, 36).repeat(3, 1)
    codes[1] *= 2
    fig = show_rows({"images": dark, "codes": codes}, n=4, shape=(6, 6))
    top, bottom = fig.axes[:4], fig.axes[4:]
    assert [ax.images[0].get_clim() for ax in top[:3]] == [(0.0, 1.0)] * 3
    assert bottom[0].images[0].get_clim() == pytest.approx((-3.0, 5.0))
    assert bottom[1].images[0].get_clim() == pytest.approx((-6.0, 10.0))
    assert top[0].images[0].get_array().shape == (28, 28)  # 784 pixels : pas la forme (6, 6)
    assert bottom[0].images[0].get_array().shape == (6, 6)
    assert not top[3].images and not top[3].axison  # n = 4 > 3 images : case vide
    assert top[0].get_ylabel() == "images" and bottom[0].get_ylabel() == "codes"
    plt.close(fig)


def test_codes_plot_keeps_one_colour_per_digit():
    """Les couleurs vont de 0 à 9 quels que soient les chiffres présents (0 et 1 seulement ici),
    pour que chaque chiffre garde sa couleur d'une figure à l'autre."""
    fig = plot_codes_2d(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([0, 1]), title="codes")
    ax = fig.axes[0]
    assert ax.collections[0].get_clim() == (-0.5, 9.5)
    assert ax.get_title() == "codes"
    plt.close(fig)
    with pytest.raises(ValueError, match=r"attendu \(N, 2\)"):
        plot_codes_2d(torch.zeros(3, 3), torch.zeros(3))
