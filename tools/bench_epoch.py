"""Une époque de l'auto-encodeur dense du chapitre : tenseurs en mémoire contre DataLoader.

Les deux variantes entraînent le même modèle (784-256-128-16, Adam, lots de 128) sur les 60 000
images d'entraînement, l'une après l'autre dans le même processus ; on répète la mesure et garde la
médiane. Usage : ``python tools/bench_epoch.py [--repeats 3]`` (AE_DATA_DIR pour les données).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from helpers.config import data_dir
from helpers.data import ensure_raw_files, load_mnist
from helpers.models import DenseAutoencoder
from helpers.train import fit


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    root = ensure_raw_files(data_dir()).parent.parent
    images = load_mnist(train=True).images
    dataset = datasets.MNIST(str(root), train=True, transform=transforms.ToTensor())
    memory, loader = [], []
    for _ in range(args.repeats):
        memory.append(epoch_in_memory(images))
        loader.append(epoch_dataloader(dataset))
    result = {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}",
        "epoch_in_memory_s": statistics.median(memory),
        "epoch_dataloader_s": statistics.median(loader),
    }
    result["ratio_dataloader_over_memory"] = result["epoch_dataloader_s"] / result["epoch_in_memory_s"]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
