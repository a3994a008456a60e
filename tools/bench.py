"""Mesures de performance du cours, prises côte à côte sur cette machine ; écrit
``results/benchmarks.json`` (avec la description de la machine et la date).

Usage : ``python -m tools.bench [--only epoch,vae,inversion,book,test] [--repeats 3]``
(``make bench``). Chaque mesure est écrite dès qu'elle est prise, avec la charge moyenne de la
machine (``os.getloadavg``, sur une minute) avant et après : une mesure prise pendant un autre
calcul n'a pas de sens sur deux cœurs. La dernière ligne affichée est le résultat JSON de la
dernière mesure, sur une ligne.

- ``epoch`` : une époque de l'auto-encodeur dense 784-256-128-16 (Adam, lots de 128) sur les
  60 000 images, tenseurs en mémoire contre DataLoader avec ``ToTensor`` image par image ;
  médiane de ``--repeats`` mesures alternées.
- ``vae`` : temps pour atteindre une −ELBO de test de 105,55 nats par image (celle de
  pytorch/examples ``vae/main.py`` après 10 époques) avec le VAE de dimension latente 20 du TP 5 et
  sa recette (:data:`VAE_RECIPE`), entraîné depuis zéro et évalué sur les 10 000 images de test
  après chaque époque ; à côté, dans la même exécution, la recette de pytorch/examples
  (784-400-20, Adam à 10⁻³, lots de 128, ``DataLoader`` avec ``ToTensor``, 10 époques).
- ``inversion`` : inversion du décodeur du VAE du TP 5 (dimension latente 2), à nombre de pas
  égal : boucle image par image contre lots (rapport des temps par image, images par seconde,
  erreur finale ; lots : meilleure de ``--repeats`` mesures), L-BFGS, et les 60 000 images
  d'entraînement. Le débit des lots en GFLOP/s
  (opérations des produits matriciels comptées par ``torch.utils.flop_counter``) est comparé à
  celui d'un ``torch.matmul`` 2048 × 2048 mesuré dans la même exécution.
- ``book`` : le livre complet construit à froid (cache d'exécution et cache de modèles neufs, dans
  ``_build/bench/``) sous ``/usr/bin/time -v`` (durée, mémoire maximale), la durée d'exécution de
  chaque page lue dans le cache de Jupyter Book, et la durée d'une époque de la mesure ``epoch``
  juste avant et juste après : la vitesse de la machine du moment, qui varie d'un jour à l'autre.
  Compter un quart d'heure à vingt minutes.
- ``test`` : ``make test`` sous ``/usr/bin/time -v``.
- ``tps`` : chaque TP tel qu'un étudiant l'exécute, solutions comprises (le notebook complet de
  ``tools.make_notebooks --full``), en mode complet, du début à la fin, avec un cache de modèles
  vide comme dans une session Colab neuve : durée de calcul et mémoire maximale de chaque TP, que
  cite le guide de l'enseignant. Compter une dizaine de minutes.

Aucune de ces mesures n'est une assertion : ``tests/`` ne chronomètre rien.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode
from torchvision import datasets, transforms

from helpers import inversion
from helpers.checkpoints import fit_cached
from helpers.config import data_dir
from helpers.data import ensure_raw_files, load_mnist
from helpers.evaluation import vae_elbo
from helpers.models import VAE, DenseAutoencoder, init_output_bias
from helpers.objectives import VAEObjective
from helpers.train import fit

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "results" / "benchmarks.json"


def machine() -> dict:
    """Description de la machine : processeur, cœurs, mémoire, versions."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().split("\n")
                if line.startswith("model name")), platform.processor())
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "memory_gib": round(memory_kb / 2**20, 1), "gpu": torch.cuda.is_available(),
            "python": platform.python_version(), "torch": torch.__version__}


def epoch_in_memory(images: torch.Tensor) -> float:
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=16)
    return fit(model, images, epochs=1, batch_size=128, progress=False).seconds


def epoch_dataloader(dataset) -> float:
    torch.manual_seed(0)
    model = DenseAutoencoder(code_dim=16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(dataset, batch_size=128, shuffle=True)
    start = time.perf_counter()
    for batch, _ in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(batch), batch)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def bench_epoch(repeats: int) -> dict:
    root = ensure_raw_files(data_dir()).parent.parent
    images = load_mnist(train=True).images
    dataset = datasets.MNIST(str(root), train=True, transform=transforms.ToTensor())
    memory, loader = [], []
    for _ in range(repeats):
        memory.append(epoch_in_memory(images))
        loader.append(epoch_dataloader(dataset))
    result = {"in_memory_s": statistics.median(memory), "dataloader_s": statistics.median(loader)}
    result["ratio"] = result["dataloader_s"] / result["in_memory_s"]
    return result


