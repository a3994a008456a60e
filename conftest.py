"""Collecte pytest des pages-notebooks : chaque source MyST de ``chapters/`` qui contient du code
est convertie par jupytext en ``.ipynb`` dans ``_build/nbtest/`` puis exécutée par nbval.

Les tests du site construit (``tests/site/``, ``make test-site``) ne sont collectés qu'avec
``--site DOSSIER_HTML`` : ils ont besoin du site et d'un navigateur ; ceux du PDF (``tests/pdf/``,
``make test-pdf``) qu'avec ``--pdf FICHIER``."""

import os
from pathlib import Path

import jupytext
from nbval.plugin import IPyNbFile

from tools.make_notebooks import is_notebook_page

ROOT = Path(__file__).resolve().parent

NOTEBOOK_DIR = ROOT / "_build" / "nbtest"

# Un simple `pytest` exécute les notebooks en mode rapide ; AE_FAST=0 demande le mode complet.
os.environ.setdefault("AE_FAST", "1")

# Les chapters/*.ipynb sont des copies générées pour Colab (make notebooks) : seules leurs
# sources MyST sont exécutées.
collect_ignore_glob = ["chapters/*.ipynb"]


def pytest_addoption(parser):
    parser.addoption("--site", metavar="DOSSIER_HTML", default=None,
                     help="site construit à tester (tests/site/), par exemple _build/fast/_build/html")
    parser.addoption("--enonces", action="store_true",
                     help="le site testé est le site sans solutions (make book-enonces)")
    parser.addoption("--pdf", metavar="FICHIER_PDF", default=None,
                     help="PDF construit à tester (tests/pdf/), par exemple _build/fast/_build/pdf/_build/latex/auto-encodeurs.pdf")


def pytest_ignore_collect(collection_path: Path, config):
    for folder, option in (("site", "--site"), ("pdf", "--pdf")):
        if collection_path == ROOT / "tests" / folder and not config.getoption(option):
            return True
    return None


def pytest_collect_file(file_path: Path, parent):
    if file_path.parent == ROOT / "chapters" and is_notebook_page(file_path):
        NOTEBOOK_DIR.mkdir(parents=True, exist_ok=True)
        target = NOTEBOOK_DIR / f"{file_path.stem}.ipynb"
        jupytext.write(jupytext.read(file_path), target)
        return IPyNbFile.from_parent(parent, path=target)
    return None
