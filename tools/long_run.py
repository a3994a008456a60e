"""Entraînements longs : les auto-encodeurs à code de dimension 30 du TP 2, pour atteindre l'erreur
de Hinton et Salakhutdinov (2006), 3,00 par image de test (somme des carrés sur les pixels), et le
VAE de dimension latente 2 que le TP 6 compare au mémoire de M1.

Usage : ``python -m tools.long_run [--model dense|conv|vae2] [--epochs N]`` (``make long-run``).

- ``dense`` (par défaut) : le réseau même de l'article, 784-1000-500-250-30 et le décodeur
  symétrique, sans pré-entraînement. Sans normalisation, Adam plafonne vers 4,7 après 40 époques ;
  avec un entraînement moderne, il passe sous 3,00 en un quart d'heure sur deux cœurs :
  normalisation par lot après chaque couche cachée, entropie croisée (la perte de l'article),
  biais de sortie sur l'image moyenne (:func:`helpers.models.init_output_bias`), lots de 256,
  programme « one cycle » (échauffement sur 20 % des pas jusqu'à 3 × 10⁻³, puis cosinus), et
  chaque lot décalé d'un pixel au plus dans chaque direction (augmentation des données, qui
  réduit l'écart entre erreur d'entraînement et erreur de test : sans elle, l'erreur de test
  stagne vers 3,04 après 60 époques). → ``results/ae30_dense_long.pt``.
- ``conv`` : l'auto-encodeur convolutionnel du TP 3, élargi à 64 puis 128 canaux et réduit à un
  code de dimension 30, entraîné par Adam (3 × 10⁻³, cosinus) une vingtaine d'époques.
  → ``results/ae30_conv_long.pt``.
- ``vae2`` : un VAE dense de dimension latente 2, 784-1024-512-256-2 et le décodeur symétrique,
  entraîné par Adam à taux constant (10⁻³, lots de 256, biais de sortie sur l'image moyenne) comme
  dans le tutoriel TensorFlow dont vient le modèle du mémoire de M1 ; le TP 6 compare les deux.
  → ``results/vae2_long.pt``.

La mesure de test (erreur par image, ou −ELBO du VAE en nats par image) est affichée à chaque
époque. Les poids finaux sont écrits en float16 avec les réglages, la durée et la mesure des poids
arrondis : les TP 2 et 6 les chargent quand le fichier existe
(:func:`helpers.checkpoints.load_half`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from helpers import config
from helpers.checkpoints import load_half, save_half
from helpers.data import load_mnist
from helpers.evaluation import per_image_sse, vae_elbo
from helpers.models import VAE, ConvAutoencoder, DenseAutoencoder, init_output_bias
from helpers.objectives import VAEObjective
from helpers.train import fit, reconstruct, reconstruction_bce, reconstruction_mse

ROOT = Path(__file__).resolve().parent.parent


def shifted_bce(model, x):
    """Entropie croisée sur le lot décalé d'un même vecteur tiré dans {−1, 0, 1}² (les bords des
    chiffres de MNIST sont noirs : le pixel qui sort d'un côté rentre noir de l'autre)."""
    shift = torch.randint(-1, 2, (2,)).tolist()
    return reconstruction_bce(model, torch.roll(x, shift, dims=(-2, -1)))


def test_sse(model, test):
    """Erreur de test d'un auto-encodeur : somme des carrés sur les pixels, moyenne par image."""
    return per_image_sse(test, reconstruct(model, test))


def test_negative_elbo(model, test):
    """−ELBO de test d'un VAE, en nats par image (un tirage de h par image, graine fixe)."""
    return -vae_elbo(model, test)["elbo"]


HIDDEN = (1000, 500, 250)
CHANNELS = (64, 128, 30)
VAE2_HIDDEN = (1024, 512, 256)
# Pour chaque modèle : fabrique, fichier, mesure de test, réglages de fit (époques et taux
# modifiables ; « cosine » : programme « one cycle » ou cosinus, sinon taux constant).
RECIPES = {
    "dense": {"make": lambda: DenseAutoencoder(code_dim=30, hidden=HIDDEN, batchnorm=True),
              "output": "ae30_dense_long.pt", "measure": test_sse, "epochs": 80, "lr": 3e-3,
              "batch_size": 256, "cosine": True, "warmup": 0.2, "loss": shifted_bce,
              "init_output_bias": True},
    "conv": {"make": lambda: ConvAutoencoder(channels=CHANNELS),
             "output": "ae30_conv_long.pt", "measure": test_sse, "epochs": 20, "lr": 3e-3,
             "batch_size": 128, "cosine": True, "warmup": 0.0, "loss": reconstruction_mse,
             "init_output_bias": False},
    "vae2": {"make": lambda: VAE(latent_dim=2, hidden=VAE2_HIDDEN),
             "output": "vae2_long.pt", "measure": test_negative_elbo, "epochs": 48, "lr": 1e-3,
             "batch_size": 256, "cosine": False, "warmup": 0.0, "loss": VAEObjective(),
             "init_output_bias": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=RECIPES, default="dense")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    args = parser.parse_args()
    recipe = RECIPES[args.model]
    epochs, lr = args.epochs or recipe["epochs"], args.lr or recipe["lr"]
    output = ROOT / "results" / recipe["output"]

    config.seed_everything(0)
    train = load_mnist(train=True).images
    test = load_mnist(train=False).images
    model = recipe["make"]()
    start = time.perf_counter()
    if recipe["init_output_bias"]:
        init_output_bias(model, train)

    measure = recipe["measure"]

    def report(epoch, model):
        print(f"époque {epoch:3d} : {measure.__name__} {measure(model, test):.3f} "
              f"({(time.perf_counter() - start) / 60:.1f} min)", flush=True)

    fit(model, train, epochs=epochs, batch_size=recipe["batch_size"], lr=lr,
        cosine=recipe["cosine"], warmup=recipe["warmup"], loss=recipe["loss"],
        on_epoch_end=report, progress=False)
    minutes = (time.perf_counter() - start) / 60
    loss = recipe["loss"]
    info = {"model": args.model, "epochs": epochs, "lr": lr, "batch_size": recipe["batch_size"],
            "cosine": recipe["cosine"], "warmup": recipe["warmup"],
            "loss": getattr(loss, "__name__", type(loss).__name__), "minutes": minutes}
    save_half(model, output, info)
    rounded = recipe["make"]()
    load_half(rounded, output)  # la mesure des poids arrondis en float16, ceux que le TP chargera
    value = measure(rounded, test)
    save_half(rounded, output, {**info, measure.__name__: value})
    print(f"{output.relative_to(ROOT)} écrit : {measure.__name__} {value:.3f} après {minutes:.1f} min.")


if __name__ == "__main__":
    main()
