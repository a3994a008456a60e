"""Figures : graduations à la française (linéaires et logarithmiques) et courbes de perte lisibles
même après une seule époque (mode rapide)."""

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.plots import french_axes, french_number, plot_codes_2d, plot_losses
from helpers.train import History


def tick_labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    low, high = sorted(axis.get_view_interval())
    return [t.get_text() for t in axis.get_ticklabels(which="both")
            if t.get_text() and low <= t.get_position()[axis is axis.axes.yaxis] <= high]


@pytest.mark.parametrize("value, text", [(0.25, "0,25"), (-3.0, "\u22123"), (1200.0, "1200"),
                                         (1e-6, "1e\u221206")])
def test_french_number(value, text):
    assert french_number(value) == text


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
