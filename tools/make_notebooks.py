"""Écrit, à côté de chaque page-notebook MyST de ``chapters/``, le notebook étudiant ``.ipynb`` que
le bouton Colab ouvre. Usage : ``python tools/make_notebooks.py [--check]``.

Le notebook étudiant reprend les cellules de la page, sans sorties, en Markdown ordinaire
(voir ``myst_markdown``). Chaque solution est retirée :

- une solution ``{solution}`` (texte seul) disparaît ;
- dans une solution ``{solution-start}`` … ``{solution-end}``, le texte disparaît et chaque
  fonction définie dans une cellule de code devient une ébauche : sa signature, sa docstring (qui dit
  quoi faire) et ``raise NotImplementedError("À compléter")``. Le reste du code disparaît ; si la
  solution ne définit aucune fonction, une cellule vide « À vous » la remplace.

La cellule qui suit la solution dans la page (``check_<nom>(<nom>)``) reste : elle vérifie la
réponse de l'étudiant. Avec ``--check``, n'écrit rien et échoue si un notebook manque ou n'est plus
à jour. Avec ``--full DOSSIER``, écrit plutôt dans DOSSIER les notebooks complets (solutions
comprises), que ``make test-colab`` exécute.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import jupytext
import nbformat

from myst_markdown import ROOT, plain_markdown

CHAPTERS = ROOT / "chapters"
SOLUTION_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}")
SOLUTION_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}")
TODO = 'raise NotImplementedError("À compléter")'
EMPTY_ANSWER = "# À vous : écrivez ici votre réponse."


def is_notebook_page(path: Path) -> bool:
    """Vrai pour une page MyST exécutable (en-tête jupytext avec un noyau)."""
    if path.suffix != ".md":
        return False
    header = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return header.startswith("---") and "kernelspec:" in header


def notebook_pages() -> list[Path]:
    """Les pages-notebooks de ``chapters/``, dans l'ordre alphabétique."""
    return [path for path in sorted(CHAPTERS.glob("*.md")) if is_notebook_page(path)]


def answer_cells(code: str) -> list[str]:
    """Ce que devient une cellule de solution : l'ébauche de ses fonctions (signature, docstring,
    ``raise NotImplementedError``) et, si elle contient autre chose, une cellule « À vous ».
    Une fonction de solution sans docstring est une erreur : l'ébauche serait muette."""
    lines, stubs, other = code.split("\n"), [], False
    for node in ast.parse(code).body:
        if not isinstance(node, ast.FunctionDef):
            other = other or not isinstance(node, (ast.Import, ast.ImportFrom))
            continue
        if ast.get_docstring(node) is None:
            raise ValueError(f"la fonction de solution {node.name}() n'a pas de docstring : "
                             "c'est elle qui dit à l'étudiant quoi écrire")
        first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        docstring = node.body[0]
        indent = " " * docstring.col_offset
        stubs.append("\n".join(lines[first:docstring.end_lineno] + [indent + TODO]))
    return (["\n\n\n".join(stubs)] if stubs else []) + ([EMPTY_ANSWER] if other else [])


def _markdown(lines: list[str]):
    text = plain_markdown("\n".join(lines))
    return [nbformat.v4.new_markdown_cell(text)] if text else []


def _answer_cells(solution_code: list[str]):
    sources = [source for code in solution_code for source in answer_cells(code)]
    stubs = [source for source in sources if source != EMPTY_ANSWER]
    if EMPTY_ANSWER in sources or not stubs:  # une seule cellule libre, après les ébauches
        stubs.append(EMPTY_ANSWER)
    return [nbformat.v4.new_code_cell(source) for source in stubs]


def student_cells(cells) -> list:
    """Les cellules du notebook étudiant : solutions retirées, fonctions réduites à des ébauches."""
    result, solution_code, in_solution = [], [], False
    for cell in cells:
        if cell.cell_type == "code":
            if in_solution:
                solution_code.append(cell.source)
            else:
                cell.outputs, cell.execution_count = [], None
                result.append(cell)
            continue
        if cell.cell_type != "markdown":
            result.append(cell)
            continue
        kept, lines, index = [], cell.source.split("\n"), 0
        while index < len(lines):
            line = lines[index]
            marker = SOLUTION_START.match(line) or SOLUTION_END.match(line)
            if marker:  # sauter la directive vide : options et ligne de fermeture
                index += 1
                while lines[index].strip() != marker.group(1):
                    index += 1
                if SOLUTION_START.match(line):
                    result += _markdown(kept)
                    kept, in_solution, solution_code = [], True, []
                else:
                    result += _answer_cells(solution_code)
                    in_solution = False
            elif not in_solution:
                kept.append(line)
            index += 1
        result += _markdown(kept)
    if in_solution:
        raise ValueError("{solution-start} sans {solution-end}")
    return result


def render(page: Path) -> str:
    """Le notebook étudiant de ``page``, sérialisé, sans métadonnées d'appariement jupytext."""
    notebook = jupytext.read(page)
    notebook.metadata.pop("jupytext", None)
    try:
        notebook.cells = student_cells(notebook.cells)
    except ValueError as error:
        raise ValueError(f"{page.name} : {error}") from error
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # identifiants stables : le fichier ne change qu'avec la source
    return nbformat.writes(notebook) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="vérifier sans écrire")
    parser.add_argument("--full", type=Path, metavar="DOSSIER", help="notebooks complets")
    args = parser.parse_args()
    if args.full:
        args.full.mkdir(parents=True, exist_ok=True)
        for page in notebook_pages():
            jupytext.write(jupytext.read(page), args.full / f"{page.stem}.ipynb")
        return 0
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
