"""Les vérifications du TP 1 acceptent la solution du cours et reconnaissent les erreurs typiques."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.checks import (WrongAnswer, check_few_label_accuracy, check_most_confused,
                            check_n_params, check_train_one_epoch)
from helpers.evaluation import few_labels, knn_accuracy

from checkutils import passes, pending


@pytest.fixture(scope="module")
def tp1(solutions):
    return solutions("tp1_premier_autoencodeur")


def test_reference_solutions_pass(tp1, capsys):
    assert passes(check_n_params, tp1["n_params"])
    assert passes(check_train_one_epoch, tp1["train_one_epoch"])
    assert passes(check_most_confused, tp1["most_confused"])
    assert passes(check_few_label_accuracy, tp1["few_label_accuracy"])
    assert capsys.readouterr().out.count("✅") == 4


def test_a_stub_is_reported_as_pending(capsys):
    def n_params(p):
        raise NotImplementedError("À compléter")

    assert pending(check_n_params, n_params)
    assert "n_params n'est pas encore écrite" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda p: 2 * 784 * 256 + 2 * 256 * 128 + 2 * 128 * p, "pas les biais"),
    (lambda p: 468_496 + 256 * p, "le biais de la couche qui produit le code"),
    (lambda p: 468_496 + 257 * p - 784, "dernière couche du décodeur"),
    (lambda p: 1000 * p, "Comptez couche par couche"),
])
def test_n_params_mistakes(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_n_params(wrong)


def _epoch(model, optimizer, images, batch_size, generator, *, zero_grad=True, shuffle=True,
           per_batch=False, total=False):
    """Une époque avec, au choix, l'une des erreurs typiques des étudiants."""
    order = torch.randperm(len(images), generator=generator)
    if not shuffle:
        order = torch.arange(len(images))
    losses = []
    for idx in order.split(batch_size):
        if zero_grad:
            optimizer.zero_grad()
        loss = F.mse_loss(model(images[idx]), images[idx])
        loss.backward()
        optimizer.step()
        losses.append((loss.item(), len(idx)))
    if per_batch:
        return sum(value for value, _ in losses) / len(losses)
    summed = sum(value * n for value, n in losses)
    return summed if total else summed / len(images)


@pytest.mark.parametrize("mistake, message", [
    ({"zero_grad": False}, "sans optimizer.zero_grad"),
    ({"shuffle": False}, "dans l'ordre des images"),
    ({"per_batch": True}, "moyenne des pertes des lots"),
    ({"total": True}, "la somme des pertes"),
])
def test_train_one_epoch_mistakes(mistake, message):
    def wrong(model, optimizer, images, batch_size, generator):
        return _epoch(model, optimizer, images, batch_size, generator, **mistake)

    with pytest.raises(WrongAnswer, match=message):
        check_train_one_epoch(wrong)


def test_train_one_epoch_reference_variant_passes():
    assert passes(check_train_one_epoch, lambda *args: _epoch(*args))


def test_most_confused_mistakes():
    def one_direction(labels, predicted, n_pairs=3):
        confusion = np.zeros((10, 10), dtype=int)
        np.add.at(confusion, (labels, predicted), 1)
        pairs = [(a, b, confusion[a, b]) for a in range(10) for b in range(10) if a != b]
        return sorted(pairs, key=lambda pair: -pair[2])[:n_pairs]

    def with_diagonal(labels, predicted, n_pairs=3):
        confusion = np.zeros((10, 10), dtype=int)
        np.add.at(confusion, (labels, predicted), 1)
        pairs = [(a, b, confusion[a, b] + confusion[b, a]) for a in range(10) for b in range(a + 1)]
        return sorted(pairs, key=lambda pair: -pair[2])[:n_pairs]

    with pytest.raises(WrongAnswer, match="dans les deux sens"):
        check_most_confused(one_direction)
    with pytest.raises(WrongAnswer, match="n'est pas une confusion"):
        check_most_confused(with_diagonal)
    with pytest.raises(WrongAnswer, match="triplets"):
        check_most_confused(lambda labels, predicted, n_pairs=3: [1, 2])


def test_few_label_accuracy_mistakes():
    def percent(f_train, y_train, f_test, y_test, per_class, seed):
        chosen = few_labels(y_train, per_class, seed=seed)
        return 100 * knn_accuracy(f_train[chosen], y_train[chosen], f_test, y_test)

    def on_labelled(f_train, y_train, f_test, y_test, per_class, seed):
        chosen = few_labels(y_train, per_class, seed=seed)
        return knn_accuracy(f_train[chosen], y_train[chosen], f_train[chosen], y_train[chosen])

    def all_labels(f_train, y_train, f_test, y_test, per_class, seed):
        return knn_accuracy(f_train, y_train, f_test, y_test)

    for wrong, message in [(percent, "en pourcentage"), (on_labelled, "exemples étiquetés"),
                           (all_labels, "toutes les étiquettes")]:
        with pytest.raises(WrongAnswer, match=message):
            check_few_label_accuracy(wrong)
