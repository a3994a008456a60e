"""Les notebooks étudiants .ipynb ouverts par le bouton Colab suivent leurs sources MyST, n'ont ni
sorties ni solutions, et chaque fonction à écrire y est suivie de sa vérification."""

import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from make_notebooks import TODO, notebook_pages, student_cells  # noqa: E402
from myst_markdown import plain_markdown  # noqa: E402

from course_solutions import solution_code_lines  # noqa: E402

STUDENT_NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _cells(path: Path, kind: str) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == kind]


def test_every_notebook_page_has_a_student_notebook():
    assert [p.with_suffix(".ipynb") for p in notebook_pages()] == STUDENT_NOTEBOOKS


def test_committed_notebooks_match_their_sources():
    result = subprocess.run([sys.executable, "tools/make_notebooks.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_have_no_outputs(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_contain_plain_markdown_only(path):
    """Jupyter et Colab n'interprètent pas MyST : ni directive, ni rôle, ni cible ne doit rester."""
    myst = ("```{", ":::{", "{glue", "{doc}", "{eq}", "{prf:", "{cite", "{ref}", "{numref}", ")=\n",
            "%s", "{number}")
    for text in _cells(path, "markdown"):
        assert not [m for m in myst if m in text + "\n"], text[:200]


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_are_numbered_from_one_as_on_the_site(path):
    numbers = [int(n) for text in _cells(path, "markdown")
               for n in re.findall(r"^\*\*Exercice (\d+)", text, re.MULTILINE)]
    source = path.with_suffix(".md").read_text(encoding="utf-8")
    assert numbers == list(range(1, source.count("{exercise}") + 1))


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_student_notebooks_contain_no_solution(page):
    solution_code = solution_code_lines(page)
    notebook = page.with_suffix(".ipynb")
    student_code = "\n".join(_cells(notebook, "code"))
    leaked = [line for line in solution_code if line in student_code]
    assert not leaked, f"code de solution dans {notebook.name} : {leaked[:3]}"
    markdown = "\n".join(_cells(notebook, "markdown"))
    assert "**Solution" not in markdown


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stub_is_followed_by_its_check(path):
    code = _cells(path, "code")
    for index, source in enumerate(code):
        if TODO not in source:  # fonction ordinaire, hors solution
            continue
        following = "\n".join(code[index + 1:index + 3])
        checked = set(re.findall(r"check_(\w+)\((\w+)\)", following))
        checked = {name for check, name in checked if check == name}
        for call in re.findall(r"check_all\(([^)]*)\)", following):
            checked.update(name.strip() for name in call.split(","))
        for name in re.findall(r"^def (\w+)\(", source, re.M):
            assert name in checked, f"{path.name} : {name} sans vérification"


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_a_check_cell_checks_every_function_in_one_call(page):
    """Une cellule qui vérifie plusieurs fonctions le fait par un seul check_all(...), qui donne le
    verdict de chacune (des appels check_… successifs s'arrêteraient au premier échec)."""
    for cell in jupytext.read(page).cells:
        calls = re.findall(r"^check_\w+\(", cell.source, re.MULTILINE)
        assert len(calls) <= 1, f"{page.name} : {len(calls)} vérifications dans une cellule"


SYNTHETIC_PAGE = '''Texte.

```{exercise} Une moyenne
:label: ex-mean
Écrivez `mean(x)`.
```

```{solution-start} ex-mean
:class: dropdown
```
On somme puis on divise.
'''


def _page(*cells):
    return [nbformat.v4.new_markdown_cell(c) if isinstance(c, str) else c for c in cells]


def test_student_cells_turn_solutions_into_stubs():
    solution = nbformat.v4.new_code_cell(
        'import math\n\n\ndef mean(x):\n    """Moyenne de x."""\n    return sum(x) / len(x)\n\n\n'
        'print(mean([1, 2]))')
    check = nbformat.v4.new_code_cell("check_mean(mean)")
    cells = student_cells(_page(SYNTHETIC_PAGE, solution,
                                "```{solution-end}\n```\n\nSuite.", check))
    sources = [c.source for c in cells]
    assert sources[0].startswith("Texte.\n\n**Exercice — Une moyenne.**")
    assert "On somme" not in sources[0]
    assert sources[1] == f'def mean(x):\n    """Moyenne de x."""\n    {TODO}'
    assert sources[2] == "# À vous : écrivez ici votre réponse."
    assert sources[3:] == ["Suite.", "check_mean(mean)"]


def test_student_cells_reject_a_solution_function_without_docstring():
    solution = nbformat.v4.new_code_cell("def mean(x):\n    return sum(x) / len(x)")
    with pytest.raises(ValueError, match="docstring"):
        student_cells(_page(SYNTHETIC_PAGE, solution, "```{solution-end}\n```"))


def test_plain_markdown_conversion():
    source = ("(tp)=\n```{exercise} Titre\n:label: ex-1\n\nVoir {doc}`le TP 2 <tp2>` et "
              "{cite:t}`hinton2006` ({prf:ref}`thm-eckart-young`) ; valeur {glue:md}`x`.\n```\n$$\nx\n$$ (eq-a)\n"
              "````{solution} ex-1\n:class: dropdown\n```{math}\ny\n```\nSecret.\n````\n"
              ":::{admonition} Indice\n:class: dropdown\nPensez-y.\n:::")
    assert plain_markdown(source) == (
        "**Exercice — Titre.**\n\nVoir le TP 2 et Hinton et Salakhutdinov (2006) (le théorème du cours) ; valeur ….\n"
        "$$\nx\n$$\n<details><summary>Indice</summary>\n\nPensez-y.\n\n</details>")
