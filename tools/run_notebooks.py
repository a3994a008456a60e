"""Exécute des notebooks avec nbclient, dans l'environnement Python courant, et échoue au premier
notebook dont une cellule lève une erreur. Usage : ``python tools/run_notebooks.py NB.ipynb…``.

``make test-colab`` s'en sert dans un environnement qui n'a que ce que Colab fournit et
``pip install .`` : il prouve que ``pyproject.toml`` déclare tout ce que les notebooks importent.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main(paths: list[str]) -> int:
    if not paths:
        print("Aucun notebook à exécuter.", file=sys.stderr)
        return 2
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as error:
            print(f"ÉCHEC {path.parent.name}/{path.name} :\n{error}", file=sys.stderr)
            return 1
        print(f"ok {path.parent.name}/{path.name} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
