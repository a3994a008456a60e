"""Vérifications des exercices du TP 1 (premier auto-encodeur)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from .. import config
from ..evaluation import few_labels, knn_accuracy
from ..models import DenseAutoencoder
from ..train import fit
from .core import Mistake, WrongAnswer, exercise_check, expect, seeded

__all__ = ["check_n_params", "check_train_one_epoch", "check_most_confused",
           "check_few_label_accuracy"]


# --- Nombre de paramètres --------------------------------------------------------------------


def _layers(p: int) -> list[tuple[int, int]]:
    sizes = [784, 256, 128, p, 128, 256, 784]
    return list(zip(sizes[:-1], sizes[1:]))


def _count(p: int, bias=lambda a, b: b, layers=None) -> int:
    return sum(a * b + bias(a, b) for a, b in (layers or _layers(p)))


def _model_count(p: int) -> int:
    """La référence : les paramètres du vrai modèle, comptés par PyTorch."""
    return sum(w.numel() for w in DenseAutoencoder(code_dim=p, hidden=(256, 128)).parameters())


@exercise_check(forbidden=[DenseAutoencoder.__init__])
def check_n_params(n_params) -> str:
    """``n_params(p)`` : nombre de paramètres de l'auto-encodeur 784-256-128-p-128-256-784."""
    expect(n_params, _model_count, [(1,), (2,), (16,), (100,)], rtol=0, atol=0, mistakes=[
        Mistake(lambda p: _count(p, bias=lambda a, b: 0),
                "Vous comptez les poids mais pas les biais (un vecteur de taille b par couche "
                "nn.Linear(a, b))."),
        Mistake(lambda p: _count(p) - p,
                "Il manque exactement p paramètres : avez-vous compté le biais de la couche qui "
                "produit le code ?"),
        Mistake(lambda p: _count(p) - 784,
                "Il manque 784 paramètres : le biais de la dernière couche du décodeur."),
        Mistake(lambda p: _count(p, layers=_layers(p)[:3]),
                "Vous ne comptez que l'encodeur : le décodeur a lui aussi ses poids et ses biais."),
    ], otherwise=lambda case, got, want: (
        f"Pour p = {case[0]}, votre formule donne {float(got):.0f} paramètres ; le modèle en a un "
        "autre nombre. Comptez couche par couche, encodeur puis décodeur."))
    return "Formule juste pour p = 1, 2, 16 et 100."


# --- Une époque d'entraînement ---------------------------------------------------------------


def _epoch(model, optimizer, images, batch_size, generator, *, order="generator", batches=None,
           zero_grad="before", step=True, average="images"):
    """L'époque de référence et ses variantes fautives (ordre des lots, taille des lots, place de
    ``zero_grad``, pas oublié, perte renvoyée)."""
    device = next(model.parameters()).device
    n = len(images)
    if order == "generator":
        batches_of_indices = torch.randperm(n, generator=generator).split(batches or batch_size)
    elif order == "global":
        batches_of_indices = torch.randperm(n).split(batch_size)
    elif order == "dataloader":
        loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, shuffle=True)
        batches_of_indices = [idx for (idx,) in loader]
    else:
        batches_of_indices = torch.arange(n).split(batch_size)
    model.train()
    losses = []
    for idx in batches_of_indices:
        batch = images[idx].to(device)
        if zero_grad == "before":
            optimizer.zero_grad()
        loss = F.mse_loss(model(batch), batch)
        loss.backward()
        if zero_grad == "between":
            optimizer.zero_grad()
        if step:
            optimizer.step()
        losses.append((loss.item(), len(idx)))
    if average == "batches":
        return sum(value for value, _ in losses) / len(losses)
    total = sum(value * size for value, size in losses)
    return total if average == "sum" else total / n


def _train_and_observe(function, case):
    """Un petit modèle sur le périphérique du cours, des images sur le CPU (comme ``x_train``) :
    les poids après l'époque, la perte renvoyée et, si les poids n'ont pas bougé, l'état des
    gradients (pour distinguer un pas oublié d'un gradient effacé trop tôt)."""
    n_images, batch_size, seed = case
    with seeded(seed):  # même état global pour chaque fonction comparée
        model = DenseAutoencoder(code_dim=4, hidden=(16,)).to(config.device())
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        images = torch.rand(n_images, 1, 28, 28)
        initial = [w.detach().clone() for w in model.parameters()]
        loss = function(model, optimizer, images, batch_size, torch.Generator().manual_seed(seed))
    weights = [w.detach() for w in model.parameters()]
    moved = any(not torch.equal(a, b) for a, b in zip(initial, weights))
    cleared = None if moved else all(w.grad is None or not w.grad.any() for w in model.parameters())
    return loss, torch.cat([w.flatten() for w in weights]), moved, cleared