# Le VAE de dimension latente 20 du TP 5 et sa recette (chapters/tp5_vae.md, que
# tests/test_bench.py compare à ces valeurs) ; le programme « one cycle » sur VAE_EPOCHS époques.
VAE_HIDDEN = (512,)
VAE_EPOCHS = 5
VAE_RECIPE = {"batch_size": 256, "lr": 5e-3, "cosine": True, "warmup": 0.2, "bfloat16": True}
PEER_TARGET = 105.55  # −ELBO de test de pytorch/examples vae/main.py après 10 époques


class _TargetReached(Exception):
    """Interrompt fit() dès que la −ELBO de test atteint la cible."""


def bench_vae() -> dict:
    train, test = load_mnist(train=True).images, load_mnist(train=False).images
    peer = _peer_vae(test)
    torch.manual_seed(0)
    vae = VAE(latent_dim=20, hidden=VAE_HIDDEN)
    start, curve = time.perf_counter(), []

    def evaluate(epoch, model):
        curve.append((round(time.perf_counter() - start, 2), -vae_elbo(model, test)["elbo"]))
        if curve[-1][1] <= PEER_TARGET:
            raise _TargetReached

    try:  # l'initialisation du biais fait partie de la recette, donc du temps mesuré
        init_output_bias(vae, train)
        fit(vae, train, epochs=VAE_EPOCHS, loss=VAEObjective(), on_epoch_end=evaluate,
            progress=False, **VAE_RECIPE)
    except _TargetReached:
        pass
    seconds = time.perf_counter() - start
    return {"target": PEER_TARGET, "seconds": seconds, "epochs": len(curve),
            "test_negative_elbo": curve[-1][1], "curve": curve, "peer": peer,
            # la cible si le pair l'atteint, sinon ses 10 époques (borne inférieure de son temps)
            "speedup_vs_peer": (peer["seconds_to_target"] or peer["seconds"]) / seconds}


