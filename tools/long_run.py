"""Entraînement long d'un auto-encodeur à code de dimension 30, pour atteindre l'erreur de Hinton
et Salakhutdinov (2006) : 3,00 par image de test (somme des carrés sur les pixels).

Usage : ``python -m tools.long_run [--epochs 20]`` (``make long-run``, environ 11 minutes sur deux
cœurs). Le réseau profond dense de l'article (784-1000-500-250-30), entraîné par Adam sans
pré-entraînement, plafonne vers 4,7 après 40 époques ; l'auto-encodeur convolutionnel du TP 3,
élargi à 64 puis 128 canaux et réduit à un code de dimension 30, passe sous 3,00 en une vingtaine
d'époques. Il est entraîné par Adam avec un taux d'apprentissage en cosinus sur les 60 000 images ;
l'erreur de test est affichée à chaque époque. Les poids finaux sont écrits en float16 dans
``results/ae30_long.pt`` (moins de 1 Mo) avec les réglages, la durée et l'erreur des poids
arrondis : le TP 2 les charge quand le fichier existe (``helpers.checkpoints.load_half``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from helpers import config
from helpers.checkpoints import load_half, save_half
from helpers.data import load_mnist
from helpers.evaluation import per_image_sse
from helpers.models import ConvAutoencoder
from helpers.train import fit, reconstruct

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "results" / "ae30_long.pt"
CHANNELS = (64, 128, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    config.seed_everything(0)
    train = load_mnist(train=True).images
    test = load_mnist(train=False).images
    model = ConvAutoencoder(channels=CHANNELS)
    start = time.perf_counter()

    def report(epoch, model):
        print(f"époque {epoch:3d} : erreur de test {per_image_sse(test, reconstruct(model, test)):.3f} par image "
              f"({(time.perf_counter() - start) / 60:.1f} min)", flush=True)

    fit(model, train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, cosine=True,
        on_epoch_end=report, progress=False)
    minutes = (time.perf_counter() - start) / 60
    info = {"channels": CHANNELS, "epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size,
            "minutes": minutes}
    save_half(model, OUTPUT, info)
    rounded = ConvAutoencoder(channels=CHANNELS)
    load_half(rounded, OUTPUT)  # l'erreur des poids arrondis en float16, ceux que le TP chargera
    sse = per_image_sse(test, reconstruct(rounded, test))
    save_half(rounded, OUTPUT, {**info, "test_sse": sse})
    print(f"{OUTPUT.relative_to(ROOT)} écrit : {sse:.3f} par image après {minutes:.0f} min.")


if __name__ == "__main__":
    main()
