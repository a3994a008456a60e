"""Évaluer des représentations : peu d'étiquettes par classe et plus proches voisins."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier

from .losses import negative_elbo


def few_labels(labels: torch.Tensor, per_class: int, seed: int = 0) -> torch.Tensor:
    """Indices de ``per_class`` exemples tirés au hasard dans chaque classe (sans remise)."""
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
    """Taux de bonne classification (dans [0, 1]) du classifieur des ``k`` plus proches voisins."""
    train_features, test_features = _flat(train_features), _flat(test_features)
    if train_features.shape[1] != test_features.shape[1]:
        raise ValueError(
            f"Dimensions incompatibles : {train_features.shape[1]} (référence) "
            f"et {test_features.shape[1]} (test)."
        )
    classifier = KNeighborsClassifier(n_neighbors=k).fit(train_features, np.asarray(train_labels))
    return float(classifier.score(test_features, np.asarray(test_labels)))


def per_image_sse(images: torch.Tensor, reconstructions: torch.Tensor) -> float:
    """Erreur quadratique par image (somme des carrés sur les pixels), moyennée sur les images :
    la mesure de Hinton et Salakhutdinov (2006). Pour un modèle :
    ``per_image_sse(x, reconstruct(model, x))``."""
    if images.shape != reconstructions.shape:
        raise ValueError(f"Formes incompatibles : {tuple(images.shape)} (images) et "
                         f"{tuple(reconstructions.shape)} (reconstructions).")
    difference = reconstructions.detach().cpu().double() - images.detach().cpu().double()
    return difference.pow(2).flatten(1).sum(dim=1).mean().item()


def _flat(features: torch.Tensor | np.ndarray) -> np.ndarray:
    array = np.asarray(features, dtype=np.float32)
    return array.reshape(len(array), -1)


def vae_elbo(model, images: torch.Tensor, seed: int = 0, batch_size: int = 1000) -> dict[str, float]:
    """ELBO moyen par image (nats) d'un VAE et ses deux termes, avec un tirage de h par image.

    Renvoie ``{"elbo": …, "reconstruction": …, "kl": …}`` où ``elbo = −(reconstruction + kl)``.
    """
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    totals = {"reconstruction": 0.0, "kl": 0.0}
    for batch in images.split(batch_size):
        batch = batch.to(device)
        with torch.no_grad():
            logits, mu, logvar = model(batch, generator)
            _, reconstruction, kl = negative_elbo(batch.flatten(1), logits, mu, logvar)
        totals["reconstruction"] += reconstruction.item() * len(batch)
        totals["kl"] += kl.item() * len(batch)
    result = {k: v / len(images) for k, v in totals.items()}
    result["elbo"] = -(result["reconstruction"] + result["kl"])
    return result
