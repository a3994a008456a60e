"""Fixtures communes : petites images synthétiques et isolation des variables d'environnement."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from tqdm.std import tqdm

import course_solutions
from course_solutions import page_solutions


# Pas de fil de surveillance des barres de progression : un processus fils (fork, comme ceux des
# tests de droits d'accès ou de mutmut) pourrait hériter de son verrou et se bloquer.
tqdm.monitor_interval = 0


@pytest.fixture
def images() -> torch.Tensor:
    """64 images 28×28 dans [0, 1], reproductibles (traits horizontaux d'intensité aléatoire)."""
    generator = torch.Generator().manual_seed(0)
    base = torch.zeros(64, 1, 28, 28)
    rows = torch.randint(4, 24, (64,), generator=generator)
    for i, r in enumerate(rows):
        base[i, 0, r - 2 : r + 2, 4:24] = torch.rand(1, generator=generator) * 0.5 + 0.5
    return base


@pytest.fixture(scope="session")
def solutions():
    """``solutions(page)`` : les fonctions des solutions de la page ``chapters/<page>.md``, telles
    que le cours les écrit, définies dans l'espace de noms de la cellule d'imports de la page."""
    return page_solutions


@pytest.fixture(scope="session")
def all_solutions():
    """Les fonctions de toutes les solutions du cours, par nom."""
    return course_solutions.all_solutions()


@pytest.fixture
def open_tmp():
    """Dossier temporaire que ``nobody`` peut traverser (pas tmp_path, sous un dossier en 0700)."""
    path = Path(tempfile.mkdtemp(prefix="ae-faults-"))
    path.chmod(0o755)
    yield path
    for folder, subfolders, _ in os.walk(path):  # rend tout effaçable, même sans être root
        for name in subfolders:
            os.chmod(os.path.join(folder, name), 0o755)
    shutil.rmtree(path)
