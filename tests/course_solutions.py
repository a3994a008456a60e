"""Les fonctions des solutions du cours, telles que les pages les écrivent : chaque page-notebook
est lue par jupytext, sa cellule d'imports exécutée, puis chaque définition de fonction."""

import ast
import sys
from functools import lru_cache
from pathlib import Path

import jupytext
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from make_notebooks import notebook_pages  # noqa: E402


@lru_cache(maxsize=None)
def page_solutions(page: str) -> dict:
    """Les fonctions définies dans ``chapters/<page>.md``, dans l'espace de noms de sa cellule
    d'imports (donc avec ``device``, ``F``, ``torch``… comme dans le notebook)."""
    cells = [TransformerManager().transform_cell(c.source)  # « %pip » → Python
             for c in jupytext.read(ROOT / "chapters" / f"{page}.md").cells
             if c.cell_type == "code"]
    namespace: dict = {}
    exec(next(c for c in cells if "from helpers" in c), namespace)  # noqa: S102
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
