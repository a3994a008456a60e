"""Vérifications des exercices du TP 1 (premier auto-encodeur)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .. import config
from ..evaluation import few_labels, knn_accuracy
from ..models import DenseAutoencoder
from .core import WrongAnswer, as_float, close, exercise_check

__all__ = ["check_n_params", "check_train_one_epoch", "check_most_confused",
           "check_few_label_accuracy"]


@exercise_check
def check_n_params(n_params) -> str:
    """``n_params(p)`` : nombre de paramètres de l'auto-encodeur 784-256-128-p-128-256-784."""
    for p in (1, 2, 16, 100):
        model = DenseAutoencoder(code_dim=p, hidden=(256, 128))
        expected = sum(w.numel() for w in model.parameters())
        weights = sum(w.numel() for name, w in model.named_parameters() if name.endswith("weight"))
        answer = as_float(n_params(p), f"n_params({p})")
        if answer == expected:
            continue
        if answer == weights:
            raise WrongAnswer(f"Pour p = {p}, vous comptez les poids mais pas les biais (un vecteur "
                              "de taille b par couche nn.Linear(a, b)).")
        if answer == expected - p:
            raise WrongAnswer(f"Pour p = {p}, il manque exactement p paramètres : avez-vous compté "
                              "le biais de la couche qui produit le code ?")
        if answer == expected - 784:
            raise WrongAnswer(f"Pour p = {p}, il manque 784 paramètres : le biais de la dernière "
                              "couche du décodeur.")
        raise WrongAnswer(f"Pour p = {p}, votre formule donne {answer:.0f} paramètres ; le modèle "
                          "en a un autre nombre. Comptez couche par couche, encodeur puis décodeur.")
    return "Formule juste pour p = 1, 2, 16 et 100."


def _epoch(model, optimizer, images, batch_size, generator, zero_grad=True, shuffle=True):
    """Époque de référence et ses variantes fautives ; renvoie les pertes moyennes par image et
    par lot."""
    order = torch.randperm(len(images), generator=generator)
    if not shuffle:
        order = torch.arange(len(images))
    per_image, per_batch = 0.0, []
    for idx in order.split(batch_size):
        batch = images[idx]
        if zero_grad:
            optimizer.zero_grad()
        loss = F.mse_loss(model(batch), batch)
        loss.backward()
        optimizer.step()
        per_image += loss.item() * len(idx)
        per_batch.append(loss.item())
    return per_image / len(images), sum(per_batch) / len(per_batch)


def _setup():
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=4, hidden=(16,)).to(config.device())
    return model, torch.optim.Adam(model.parameters(), lr=1e-2)


def _same_weights(a, b) -> bool:
    return all(torch.allclose(u, v, atol=1e-6) for u, v in zip(a.parameters(), b.parameters()))


