"""Les notebooks étudiants .ipynb ouverts par le bouton Colab suivent leurs sources MyST, n'ont ni
sorties ni solutions, et chaque fonction à écrire y est suivie de sa vérification."""

import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from course_solutions import solution_code_lines
from tools.make_notebooks import TODO, notebook_pages

ROOT = Path(__file__).resolve().parent.parent

STUDENT_NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _cells(path: Path, kind: str) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == kind]


def test_every_notebook_page_has_a_student_notebook():
    assert [p.with_suffix(".ipynb") for p in notebook_pages()] == STUDENT_NOTEBOOKS


def test_committed_notebooks_match_their_sources():
    result = subprocess.run([sys.executable, "-m", "tools.make_notebooks", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_have_no_outputs(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


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