@exercise_check(forbidden=[fit])
def check_train_one_epoch(train_one_epoch) -> str:
    """``train_one_epoch(model, optimizer, images, batch_size, generator)`` : une époque d'Adam ;
    le modèle est sur ``device``, les images sur le CPU, comme dans le notebook."""
    # 50 images en lots de 16 (le dernier en a 2), puis 30 en lots de 7 (le dernier en a 2).
    expect(train_one_epoch, _epoch, [(50, 16, 0), (30, 7, 1)], run=_train_and_observe,
           rtol=1e-4, atol=1e-5, mistakes=[
        Mistake(lambda *a: _epoch(*a, step=False),
                "Les poids ne changent pas : optimizer.step() n'est jamais appelé, aucun pas "
                "d'optimisation n'est fait."),
        Mistake(lambda *a: _epoch(*a, zero_grad="between"),
                "Les poids ne changent pas : optimizer.zero_grad() est appelé entre "
                "loss.backward() et optimizer.step(), il efface les gradients avant qu'ils "
                "servent. Appelez-le avant loss.backward()."),
        Mistake(lambda *a: _epoch(*a, zero_grad="never"),
                "Les poids obtenus sont ceux d'une époque sans optimizer.zero_grad() : les "
                "gradients s'accumulent d'un lot à l'autre."),
        Mistake(lambda *a: _epoch(*a, order="sequential"),
                "Les lots sont pris dans l'ordre des images : utilisez l'ordre "
                "torch.randperm(len(images), generator=generator)."),
        Mistake(lambda *a: _epoch(*a, order="global"),
                "La permutation est tirée sans le générateur reçu en argument : écrivez "
                "torch.randperm(len(images), generator=generator), pour que l'époque soit "
                "reproductible."),
        Mistake(lambda *a: _epoch(*a, order="dataloader"),
                "Un DataLoader(shuffle=True) tire son propre ordre, sans le générateur reçu en "
                "argument : parcourez plutôt les indices torch.randperm(len(images), "
                "generator=generator) par tranches de batch_size."),
        Mistake(lambda *a: _epoch(*a, batches=128),
                "Les lots n'ont pas la taille batch_size reçue en argument (une valeur fixe, "
                "128 ?) : découpez la permutation en tranches de batch_size."),
        Mistake(lambda *a: _epoch(*a, average="batches"),
                "La perte renvoyée est la moyenne des pertes des lots ; le dernier lot est plus "
                "court, il faut la moyenne sur les images (pondérez chaque lot par sa taille)."),
        Mistake(lambda *a: _epoch(*a, average="sum"),
                "La valeur renvoyée est la somme des pertes des images, pas leur moyenne."),
    ], otherwise=lambda case, got, want: (
        "Les poids sont ceux de l'époque de référence, mais la perte renvoyée n'est pas la perte "
        "moyenne par image de l'époque." if torch.allclose(got[1], want[1], atol=1e-5) else
        f"Sur {case[0]} images en lots de {case[1]}, les poids obtenus après une époque ne sont "
        "pas ceux attendus : un pas d'optimisation par lot, sur F.mse_loss(model(lot), lot), "
        "dans l'ordre torch.randperm(len(images), generator=generator)."))
    return "Même trajectoire que l'époque de référence, perte moyenne par image juste."


# --- Paires les plus confondues --------------------------------------------------------------


def _confused(labels, predicted, n_pairs=3, *, both=True, diagonal=False, increasing=False):
    """Référence et variantes fautives : un seul sens, diagonale comprise, tri croissant."""
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (np.asarray(labels), np.asarray(predicted)), 1)
    if both:
        pairs = [(a, b, confusion[a, b] + confusion[b, a])
                 for a in range(10) for b in range(a + diagonal)]
    else:
        pairs = [(a, b, confusion[a, b]) for a in range(10) for b in range(10) if a != b]
    return sorted(pairs, key=lambda pair: pair[2] if increasing else -pair[2])[:n_pairs]


def _as_triplets(result) -> tuple:
    """Les triplets renvoyés, chaque paire écrite (plus grand, plus petit)."""
    try:
        triplets = [(int(a), int(b), int(n)) for a, b, n in result]
    except (TypeError, ValueError):
        raise WrongAnswer("La fonction doit renvoyer une liste de triplets (a, b, nombre).") from None
    return tuple((max(a, b), min(a, b), n) for a, b, n in triplets)


def _confusion_case(groups) -> tuple[np.ndarray, np.ndarray]:
    pairs = [pair for pair, count in groups for _ in range(count)]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])


def _most_confused_message(case, got, want) -> str:
    counts = [int(t[2]) for t in got] if isinstance(got, tuple) else []
    if len(got) != len(want):
        return f"Avec n_pairs={case[2]}, la liste doit avoir {case[2]} éléments, pas {len(got)}."
    if len(counts) > 1 and counts == sorted(counts) and counts != sorted(counts, reverse=True):
        return "Les paires sont triées par nombre croissant : il faut les plus confondues d'abord."
    return ("Sur un petit exemple connu, les paires renvoyées ne sont pas les plus confondues "
            "(dans un sens ou dans l'autre), triées par nombre décroissant.")


