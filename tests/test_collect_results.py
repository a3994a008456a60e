"""``tools.collect_results`` relit les sorties d'une page que la construction n'a pas réexécutée
dans le cache d'exécution, et refuse une page sans sorties absente du cache (au lieu d'effacer ses
résultats attendus)."""

import nbformat
import pytest
from jupyter_cache import get_cache

from tools import collect_results


def page(executed: bool) -> nbformat.NotebookNode:
    """Une page avec une solution qui affiche un tableau, exécutée ou non."""
    outputs = [nbformat.v4.new_output("display_data", {"text/html": "<table><tr><td>2</td></tr></table>"})]
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{solution-start} ex-table\n```"),
        nbformat.v4.new_code_cell("show(1 + 1)", execution_count=1 if executed else None,
                                  outputs=outputs if executed else []),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ])


@pytest.fixture
def build(tmp_path):
    """Un dossier de construction : le cache connaît la page exécutée, ``jupyter_execute`` n'en a
    que la version sans sorties."""
    nbformat.write(page(executed=True), tmp_path / "executed.ipynb")
    get_cache(tmp_path / ".jupyter_cache").cache_notebook_file(tmp_path / "executed.ipynb")
    nbformat.write(page(executed=False), tmp_path / "page.ipynb")
    return tmp_path


def test_outputs_missing_from_the_page_come_from_the_cache(build):
    notebook = collect_results.executed_notebook(build / "page.ipynb", build)
    assert collect_results.expected_results(notebook) == {
        "ex-table-00-00.html": "<table><tr><td>2</td></tr></table>\n"}


def test_a_page_with_outputs_is_read_as_it_is(build):
    nbformat.write(page(executed=True), build / "page.ipynb")
    (build / ".jupyter_cache").rename(build / "elsewhere")
    notebook = collect_results.executed_notebook(build / "page.ipynb", build)
    assert notebook.cells[1].outputs


def test_a_page_without_outputs_nor_cache_entry_is_refused(build):
    bare = page(executed=False)
    bare.cells[1].source = "show(2 + 2)"  # une autre cellule : aucune entrée du cache ne correspond
    nbformat.write(bare, build / "page.ipynb")
    with pytest.raises(collect_results.MissingValue, match="aucune sortie"):
        collect_results.executed_notebook(build / "page.ipynb", build)
