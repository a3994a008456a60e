"""Écrit, à côté de chaque page-notebook MyST de ``chapters/``, le ``.ipynb`` que le bouton Colab
ouvre : mêmes cellules, sans sorties. Usage : ``python tools/make_notebooks.py [--check]``.

Avec ``--check``, n'écrit rien et échoue si un notebook manque ou n'est plus à jour.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"


def notebook_pages() -> list[Path]:
    """Les sources MyST exécutables (en-tête jupytext avec un noyau) de ``chapters/``."""
    pages = []
    for path in sorted(CHAPTERS.glob("*.md")):
        header = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        if header.startswith("---") and "kernelspec:" in header:
            pages.append(path)
    return pages


def render(page: Path) -> str:
    """Le notebook de ``page``, sérialisé, sans sorties ni métadonnées d'appariement jupytext."""
    notebook = jupytext.read(page)
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # identifiants stables : le fichier ne change qu'avec la source
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(notebook) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="vérifier sans écrire")
    args = parser.parse_args()
    stale = []
    for page in notebook_pages():
        target = page.with_suffix(".ipynb")
        text = render(page)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.relative_to(ROOT))
        else:
            target.write_text(text, encoding="utf-8")
    if stale:
        print("Notebooks absents ou périmés (lancez `make notebooks`) : "
              + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