@exercise_check
def check_most_confused(most_confused) -> str:
    """``most_confused(labels, predicted, n_pairs)`` : les paires de chiffres les plus confondues."""
    # Premier cas : 4 → 9 confondu 5 fois dans un seul sens, 3 ↔ 5 trois fois dans chaque sens.
    first = _confusion_case([((4, 9), 5), ((3, 5), 3), ((5, 3), 3), ((1, 7), 2), ((2, 2), 20)])
    second = _confusion_case([((7, 1), 4), ((1, 7), 4), ((0, 6), 7), ((8, 3), 3), ((3, 8), 2),
                              ((2, 5), 1), ((9, 9), 12)])  # autant d'images que le premier
    expect(most_confused, _confused, [(*first, 2), (*second, 3)],
           run=lambda function, case: _as_triplets(function(*case)), rtol=0, atol=0, mistakes=[
        Mistake(lambda *a: _confused(*a, both=False),
                "Comptez les confusions dans les deux sens : la paire {a, b} est confondue "
                "confusion[a, b] + confusion[b, a] fois."),
        Mistake(lambda *a: _confused(*a, diagonal=True),
                "Une paire (a, a) n'est pas une confusion : ignorez la diagonale de la matrice de "
                "confusion."),
        Mistake(lambda *a: _confused(*a, increasing=True),
                "Les paires sont triées par nombre croissant : il faut les plus confondues "
                "d'abord."),
    ], otherwise=_most_confused_message)
    return "Paires justes, comptées dans les deux sens et triées, pour deux valeurs de n_pairs."


# --- Plus proches voisins avec peu d'étiquettes ----------------------------------------------


def _few_label_accuracy(f_train, y_train, f_test, y_test, per_class, seed, *, k=1,
                        labelled_test=False, all_labels=False, scale=1.0):
    chosen = torch.arange(len(y_train)) if all_labels else few_labels(y_train, per_class, seed=seed)
    if labelled_test:
        f_test, y_test = f_train[chosen], y_train[chosen]
    return scale * knn_accuracy(f_train[chosen], y_train[chosen], f_test, y_test, k=k)


def _clusters(seed: int, n_classes: int = 5, dim: int = 8) -> tuple:
    """Des nuages gaussiens qui se chevauchent un peu : le taux dépend du tirage des exemples."""
    generator = torch.Generator().manual_seed(seed)
    centers = 1.2 * torch.randn(n_classes, dim, generator=generator)
    y_train = torch.arange(n_classes).repeat(60)[torch.randperm(60 * n_classes, generator=generator)]
    y_test = torch.arange(n_classes).repeat(40)[torch.randperm(40 * n_classes, generator=generator)]
    f_train = centers[y_train] + torch.randn(len(y_train), dim, generator=generator)
    f_test = centers[y_test] + torch.randn(len(y_test), dim, generator=generator)
    return f_train, y_train, f_test, y_test


@exercise_check
def check_few_label_accuracy(few_label_accuracy) -> str:
    """``few_label_accuracy(features_train, labels_train, features_test, labels_test, per_class,
    seed)`` : taux du 1-NN appris sur ``per_class`` exemples étiquetés par classe."""
    expect(few_label_accuracy, _few_label_accuracy,
           [(*_clusters(0), 2, 0), (*_clusters(1), 3, 5)], mistakes=[
        Mistake(lambda *a: _few_label_accuracy(*a, scale=100.0),
                "Le taux est en pourcentage : renvoyez une fraction dans [0, 1]."),
        Mistake(lambda *a: _few_label_accuracy(*a, labelled_test=True),
                "Vous mesurez le taux sur les exemples étiquetés eux-mêmes : il faut l'ensemble de "
                "test entier."),
        Mistake(lambda *a: _few_label_accuracy(*a, all_labels=True),
                "Le classifieur utilise toutes les étiquettes d'entraînement : il ne doit voir que "
                "per_class exemples par classe (few_labels)."),
        Mistake(lambda *a: _few_label_accuracy(*a, k=3),
                "Le classifieur consulte plusieurs voisins : il s'agit du plus proche voisin "
                "(k = 1)."),
    ], otherwise=lambda case, got, want: (
        f"Avec per_class = {case[4]} et seed = {case[5]}, votre taux ({float(got):.3f}) n'est pas "
        "celui du 1-NN appris sur les exemples tirés par few_labels(labels_train, per_class, "
        "seed=seed), mesuré sur tout l'ensemble de test."))
    return "Taux juste sur deux petits jeux de données connus, pour deux tirages."
