"""Écrit, à côté de chaque page-notebook MyST de ``chapters/``, le notebook étudiant ``.ipynb`` que
le bouton Colab ouvre. Usage : ``python -m tools.make_notebooks [--check | --full DOSSIER]``.

Le notebook étudiant dit ce que dit la page, en Markdown ordinaire (voir ``student_markdown``) :
nombres (valeurs de référence du site complet), légendes numérotées sous chaque figure, liens vers
le site pour chaque renvoi et chaque citation. Il commence par une note qui le situe et une cellule
qui installe ``helpers`` sur Colab. Chaque solution est retirée :

- une solution ``{solution}`` (texte seul) laisse une cellule « Votre réponse » en Markdown ;
- dans une solution ``{solution-start}`` … ``{solution-end}``, chaque fonction définie devient une
  ébauche (signature, docstring qui dit quoi faire, ``raise NotImplementedError``) ; le reste du
  code laisse une cellule « À vous », le texte une cellule « Votre réponse » ; les figures et
  tableaux que la solution produit sont offerts, repliés, en « Résultat attendu ».

La cellule qui suit la solution dans la page (``check_<nom>(<nom>)``) reste : elle vérifie la
réponse. Avec ``--check``, n'écrit rien et échoue si un notebook manque ou n'est plus à jour. Avec
``--full DOSSIER``, écrit plutôt dans DOSSIER les notebooks complets (solutions comprises), que
``make test-colab`` exécute.
"""

from __future__ import annotations

import argparse
import ast
import base64
import sys
from pathlib import Path

import jupytext
import nbformat

from tools import myst
from tools.course_data import ROOT, CourseData, install_requirement, site_url
from tools.student_markdown import ANSWER, Answer, StudentMarkdown, caption_cell_text
from tools.typography import french_spacing, french_spacing_markdown

CHAPTERS = ROOT / "chapters"
TODO = 'raise NotImplementedError("À compléter")'
EMPTY_ANSWER = "# À vous : écrivez ici votre code."
INSTALL_TEXT = french_spacing(
    "**Installation.** Sur Google Colab, la cellule suivante installe le paquet `helpers` du "
    "cours (modèles, entraînement, vérifications des exercices) ; ailleurs, elle vérifie seulement "
    "qu'il est installé. Exécutez-la en premier.")
INSTALL_CODE = '''import sys

if "google.colab" in sys.modules:
    %pip install --quiet "{requirement}"
try:
    import helpers
except ModuleNotFoundError:
    raise RuntimeError(
        "Le paquet helpers du cours n'est pas installé. Sur Colab, vérifiez que la session est "
        "connectée à Internet, puis relancez cette cellule ; si l'erreur persiste, choisissez "
        "« Exécution > Déconnecter et supprimer l'environnement d'exécution » et recommencez. "
        "Ailleurs, installez-le dans l'environnement du noyau : "
        "pip install \\"{requirement}\\""
    ) from None'''


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


def figure_caption(cell) -> tuple[str, str] | None:
    """(étiquette, légende) d'une cellule de code qui trace une figure légendée (``mystnb``)."""
    figure = cell.metadata.get("mystnb", {}).get("figure", {})
    return (figure["name"], figure["caption"]) if figure.get("caption") else None


class Solution:
    """Ce qu'une solution ``{solution-start}`` … ``{solution-end}`` a contenu."""

    def __init__(self, label: str):
        self.label, self.code, self.prose = label, [], False
        self.captions: list[tuple[int, tuple[str, str]]] = []  # (rang de la cellule, légende)


