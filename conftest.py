"""Collecte pytest des pages-notebooks : chaque source MyST de ``chapters/`` qui contient du code
est convertie par jupytext en ``.ipynb`` dans ``_build/nbtest/`` puis exécutée par nbval."""

from pathlib import Path

import jupytext
from nbval.plugin import IPyNbFile

ROOT = Path(__file__).resolve().parent
NOTEBOOK_DIR = ROOT / "_build" / "nbtest"

# Les notebooks étudiants générés (chapters/*.ipynb) contiennent des exercices à compléter :
# seules leurs sources MyST sont exécutées.
collect_ignore_glob = ["chapters/*.ipynb"]


def is_notebook_page(path: Path) -> bool:
    """Vrai pour une page MyST exécutable (en-tête jupytext avec un noyau)."""
    if path.suffix != ".md":
        return False
    header = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return header.startswith("---") and "kernelspec:" in header


def pytest_collect_file(file_path: Path, parent):
    if file_path.parent == ROOT / "chapters" and is_notebook_page(file_path):
        NOTEBOOK_DIR.mkdir(parents=True, exist_ok=True)
        target = NOTEBOOK_DIR / f"{file_path.stem}.ipynb"
        jupytext.write(jupytext.read(file_path), target)
        return IPyNbFile.from_parent(parent, path=target)
    return None
