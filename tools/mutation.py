"""Bilan des tests de mutation (``make mutation``) : pour chaque module de ``helpers`` muté par
mutmut, le nombre de mutants tués, survivants, sans test, hors délai, et la part de mutants tués ;
puis le nom de chaque survivant. Usage : ``python -m tools.mutation [--diff]`` à la racine du dépôt,
après ``mutmut run`` ; ``--diff`` montre aussi la modification de chaque survivant (``mutmut show``),
pour juger s'il est équivalent (aucun test ne peut le voir) ou s'il manque un test.

Les résultats sont lus dans ``mutants/helpers/*.py.meta``, où mutmut range le code de sortie de
pytest pour chaque mutant (1 : un test a échoué, le mutant est tué ; 0 : tous les tests passent).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"

STATUS = {1: "tué", 3: "tué", 0: "survivant", 5: "sans test", 33: "sans test", 34: "ignoré",
          36: "hors délai", 24: "hors délai", -24: "hors délai", 152: "hors délai",
          255: "hors délai", 37: "typage", None: "non testé"}
COLUMNS = ["tué", "hors délai", "survivant", "sans test", "non testé", "autre"]


def status(exit_code: int | None) -> str:
    return STATUS.get(exit_code, "autre")  # signal, plantage : à regarder de près


def results() -> dict[str, dict[str, str]]:
    """{module : {mutant : statut}} d'après les fichiers .meta de mutmut."""
    found = {}
    for meta in sorted(MUTANTS.glob("helpers/**/*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        module = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        found[module] = {name: status(code) for name, code in codes.items()}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diff", action="store_true", help="montrer la modification de chaque survivant")
    args = parser.parse_args()
    found = results()
    if not found:
        print("Aucun résultat dans mutants/ : lancez d'abord `make mutation`.", file=sys.stderr)
        return 1
    print(f"{'module':<26}" + "".join(f"{c:>12}" for c in COLUMNS) + f"{'tués':>8}")
    total = Counter()
    for module, statuses in found.items():
        counts = Counter(s if s in COLUMNS else "autre" for s in statuses.values())
        total.update(counts)
        print(f"{module:<26}" + "".join(f"{counts[c]:>12}" for c in COLUMNS) + f"{score(counts):>8}")
    print(f"{'total':<26}" + "".join(f"{total[c]:>12}" for c in COLUMNS) + f"{score(total):>8}")
    print("\n« tués » : (tués + hors délai) / mutants testés ; un mutant « sans test » n'est appelé "
          "par aucun des tests choisis (pyproject.toml) : il compte comme non tué.")
    survivors = [name for statuses in found.values() for name, s in statuses.items()
                 if s in ("survivant", "sans test", "autre")]
    if survivors:
        print(f"\nNon tués ({len(survivors)}) :")
    mutmut = Path(sys.executable).parent / "mutmut"
    for name in survivors:
        print(f"  {name} ({next(s[name] for s in found.values() if name in s)})")
        if args.diff:
            shown = subprocess.run([str(mutmut), "show", name], cwd=ROOT, capture_output=True, text=True)
            print("\n".join("      " + line for line in shown.stdout.splitlines()[1:]))
    return 0


def score(counts: Counter) -> str:
    tested = sum(counts[c] for c in ("tué", "hors délai", "survivant", "sans test", "autre"))
    return f"{100 * (counts['tué'] + counts['hors délai']) / tested:.0f} %" if tested else "–"


if __name__ == "__main__":
    sys.exit(main())
