"""Évaluer des représentations : peu d'étiquettes par classe et plus proches voisins."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier

from .losses import negative_elbo


def few_labels(labels: torch.Tensor, per_class: int, seed: int = 0) -> torch.Tensor:
    """Indices de ``per_class`` exemples tirés au hasard dans chaque classe (sans remise).

    Arguments :

    - ``labels`` : étiquettes entières de forme (N,) ;
    - ``per_class`` : nombre d'exemples par classe ;
    - ``seed`` : graine du tirage (générateur propre, indépendant de la graine globale).

    Renvoie : un tenseur ``int64`` de forme (per_class × nombre de classes,), les indices groupés
    par classe, dans l'ordre croissant des classes.

    Lève : ``ValueError`` si une classe a moins de ``per_class`` exemples.

    Exemple : ::

        chosen = few_labels(labels_train, 10, seed=0)
    """
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for c in labels.unique():
        members = (labels == c).nonzero().flatten()
        if len(members) < per_class:
            raise ValueError(
                f"La classe {int(c)} n'a que {len(members)} exemples (il en faut {per_class})."
            )
        chosen.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return torch.cat(chosen)


def knn_accuracy(
    train_features: torch.Tensor | np.ndarray,
    train_labels: torch.Tensor | np.ndarray,
    test_features: torch.Tensor | np.ndarray,
    test_labels: torch.Tensor | np.ndarray,
    k: int = 1,
) -> float:
    """Taux de bonne classification (dans [0, 1]) du classifieur des ``k`` plus proches voisins.

    Le classifieur (scikit-learn, distance euclidienne) est ajusté sur les représentations de
    référence et évalué sur celles de test.

    Arguments :

    - ``train_features``, ``test_features`` : représentations de forme (N, d) et (M, d), par
      exemple des codes (N, p) ou des images (que la fonction aplatit), tenseurs sur le CPU ou
      tableaux NumPy ;
    - ``train_labels``, ``test_labels`` : étiquettes de forme (N,) et (M,) ;
    - ``k`` : nombre de voisins.

    Renvoie : un ``float`` dans [0, 1].

    Lève : ``ValueError`` si les deux dimensions d diffèrent.

    Exemple : ::

        knn_accuracy(encode(model, x_train), y_train, encode(model, x_test), y_test, k=1)
    """
    train_features, test_features = _flat(train_features), _flat(test_features)
    if train_features.shape[1] != test_features.shape[1]:
        raise ValueError(
            f"Dimensions incompatibles : {train_features.shape[1]} (référence) "
            f"et {test_features.shape[1]} (test)."
        )
    classifier = KNeighborsClassifier(n_neighbors=k).fit(train_features, _numpy(train_labels))
    return float(classifier.score(test_features, _numpy(test_labels)))


def per_image_sse(images: torch.Tensor, reconstructions: torch.Tensor) -> float:
    """Erreur quadratique par image (somme des carrés sur les pixels), moyennée sur les images.

    C'est la mesure de Hinton et Salakhutdinov (2006). Pour un modèle :
    ``per_image_sse(x, reconstruct(model, x))``.

    Arguments :

    - ``images``, ``reconstructions`` : deux tenseurs de même forme, (N, 1, 28, 28) ou (N, 784).

    Renvoie : un ``float`` (calcul en float64 sur le CPU).

    Lève : ``ValueError`` si les formes diffèrent.
    """
    if images.shape != reconstructions.shape:
        raise ValueError(f"Formes incompatibles : {tuple(images.shape)} (images) et "
                         f"{tuple(reconstructions.shape)} (reconstructions).")
    difference = reconstructions.detach().cpu().double() - images.detach().cpu().double()
    return difference.pow(2).flatten(1).sum(dim=1).mean().item()


def _numpy(values: torch.Tensor | np.ndarray, dtype=None) -> np.ndarray:
    """Tableau NumPy, y compris depuis un tenseur sur GPU (CUDA, MPS) ou qui suit un gradient."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu()
    return np.asarray(values, dtype=dtype)


def _flat(features: torch.Tensor | np.ndarray) -> np.ndarray:
    array = _numpy(features, np.float32)
    return array.reshape(len(array), -1)


def vae_elbo(model, images: torch.Tensor, labels: torch.Tensor | None = None, seed: int = 0,
             batch_size: int = 1000) -> dict[str, float]:
    """ELBO moyen par image (nats) d'un VAE et ses deux termes, avec un tirage de h par image.

    Renvoie ``{"elbo": …, "reconstruction": …, "kl": …}`` où ``elbo = −(reconstruction + kl)``.

    Arguments :

    - ``model`` : un :class:`~helpers.models.VAE` (décodeur de Bernoulli), mis en mode évaluation ;
    - ``images`` : tenseur (N, 1, 28, 28) ou (N, 784), pixels dans [0, 1] ;
    - ``labels`` : étiquettes entières (N,) pour un VAE conditionnel (l'ELBO est alors celle de
      log p_θ(x | y)), ``None`` sinon ;
    - ``seed`` : graine du tirage de h ~ q_φ(h | x) (générateur propre sur le CPU) ;
    - ``batch_size`` : taille des lots envoyés sur le périphérique du modèle.

    Les trois valeurs sont des ``float`` en nats par image : ``reconstruction`` est
    −log p_θ(x | h) moyen, ``kl`` est KL(q_φ(h | x) ‖ p₀) moyen ; l'ELBO est celui de β = 1, quel
    que soit le β de l'entraînement.

    Exemple : ::

        terms = vae_elbo(model, x_test)
    """
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(labels)} étiquettes pour {len(images)} images.")
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    totals = {"reconstruction": 0.0, "kl": 0.0}
    label_batches = labels.split(batch_size) if labels is not None else [None] * len(images)
    for batch, y in zip(images.split(batch_size), label_batches):
        batch = batch.to(device)
        with torch.no_grad():
            logits, mu, logvar = model(batch, y, generator=generator)
            _, reconstruction, kl = negative_elbo(batch.flatten(1), logits, mu, logvar)
        totals["reconstruction"] += reconstruction.item() * len(batch)
        totals["kl"] += kl.item() * len(batch)
    result = {k: v / len(images) for k, v in totals.items()}
    result["elbo"] = -(result["reconstruction"] + result["kl"])
    return result