class StudentNotebook:
    """Le notebook étudiant d'une page-notebook."""

    def __init__(self, page: Path, data: CourseData | None = None):
        self.page = page
        self.data = data or CourseData(page.stem)
        self.markdown = StudentMarkdown(self.data)
        self.source = jupytext.read(page)
        self.cells: list = []
        self.glued_captions = self._glued_captions()

    def _glued_captions(self) -> dict[str, str]:
        """Légende de chaque ``{glue:figure}`` de la page, par nom de la figure glued."""
        captions = {}
        for cell in self.source.cells:
            if cell.cell_type != "markdown":
                continue
            for block in myst.blocks(cell.source):
                if block.kind == "directive" and block.name == "glue:figure":
                    number = self.data.number(block.options["name"])
                    captions[block.argument] = caption_cell_text(
                        number, self.markdown.inline(block.body))
        return captions

    # Cellules ----------------------------------------------------------------------------------

    def _add_markdown(self, source: str) -> None:
        converted = self.markdown.cell(source)
        for part in converted.parts:
            if isinstance(part, Answer):
                self.cells.append(nbformat.v4.new_markdown_cell(ANSWER))
                continue
            cell = nbformat.v4.new_markdown_cell(part)
            used = {name: data for name, data in converted.attachments.items()
                    if f"attachment:{name}" in part}
            if used:
                cell.attachments = used
            self.cells.append(cell)

    def _add_code(self, cell) -> None:
        cell.outputs, cell.execution_count = [], None
        caption = figure_caption(cell)
        cell.metadata.pop("mystnb", None)
        self.cells.append(cell)
        if caption:
            self.cells.append(nbformat.v4.new_markdown_cell(caption_cell_text(
                self.data.number(caption[0]), self.markdown.inline(caption[1]))))
        for name, text in self.glued_captions.items():
            if f'glue_figure("{name}"' in cell.source:
                self.cells.append(nbformat.v4.new_markdown_cell(text))

    def _close_solution(self, solution: Solution) -> None:
        sources = [s for code in solution.code for s in answer_cells(code)]
        stubs = [s for s in sources if s != EMPTY_ANSWER]
        if EMPTY_ANSWER in sources or not (stubs or solution.prose):
            stubs.append(EMPTY_ANSWER)  # une seule cellule libre, après les ébauches
        self.cells += [nbformat.v4.new_code_cell(source) for source in stubs]
        if solution.prose:
            self.cells.append(nbformat.v4.new_markdown_cell(ANSWER))
        expected = self._expected(solution)
        if expected:
            self.cells.append(expected)

    def _expected(self, solution: Solution):
        """Cellule repliée « Résultat attendu » : figures (jointes) et tableaux de la solution."""
        files = self.data.expected(solution.label)
        if not files:
            return None
        parts, attachments = [], {}
        captions = dict(solution.captions)
        for path in files:
            if path.suffix == ".png":
                attachments[path.name] = {"image/png": base64.b64encode(path.read_bytes()).decode()}
                parts.append(f"![Résultat attendu](attachment:{path.name})")
                cell_index = int(path.stem.rsplit("-", 2)[-2])
                if cell_index in captions:
                    label, caption = captions.pop(cell_index)
                    parts.append(caption_cell_text(self.data.number(label),
                                                   self.markdown.inline(caption)))
            else:
                parts.append(path.read_text(encoding="utf-8").strip())
        cell = nbformat.v4.new_markdown_cell(
            "<details><summary>Résultat attendu (solution du cours, mode complet)</summary>\n\n"
            + "\n\n".join(parts) + "\n\n</details>")
        cell.attachments = attachments
        return cell

    def build(self):
        """Le notebook étudiant (``nbformat``), sans sorties ni solutions."""
        solution = None
        for cell in self.source.cells:
            if cell.cell_type == "code":
                if solution is None:
                    self._add_code(cell)
                else:
                    if figure_caption(cell):
                        solution.captions.append((len(solution.code), figure_caption(cell)))
                    solution.code.append(cell.source)
                continue
            kept = []
            for block in myst.blocks(cell.source):
                marker = myst.solution_marker(block)
                if marker == "solution-start":
                    self._add_markdown("\n".join(kept))
                    kept, solution = [], Solution(block.argument)
                elif marker == "solution-end":
                    self._close_solution(solution)
                    solution = None
                elif solution is None:
                    kept.append(block.text)
                elif block.text.strip():
                    solution.prose = True
            self._add_markdown("\n".join(kept))
        if solution is not None:
            raise ValueError(f"{self.page.name} : {{solution-start}} sans {{solution-end}}")
        self._add_front_matter()
        notebook = self.source
        notebook.cells = self.cells
        notebook.metadata.pop("jupytext", None)
        notebook.metadata["language_info"] = {"name": "python"}
        notebook.metadata["colab"] = {"name": f"{self.page.stem}.ipynb", "provenance": [],
                                      "toc_visible": True}
        for index, cell in enumerate(notebook.cells):
            cell.id = f"cell-{index}"  # identifiants stables : le fichier ne change qu'avec la source
            if cell.cell_type == "markdown":  # typographie française, comme sur le site
                cell.source = french_spacing_markdown(cell.source)
        return notebook

    def _add_front_matter(self) -> None:
        """La note d'en-tête (sous le titre) et la cellule d'installation, avant le premier code et
        les cellules de texte qui le précèdent immédiatement, sauf la première."""
        title = self.data.page_title(self.data.docname)
        note = (f"> Notebook à compléter de la page [{title}]({self.data.url(self.data.docname)}) "
                "du cours « Auto-encodeurs ». Les nombres **en gras** dans le texte sont les "
                "valeurs de référence du cours, calculées en mode complet sur CPU ; votre exécution "
                "peut donner des valeurs un peu différentes (mode rapide, GPU, autre graine). "
                f"Les liens mènent au [site du cours]({site_url()}), où sont la théorie et les "
                "solutions.")
        markdown = "\n".join(c.source for c in self.source.cells if c.cell_type == "markdown")
        if "{solution-start}" in markdown:
            note += ("\n>\n> Sous chaque exercice, une cellule vous attend : une ébauche de "
                     "fonction à compléter, une cellule « À vous » pour votre code ou une cellule "
                     "« Votre réponse » pour votre texte. Une cellule de vérification suit chaque "
                     "fonction à écrire : elle affiche ✅ si la fonction est juste et dit ce qui ne "
                     "va pas sinon.")
        elif "{exercise}" in markdown:
            note += ("\n>\n> Sous chaque exercice, une cellule « Votre réponse » vous attend "
                     "pour votre rédaction ; les solutions sont sur le site du cours.")
        first = self.cells[0]
        lines = first.source.split("\n")
        heading = next(i for i, line in enumerate(lines) if line.startswith("# "))
        first.source = "\n".join(lines[:heading + 1] + ["", note, ""] + lines[heading + 1:]).strip()
        position = next(i for i, cell in enumerate(self.cells) if cell.cell_type == "code")
        while position > 1 and self.cells[position - 1].cell_type == "markdown":
            position -= 1  # avant le texte qui présente ce premier code (le quiz d'un TP)
        self.cells[position:position] = [
            nbformat.v4.new_markdown_cell(INSTALL_TEXT),
            nbformat.v4.new_code_cell(INSTALL_CODE.format(requirement=install_requirement())),
        ]


def render(page: Path) -> str:
    """Le notebook étudiant de ``page``, sérialisé."""
    try:
        notebook = StudentNotebook(page).build()
    except (ValueError, LookupError) as error:
        raise SystemExit(f"{page.name} : {error}") from error
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
