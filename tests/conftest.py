"""Fixtures communes : petites images synthétiques et isolation des variables d'environnement."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import torch


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
    import ast
    from pathlib import Path

    import jupytext
    from IPython.core.inputtransformer2 import TransformerManager

    chapters = Path(__file__).resolve().parent.parent / "chapters"
    cache = {}

    def load(page: str) -> dict:
        if page not in cache:
            cells = [TransformerManager().transform_cell(c.source)  # « %pip » → Python
                     for c in jupytext.read(chapters / f"{page}.md").cells if c.cell_type == "code"]
            namespace: dict = {}
            exec(next(c for c in cells if "from helpers" in c), namespace)  # noqa: S102
            for source in cells:
                functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
                exec(compile(ast.Module(functions, []), page, "exec"), namespace)  # noqa: S102
            cache[page] = namespace
        return cache[page]

    return load


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
