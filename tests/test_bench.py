"""Le banc d'essai du VAE (tools/bench.py, mesure ``vae``) mesure bien la recette du TP 5 : mêmes
réglages que l'appel à fit_cached du TP, lus dans sa source."""

import ast
from pathlib import Path

import jupytext

from tools import bench

TP5 = Path(__file__).resolve().parent.parent / "chapters" / "tp5_vae.md"


def tp5_training_cell() -> ast.Module:
    """La cellule de code du TP 5 qui entraîne les VAE ``tp5-vae-…``."""
    for cell in jupytext.read(TP5).cells:
        if cell.cell_type == "code" and 'f"tp5-vae-{latent}"' in cell.source:
            return ast.parse(cell.source)
    raise AssertionError("cellule d'entraînement des VAE introuvable dans le TP 5")


def test_bench_uses_the_tp5_recipe():
    tree = tp5_training_cell()
    calls = {node.func.id: node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    options = {k.arg: ast.literal_eval(k.value) for k in calls["fit_cached"].keywords
               if k.arg in bench.VAE_RECIPE}
    assert options == bench.VAE_RECIPE
    assert "init_output_bias" in calls
    hidden = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "HIDDEN")
    assert hidden[20] == bench.VAE_HIDDEN


def test_bench_trains_as_many_epochs_as_the_tp5():
    for cell in jupytext.read(TP5).cells:
        if cell.cell_type != "code" or "EPOCHS = " not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "EPOCHS":
                assert ast.literal_eval(node.value.args[0]) == bench.VAE_EPOCHS  # config.pick(complet, rapide)
                return
    raise AssertionError("EPOCHS introuvable dans le TP 5")


def test_tp6_reloads_the_tp5_vae_instead_of_training_another():
    """Le cache de modèles ne recharge le VAE du TP 5 dans le TP 6 que si l'appel est le même."""
    tp6 = TP5.with_name("tp6_inversion.md")
    cell = next(ast.parse(c.source) for c in jupytext.read(tp6).cells
                if c.cell_type == "code" and '"tp5-vae-2"' in c.source)
    call = next(node for node in ast.walk(cell) if isinstance(node, ast.Call)
                and ast.unparse(node.func) == "fit_cached")
    options = {k.arg: k.value for k in call.keywords}
    assert {k: ast.literal_eval(options[k]) for k in bench.VAE_RECIPE} == bench.VAE_RECIPE
    assert ast.literal_eval(options["epochs"].args[0]) == bench.VAE_EPOCHS
    assert "init_output_bias(vae" in ast.unparse(cell)