def _peer_vae(test: torch.Tensor, epochs: int = 10) -> dict:
    """La recette de pytorch/examples vae/main.py, réécrite : même modèle, même boucle."""
    dataset = datasets.MNIST(str(ensure_raw_files(data_dir()).parent.parent), train=True,
                             transform=transforms.ToTensor())
    torch.manual_seed(0)
    model = VAE(latent_dim=20, hidden=(400,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(dataset, batch_size=128, shuffle=True)
    start, curve = time.perf_counter(), []
    for _ in range(epochs):
        model.train()
        for batch, _ in loader:
            optimizer.zero_grad()
            x = batch.flatten(1)
            logits, mu, logvar = model(x)
            reconstruction = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="sum")
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            (reconstruction + kl).backward()
            optimizer.step()
        curve.append((round(time.perf_counter() - start, 2), -vae_elbo(model, test)["elbo"]))
    reached = next((epoch for epoch, (_, value) in enumerate(curve, 1) if value <= PEER_TARGET),
                   None)
    return {"seconds": curve[-1][0], "epochs": epochs, "test_negative_elbo": curve[-1][1],
            "epochs_to_target": reached,
            "seconds_to_target": curve[reached - 1][0] if reached else None, "curve": curve}


def bench_inversion(repeats: int, steps: int = 150, lr: float = 0.05, n: int = 5000,
                    loop_n: int = 100) -> dict:
    train = load_mnist(train=True)
    torch.manual_seed(0)  # le VAE du TP 5 : le cache de modèles le recharge s'il existe
    vae = VAE(latent_dim=2, hidden=(512, 256))
    init_output_bias(vae, train.images)
    fit_cached("tp5-vae-2", vae, train.images, epochs=VAE_EPOCHS, loss=VAEObjective(),
               progress=False, **VAE_RECIPE)
    vae.requires_grad_(False)

    def decoder(u):
        return torch.sigmoid(vae.decode(u))

    targets = train.images.flatten(1)
    with torch.no_grad():
        init = vae.encode(targets)[0]
    loop = inversion.invert_loop(decoder, targets[:loop_n], init[:loop_n], steps, lr)
    batched = min((inversion.invert_batched(decoder, targets[:n], init[:n], steps, lr)
                   for _ in range(repeats)), key=lambda run: run.seconds)  # comme le produit matriciel
    lbfgs = inversion.invert_lbfgs(decoder, targets[:n], init[:n], steps=50)
    everything = inversion.invert_batched(decoder, targets, init, steps=50, lr=0.2)
    loop_per_image = loop.seconds / loop_n
    batched_per_image = batched.seconds / n
    chunk = 1000
    with FlopCounterMode(display=False) as counter:  # proportionnel au nombre d'images
        inversion.invert_batched(decoder, targets[:chunk], init[:chunk], steps, lr)
    batched_gflops = counter.get_total_flops() * n / chunk / batched.seconds / 1e9
    matmul_gflops = _matmul_gflops()
    return {
        "steps": steps, "images_batched": n, "images_loop": loop_n,
        "loop_s_per_image": loop_per_image, "batched_s_per_image": batched_per_image,
        "speedup_batched_vs_loop": loop_per_image / batched_per_image,
        "batched_images_per_s": n / batched.seconds,
        "batched_gflops": batched_gflops, "matmul_2048_gflops": matmul_gflops,
        "batched_vs_matmul": batched_gflops / matmul_gflops,
        "loop_final_error": loop.errors.mean().item(),
        "batched_final_error_same_images": batched.errors[:loop_n].mean().item(),
        "lbfgs_s": lbfgs.seconds, "lbfgs_final_error": lbfgs.errors.mean().item(),
        "batched_final_error": batched.errors.mean().item(),
        "all_60000": {"steps": 50, "lr": 0.2, "seconds": everything.seconds,
                      "final_error_first_images": everything.errors[:loop_n].mean().item()},
    }


def _matmul_gflops(size: int = 2048, repeats: int = 20) -> float:
    """Débit d'un produit de deux matrices float32 size × size (meilleur de trois mesures)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b  # échauffement
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            torch.matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 * repeats / best / 1e9


def _timed(command: list[str], env: dict) -> tuple[float, int]:
    """Exécute ``command`` sous /usr/bin/time -v ; renvoie (secondes, mémoire maximale en Mio)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"Échec de {' '.join(command)} :\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return seconds, peak_kb // 1024


def bench_book() -> dict:
    from jupyter_cache import get_cache

    output = ROOT / "_build" / "bench"
    subprocess.run(["rm", "-rf", str(output)], check=True)
    env = {**os.environ, "AE_CACHE_DIR": str(output / "checkpoints"), "AE_FAST": "0"}
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    images = load_mnist(train=True).images
    epoch_in_memory(images[:1000])  # premier appel (imports paresseux de PyTorch) hors mesure
    # La vitesse de la machine, qui varie d'un jour à l'autre : une époque de la mesure ``epoch``.
    epoch_before = epoch_in_memory(images)
    seconds, peak = _timed([jupyter_book, "build", ".", "--path-output", str(output),
                            "-n", "-W", "--keep-going"], env)
    pages = {Path(record.uri).stem: record.data["execution_seconds"]
             for record in get_cache(str(output / "_build" / ".jupyter_cache")).list_cache_records()}
    return {"book_full_cold_s": seconds, "book_peak_memory_mib": peak, "pages_s": pages,
            "epoch_in_memory_s_before": epoch_before,
            "epoch_in_memory_s_after": epoch_in_memory(images)}


def bench_test() -> dict:
    seconds, peak = _timed(["make", "test"], {**os.environ})
    return {"make_test_s": seconds, "make_test_peak_memory_mib": peak}


def bench_tps() -> dict:
    output = ROOT / "_build" / "bench" / "tps"
    subprocess.run(["rm", "-rf", str(output)], check=True)
    subprocess.run([sys.executable, "-m", "tools.make_notebooks", "--full", str(output)],
                   cwd=ROOT, check=True)
    jupyter = str(Path(sys.executable).parent / "jupyter")
    tps = {}
    for notebook in sorted(output.glob("tp*.ipynb")):
        env = {**os.environ, "AE_FAST": "0", "AE_CACHE_DIR": str(output / f"{notebook.stem}-models")}
        seconds, peak = _timed([jupyter, "execute", "--timeout=3600", str(notebook)], env)
        tps[notebook.stem] = {"seconds": round(seconds, 1), "peak_memory_mib": peak}
        print(notebook.stem, tps[notebook.stem], flush=True)
    return {"notebooks": tps, "date": datetime.date.today().isoformat()}


REPEATED = {"epoch", "inversion"}  # les mesures qui prennent la médiane ou le meilleur de --repeats
BENCHMARKS = {"epoch": bench_epoch, "vae": bench_vae, "inversion": bench_inversion,
              "book": bench_book, "test": bench_test, "tps": bench_tps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="epoch,vae,inversion,book,test",
                        help="mesures à prendre, séparées par des virgules")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    unknown = wanted - set(BENCHMARKS)
    if unknown:
        parser.error(f"mesures inconnues : {', '.join(sorted(unknown))}")

    results = json.loads(OUTPUT.read_text(encoding="utf-8")) if OUTPUT.exists() else {}
    for name, measure in BENCHMARKS.items():
        if name in wanted:
            load_before = os.getloadavg()[0]
            results[name] = measure(args.repeats) if name in REPEATED else measure()
            results[name].update(load_average_before=load_before,
                                 load_average_after=os.getloadavg()[0])
            results["machine"] = machine()
            if name != "tps":  # « date » : celle des durées de la page « Résultats de référence »
                results["date"] = datetime.date.today().isoformat()
            OUTPUT.parent.mkdir(exist_ok=True)
            OUTPUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")
            print(json.dumps(results[name], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
