"""L'index des cibles que les notebooks étudiants utilisent pour leurs liens (``results/site-index.json``,
versionné) est celui du site construit : sinon, un numéro d'équation ou d'exercice des notebooks
serait faux."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_committed_site_index_matches_the_built_site(site_dir):
    built = json.loads((site_dir / "course-index.json").read_text(encoding="utf-8"))
    committed = json.loads((ROOT / "results" / "site-index.json").read_text(encoding="utf-8"))
    stale = sorted(label for label in built["labels"].keys() | committed["labels"].keys()
                   if built["labels"].get(label) != committed["labels"].get(label))
    assert not stale, ("results/site-index.json n'est plus celui du site (lancez `make site-index`) : "
                       + ", ".join(stale[:10]))
    assert built == committed, "results/site-index.json n'est plus celui du site : make site-index"
