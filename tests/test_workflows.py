"""Les flux GitHub Actions (publication du site, notebooks dans l'image de Colab) et le formulaire
d'erratum ne s'exécutent pas ici : on vérifie qu'ils sont valides (schémas publiés, vendus avec
check-jsonschema) et qu'ils n'appellent que des cibles du Makefile que l'intégration continue du
dépôt (.ci/run) exécute aussi."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ISSUE_FORMS = sorted((ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
MAKE_CALL = re.compile(r"\bmake ([a-z][\w-]*)")
# `make book` est `make book-fast` sans AE_FAST=1 : même recette, sur MNIST entier.
FULL_VARIANTS = {"book": "book-fast"}


def _valid(path: Path, schema: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                           str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_follows_githubs_schema(path):
    result = _valid(path, "vendor.github-workflows")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_form_follows_githubs_schema(path):
    result = _valid(path, "vendor.github-issue-forms")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_refuses_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  build:\n    steps: []\n", encoding="utf-8")
    assert _valid(broken, "vendor.github-workflows").returncode != 0  # runs-on manque


def _targets_run_by_ci() -> set[str]:
    """Les cibles de .ci/run, et celles qu'elles lancent par $(MAKE)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(MAKE_CALL.findall((ROOT / ".ci" / "run").read_text(encoding="utf-8")))
    for target in list(targets):
        recipe = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)*)", makefile, re.M)
        targets |= set(re.findall(r"\$\(MAKE\) ([\w-]+)", recipe.group(1))) if recipe else set()
    return targets


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_runs_only_make_targets_that_ci_runs_here(path):
    steps = [step for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values()
             for step in job.get("steps", [])]
    called = {target for step in steps for target in MAKE_CALL.findall(step.get("run", ""))}
    assert called, f"{path.name} n'appelle aucune cible du Makefile"
    unknown = {FULL_VARIANTS.get(target, target) for target in called} - _targets_run_by_ci()
    assert not unknown, f"cibles que .ci/run n'exécute pas : {sorted(unknown)}"
