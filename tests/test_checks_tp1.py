"""Les vérifications du TP 1 sur des réponses écrites comme des étudiants les écriraient : justes
mais autrement que le cours, ou fausses autrement que les erreurs typiques déclarées (que
``test_checks.py`` essaie déjà une à une)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import confusion_matrix
from sklearn.neighbors import KNeighborsClassifier

from helpers.checks import (WrongAnswer, check_few_label_accuracy, check_most_confused,
                            check_n_params, check_train_one_epoch)
from helpers.evaluation import few_labels
from helpers.models import DenseAutoencoder
from helpers.train import fit

from checkutils import passes


# --- Réponses justes, écrites autrement ------------------------------------------------------


@pytest.mark.parametrize("answer", [
    lambda p: 468_496 + 257 * p,
    lambda p: np.int64(2 * (784 * 256 + 256 * 128 + 128 * p) + 256 + 128 + p + 128 + 256 + 784),
    lambda p: float(468_496 + 257 * p),
])
def test_n_params_right_answers(answer):
    assert passes(check_n_params, answer)


def _one_epoch(model, optimizer, images, batch_size, generator, *, zero_grad_last=False,
               tensor_loss=False):
    device = next(model.parameters()).device
    total, count = torch.zeros(()), 0
    for idx in torch.randperm(len(images), generator=generator).split(batch_size):
        batch = images[idx].to(device)
        if not zero_grad_last:
            optimizer.zero_grad(set_to_none=False)
        loss = ((model(batch) - batch) ** 2).mean()
        loss.backward()
        optimizer.step()
        if zero_grad_last:
            optimizer.zero_grad()
        total, count = total + loss.detach() * len(idx), count + len(idx)
    return total / count if tensor_loss else (total / count).item()


@pytest.mark.parametrize("options", [{}, {"zero_grad_last": True}, {"tensor_loss": True}])
def test_train_one_epoch_right_answers(options):
    assert passes(check_train_one_epoch, lambda *args: _one_epoch(*args, **options))


@pytest.mark.parametrize("answer", [
    lambda labels, predicted, n_pairs=3: sorted(
        [[b, a, int(np.sum((labels == a) & (predicted == b)) + np.sum((labels == b) & (predicted == a)))]
         for a in range(10) for b in range(a + 1, 10)], key=lambda t: t[2], reverse=True)[:n_pairs],
    lambda labels, predicted, n_pairs=3: [
        (int(a), int(b), int(n)) for n, a, b in sorted(
            ((c + c.T)[a, b], a, b) for a in range(10) for b in range(a)
            for c in [confusion_matrix(labels, predicted, labels=range(10))])[::-1][:n_pairs]],
])
def test_most_confused_right_answers(answer):
    assert passes(check_most_confused, answer)


def test_few_label_accuracy_right_answer_with_scikit_learn():
    def few_label_accuracy(f_train, y_train, f_test, y_test, per_class, seed):
        chosen = few_labels(y_train, per_class, seed=seed).numpy()
        knn = KNeighborsClassifier(n_neighbors=1).fit(np.asarray(f_train)[chosen], np.asarray(y_train)[chosen])
        return np.float32(knn.score(np.asarray(f_test), np.asarray(y_test)))

    assert passes(check_few_label_accuracy, few_label_accuracy)


# --- Réponses fausses, écrites comme des étudiants -------------------------------------------


def test_n_params_counting_only_the_encoder_weights_gets_a_neutral_message():
    with pytest.raises(WrongAnswer, match=r"^❌ Pour p = 1, votre formule donne 233600 .*couche par couche"):
        check_n_params(lambda p: 784 * 256 + 256 * 128 + 128 * p)


def test_n_params_building_the_model_is_refused():
    def n_params(p):
        return sum(w.numel() for w in DenseAutoencoder(code_dim=p).parameters())

    with pytest.raises(WrongAnswer, match=r"appelle helpers\.models\.DenseAutoencoder.*vous-même"):
        check_n_params(n_params)


def test_train_one_epoch_delegating_to_fit_is_refused():
    def train_one_epoch(model, optimizer, images, batch_size, generator):
        return fit(model, images, epochs=1, batch_size=batch_size, progress=False).train_loss[0]

    with pytest.raises(WrongAnswer, match=r"appelle helpers\.train\.fit,.*vous-même"):
        check_train_one_epoch(train_one_epoch)


def test_train_one_epoch_returning_the_last_batch_loss_is_told_about_the_loss():
    def last_batch(model, optimizer, images, batch_size, generator):
        for idx in torch.randperm(len(images), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = F.mse_loss(model(images[idx]), images[idx])
            loss.backward()
            optimizer.step()
        return loss.item()

    with pytest.raises(WrongAnswer, match="Les poids sont ceux de l'époque de référence, mais la perte"):
        check_train_one_epoch(last_batch)


def test_train_one_epoch_with_a_fixed_learning_step_gets_a_neutral_message():
    def plain_sgd(model, optimizer, images, batch_size, generator):
        for idx in torch.randperm(len(images), generator=generator).split(batch_size):
            model.zero_grad()
            F.mse_loss(model(images[idx]), images[idx]).backward()
            with torch.no_grad():
                for weight in model.parameters():
                    weight -= 0.01 * weight.grad
        return 0.0

    with pytest.raises(WrongAnswer, match="les poids obtenus après une époque ne sont pas ceux attendus"):
        check_train_one_epoch(plain_sgd)


def test_train_one_epoch_without_moving_batches_to_the_device(monkeypatch):
    """Sur un GPU, le modèle est sur `device` et les images sur le CPU : une époque qui oublie
    `.to(device)` échoue dans le notebook ; la vérification le dit (périphérique factice « meta »
    à la place d'un GPU)."""
    monkeypatch.setattr("helpers.config.device", lambda: torch.device("meta"))

    def on_the_cpu(model, optimizer, images, batch_size, generator):
        for idx in torch.randperm(len(images), generator=generator).split(batch_size):
            optimizer.zero_grad()
            F.mse_loss(model(images[idx]), images[idx]).backward()
            optimizer.step()
        return 0.0

    with pytest.raises(WrongAnswer, match=r"deux périphériques.*\.to\(device\)"):
        check_train_one_epoch(on_the_cpu)


def test_most_confused_sorted_in_increasing_order_is_told_so():
    def increasing(labels, predicted, n_pairs=3):
        confusion = confusion_matrix(labels, predicted, labels=range(10))
        pairs = [(a, b, confusion[a, b] + confusion[b, a]) for a in range(10) for b in range(a)]
        return sorted((p for p in pairs if p[2] > 0), key=lambda p: p[2])[:n_pairs]

    with pytest.raises(WrongAnswer, match="triées par nombre croissant"):
        check_most_confused(increasing)


def test_most_confused_returning_too_many_pairs():
    with pytest.raises(WrongAnswer, match="doit avoir 2 éléments, pas 3"):
        check_most_confused(lambda labels, predicted, n_pairs=3: [(9, 4, 5), (5, 3, 6), (7, 1, 2)])


def test_most_confused_returning_something_else():
    with pytest.raises(WrongAnswer, match="liste de triplets"):
        check_most_confused(lambda labels, predicted, n_pairs=3: confusion_matrix(labels, predicted))


def test_few_label_accuracy_drawing_without_the_seed_gets_a_neutral_message():
    def unseeded(f_train, y_train, f_test, y_test, per_class, seed):
        chosen = torch.cat([torch.nonzero(y_train == c).flatten()[torch.randperm(60)[:per_class]]
                            for c in y_train.unique()])
        knn = KNeighborsClassifier(n_neighbors=1).fit(f_train[chosen], y_train[chosen])
        return knn.score(f_test, y_test)

    with pytest.raises(WrongAnswer, match="n'est pas celui du 1-NN appris sur les exemples tirés"):
        check_few_label_accuracy(unseeded)
