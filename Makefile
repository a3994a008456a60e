# Deux commandes suffisent sur une machine neuve :
#   make book   crée .venv, installe tout et construit le site en mode complet ;
#   make test   tests unitaires et exécution de chaque notebook (nbval) en mode rapide.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going

.PHONY: book book-fast test bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

## Site complet (MNIST entier), dans _build/html.
book: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)

## Site en mode rapide (AE_FAST=1), dans _build/fast/_build/html, avec son propre cache d'exécution.
book-fast: $(STAMP)
	AE_FAST=1 $(BIN)/jupyter-book build . --path-output _build/fast $(JB_FLAGS)

## Tests unitaires de helpers et exécution de chaque page-notebook par nbval, en mode rapide.
test: $(STAMP)
	AE_FAST=1 $(BIN)/pytest

## Mesures de performance (voir tools/).
bench: $(STAMP)
	$(BIN)/python tools/bench_epoch.py

clean:
	rm -rf _build
