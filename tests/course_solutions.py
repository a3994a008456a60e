"""Les fonctions des solutions du cours, telles que les pages les écrivent : chaque page-notebook
est lue par jupytext, sa cellule d'imports exécutée, puis chaque définition de fonction."""

import ast
import re
from functools import lru_cache
from pathlib import Path

import jupytext
from IPython.core.inputtransformer2 import TransformerManager

from tools import myst
from tools.make_notebooks import notebook_pages

ROOT = Path(__file__).resolve().parent.parent


def is_setup_cell(source: str) -> bool:
    """La cellule d'imports d'une page : la première qui importe de helpers, hors cellule du quiz
    (qui la précède dans un TP)."""
    return "from helpers" in source and "show_quiz(" not in source


@lru_cache(maxsize=None)
def page_solutions(page: str) -> dict:
    """Les fonctions définies dans ``chapters/<page>.md``, dans l'espace de noms de sa cellule
    d'imports (donc avec ``device``, ``F``, ``torch``… comme dans le notebook)."""
    cells = [TransformerManager().transform_cell(c.source)  # « %pip » → Python
             for c in jupytext.read(ROOT / "chapters" / f"{page}.md").cells
             if c.cell_type == "code"]
    namespace: dict = {}
    exec(next(c for c in cells if is_setup_cell(c)), namespace)  # noqa: S102
    for source in cells:
        functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
        exec(compile(ast.Module(functions, []), page, "exec"), namespace)  # noqa: S102
    return namespace


@lru_cache(maxsize=1)
def all_solutions() -> dict:
    """Toutes les fonctions définies par les pages-notebooks, par nom."""
    result = {}
    for page in notebook_pages():
        namespace = page_solutions(page.stem)
        source = page.read_text(encoding="utf-8")
        result.update({name: value for name, value in namespace.items()
                       if callable(value) and f"def {name}(" in source})
    return result


def solution_code_lines(page: Path) -> set[str]:
    """Lignes de code propres aux solutions de la page (hors signatures et docstrings des fonctions
    à écrire, qui restent dans les ébauches, et hors lignes présentes ailleurs dans la page)."""
    inside, outside, in_solution = set(), set(), False
    for cell in jupytext.read(page, fmt="md:myst").cells:
        if cell.cell_type == "markdown":
            for block in myst.blocks(cell.source):
                marker = myst.solution_marker(block)
                in_solution = marker == "solution-start" if marker else in_solution
            continue
        lines = cell.source.split("\n")
        kept = set(range(len(lines)))
        if in_solution:
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef):  # signature et docstring restent
                    kept -= set(range(node.lineno - 1, node.body[0].end_lineno))
        target = inside if in_solution else outside
        target.update(lines[i].strip() for i in kept if len(lines[i].strip()) > 12)
    return inside - outside


PLAIN_FRAGMENT = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ ,;:.]{40,}")
MARKUP = re.compile(r"\$[^$]*\$|\{[^}]*\}`[^`]*`|`[^`]*`|\*\*?")


def solution_prose(page: Path) -> set[str]:
    """Des morceaux de texte des solutions rédigées de la page (``{solution}`` et texte entre
    ``{solution-start}`` et ``{solution-end}``), sans balisage : coupés à chaque signe que le rendu
    pourrait changer (maths, rôles, apostrophes, guillemets), assez longs, et absents du reste de
    la page (un énoncé peut répéter une phrase de sa solution)."""
    inside, outside, in_solution = [], [], False
    text = page.read_text(encoding="utf-8")
    if text.startswith("---\n"):  # en-tête jupytext des pages-notebooks
        text = text.split("\n---\n", 1)[1]
    for block in myst.blocks(text):
        marker = myst.solution_marker(block)
        if marker:
            in_solution = marker == "solution-start"
        elif block.kind == "directive" and block.name == "solution":
            inside += block.body.split("\n")
        elif not (block.kind == "directive" and block.name == "code-cell"):
            (inside if in_solution else outside).extend(block.text.split("\n"))
    inside, outside = ([MARKUP.sub("|", line) for line in lines
                        if not line.startswith((":", "```", "    ", "#", "def ", "|"))]
                       for lines in (inside, outside))
    elsewhere = re.sub(r"\s+", " ", " ".join(outside))
    fragments = {f.strip(" ,;:.") for line in inside for f in PLAIN_FRAGMENT.findall(line)}
    return {f for f in fragments if len(f) > 40 and f not in elsewhere}