@exercise_check
def check_train_one_epoch(train_one_epoch) -> str:
    """``train_one_epoch(model, optimizer, images, batch_size, generator)`` : une époque d'Adam."""
    images = torch.rand(50, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    images = images.to(config.device())  # 50 images en lots de 16 : le dernier lot en a 2
    model, optimizer = _setup()
    loss = as_float(train_one_epoch(model, optimizer, images, 16, torch.Generator().manual_seed(0)),
                    "La valeur renvoyée")
    variants = {}
    for zero_grad in (True, False):
        for shuffle in (True, False):
            reference, reference_optimizer = _setup()
            losses = _epoch(reference, reference_optimizer, images, 16,
                            torch.Generator().manual_seed(0), zero_grad, shuffle)
            variants[zero_grad, shuffle] = reference, losses
    reference, (per_image, per_batch) = variants[True, True]
    if not _same_weights(model, reference):
        if _same_weights(model, variants[False, True][0]):
            raise WrongAnswer("Les poids obtenus sont ceux d'une époque sans optimizer.zero_grad() : "
                              "les gradients s'accumulent d'un lot à l'autre.")
        if _same_weights(model, variants[True, False][0]):
            raise WrongAnswer("Les lots sont pris dans l'ordre des images : utilisez l'ordre "
                              "torch.randperm(len(images), generator=generator).")
        raise WrongAnswer("Après une époque, les poids ne sont pas ceux attendus : un pas "
                          "d'optimisation par lot, sur F.mse_loss(model(lot), lot).")
    if close(loss, per_batch, rtol=1e-5) and not close(loss, per_image, rtol=1e-5):
        raise WrongAnswer("La perte renvoyée est la moyenne des pertes des lots ; le dernier lot "
                          "est plus court, il faut la moyenne sur les images.")
    if close(loss, per_image * len(images), rtol=1e-5):
        raise WrongAnswer("La valeur renvoyée est la somme des pertes, pas leur moyenne.")
    if not close(loss, per_image, rtol=1e-5):
        raise WrongAnswer(f"Les poids sont justes, mais la perte renvoyée ({loss:.5f}) n'est pas la "
                          "perte moyenne par image de l'époque.")
    return "Même trajectoire que l'époque de référence, perte moyenne par image juste."


def _confusion_pairs(labels: np.ndarray, predicted: np.ndarray) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for true, guess in zip(labels.tolist(), predicted.tolist()):
        if true != guess:
            key = (max(true, guess), min(true, guess))
            counts[key] = counts.get(key, 0) + 1
    return counts


@exercise_check
def check_most_confused(most_confused) -> str:
    """``most_confused(labels, predicted, n_pairs)`` : les paires de chiffres les plus confondues."""
    # 4 → 9 est confondu 5 fois dans un sens et 0 fois dans l'autre ; 3 ↔ 5 : 3 + 3 fois.
    pairs = [(4, 9)] * 5 + [(3, 5)] * 3 + [(5, 3)] * 3 + [(1, 7)] * 2 + [(2, 2)] * 20
    labels = np.array([a for a, _ in pairs])
    predicted = np.array([b for _, b in pairs])
    answer = most_confused(labels, predicted, 2)
    try:
        answer = [(int(a), int(b), int(n)) for a, b, n in answer]
    except (TypeError, ValueError):
        raise WrongAnswer("La fonction doit renvoyer une liste de triplets (a, b, nombre).") from None
    if len(answer) != 2:
        raise WrongAnswer(f"Avec n_pairs=2, la liste doit avoir 2 éléments, pas {len(answer)}.")
    if any(a == b for a, b, _ in answer):
        raise WrongAnswer("Une paire (a, a) n'est pas une confusion : ignorez la diagonale de la "
                          "matrice de confusion.")
    found = [((max(a, b), min(a, b)), n) for a, b, n in answer]
    if found[0] == ((9, 4), 5):
        raise WrongAnswer("3 et 5 sont confondus 3 fois dans chaque sens, soit 6 fois : comptez "
                          "les confusions dans les deux sens, confusion[a, b] + confusion[b, a].")
    expected = sorted(_confusion_pairs(labels, predicted).items(), key=lambda kv: -kv[1])[:2]
    if found != expected:
        raise WrongAnswer("Sur un petit exemple connu, les paires renvoyées ne sont pas les plus "
                          "confondues, ou ne sont pas triées par nombre décroissant.")
    return "Paires justes, comptées dans les deux sens et triées."


@exercise_check
def check_few_label_accuracy(few_label_accuracy) -> str:
    """``few_label_accuracy(features_train, labels_train, features_test, labels_test, per_class,
    seed)`` : taux du 1-NN appris sur ``per_class`` exemples étiquetés par classe."""
    generator = torch.Generator().manual_seed(0)
    centers = 1.5 * torch.randn(5, 8, generator=generator)
    labels_train = torch.arange(5).repeat(60)
    labels_test = torch.arange(5).repeat(40)
    features_train = centers[labels_train] + torch.randn(300, 8, generator=generator)
    features_test = centers[labels_test] + torch.randn(200, 8, generator=generator)
    args = (features_train, labels_train, features_test, labels_test)
    answer = as_float(few_label_accuracy(*args, 2, 0), "Le taux renvoyé")
    chosen = few_labels(labels_train, 2, seed=0)
    expected = knn_accuracy(features_train[chosen], labels_train[chosen], features_test, labels_test)
    if close(answer, 100 * expected):
        raise WrongAnswer("Le taux est en pourcentage : renvoyez une fraction dans [0, 1].")
    if answer == 1.0:
        raise WrongAnswer("Un taux de 100 % : mesurez-vous le taux sur les exemples étiquetés "
                          "eux-mêmes ? Il faut l'ensemble de test entier.")
    if close(answer, knn_accuracy(features_train, labels_train, features_test, labels_test)):
        raise WrongAnswer("Le classifieur semble utiliser toutes les étiquettes d'entraînement : "
                          "il ne doit voir que per_class exemples par classe (few_labels).")
    if not close(answer, expected):
        raise WrongAnswer(f"Sur un petit jeu de données connu, votre taux ({answer:.3f}) n'est pas "
                          "celui du 1-NN appris sur les exemples tirés par few_labels(labels_train, "
                          "per_class, seed=seed).")
    return "Taux juste sur un petit jeu de données connu."
