"""Écrit, à côté de chaque page-notebook MyST de ``chapters/``, le ``.ipynb`` que le bouton Colab
ouvre : mêmes cellules, sans sorties, et un Markdown ordinaire (sans directives ni rôles MyST, que
Jupyter et Colab n'interprètent pas). Usage : ``python tools/make_notebooks.py [--check]``.

Avec ``--check``, n'écrit rien et échoue si un notebook manque ou n'est plus à jour.
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import lru_cache
from pathlib import Path

import jupytext
import nbformat
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

# Titres français des directives, affichés en gras à la place du bloc MyST.
DIRECTIVE_TITLES = {
    "exercise": "Exercice", "solution": "Solution", "solution-start": "Solution",
    "prf:definition": "Définition", "prf:theorem": "Théorème", "prf:proposition": "Proposition",
    "prf:lemma": "Lemme", "prf:corollary": "Corollaire", "prf:remark": "Remarque",
    "prf:example": "Exemple", "prf:algorithm": "Algorithme", "prf:proof": "Démonstration",
    "figure": "Figure", "glue:figure": "Figure", "admonition": "",
}
FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$")
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
EQUATION_LABEL = re.compile(r"^\$\$\s*\([\w-]+\)\s*$")
TARGET = re.compile(r"^\([\w-]+\)=\s*$")


def is_notebook_page(path: Path) -> bool:
    """Vrai pour une page MyST exécutable (en-tête jupytext avec un noyau)."""
    if path.suffix != ".md":
        return False
    header = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return header.startswith("---") and "kernelspec:" in header


def notebook_pages() -> list[Path]:
    """Les pages-notebooks de ``chapters/``, dans l'ordre alphabétique."""
    return [path for path in sorted(CHAPTERS.glob("*.md")) if is_notebook_page(path)]


@lru_cache(maxsize=1)
def bibliography() -> dict[str, tuple[str, str]]:
    """Pour chaque clé de ``references.bib`` : (auteurs abrégés, année)."""
    entries = parse_file(str(ROOT / "references.bib")).entries
    result = {}
    for key, entry in entries.items():
        names = [" ".join(p.last_names) for p in entry.persons.get("author", [])]
        authors = names[0] + " et al." if len(names) > 2 else " et ".join(names)
        result[key] = (authors.replace("{", "").replace("}", ""), entry.fields.get("year", ""))
    return result


def _role(match: re.Match) -> str:
    """Texte ordinaire pour un rôle MyST : références, citations, valeurs calculées."""
    role, content = match.group(1), match.group(2)
    text = re.match(r"^(.*?)\s*<([^>]*)>$", content)
    if role == "glue:md":
        return "…"
    if role.startswith("cite"):
        cited = [bibliography().get(k.strip(), (k.strip(), "")) for k in content.split(",")]
        if role == "cite:t":
            return ", ".join(f"{a} ({y})" for a, y in cited)
        return "(" + " ; ".join(f"{a}, {y}" for a, y in cited) + ")"
    if text:  # {doc}`texte <cible>`, {ref}`texte <label>`…
        return text.group(1)
    if role == "eq":
        return "(équation du cours)"
    if role == "doc":
        return content.split("/")[-1]
    if role == "numref":
        return "figure"
    return "(voir le cours en ligne)"


def plain_markdown(source: str) -> str:
    """Remplace directives, rôles, cibles et étiquettes d'équations MyST par du Markdown ordinaire."""
    lines, fences = [], []
    for line in source.split("\n"):
        opening = FENCE.match(line)
        if opening:
            fence, name, argument = opening.groups()
            fences.append(fence)
            title = DIRECTIVE_TITLES.get(name, name)
            if name in ("figure", "glue:figure", "solution", "solution-start"):
                argument = ""  # un chemin ou une étiquette, pas un titre
            heading = " — ".join(part for part in (title, argument.strip()) if part)
            if heading and name != "solution-end":
                lines.append(f"**{heading}.**")
            continue
        if fences and line.strip() == fences[-1]:
            fences.pop()
            continue
        if fences and re.match(r"^:[\w-]+:", line):  # options d'une directive
            continue
        if TARGET.match(line):
            continue
        if EQUATION_LABEL.match(line):
            line = "$$"
        lines.append(ROLE.sub(_role, line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render(page: Path) -> str:
    """Le notebook de ``page``, sérialisé, sans sorties ni métadonnées d'appariement jupytext."""
    notebook = jupytext.read(page)
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # identifiants stables : le fichier ne change qu'avec la source
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source)
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
