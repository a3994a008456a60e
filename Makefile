# Deux commandes suffisent sur une machine neuve :
#   make book   crée .venv, installe tout et construit le site en mode complet ;
#   make test   tests unitaires et exécution de chaque notebook (nbval) en mode rapide.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going

.PHONY: book book-fast test notebooks bench clean

# Le cache d'exécution de Jupyter Book ne regarde que le code des cellules : on le vide quand le
# code de helpers/ change, pour que les pages soient ré-exécutées avec la nouvelle version.
HELPERS_HASH = $(shell cat helpers/*.py | sha256sum | cut -c1-16)
define reset_cache_if_helpers_changed
	@mkdir -p $(1)
	@if [ "$$(cat $(1)/.helpers-hash 2>/dev/null)" != "$(HELPERS_HASH)" ]; then \
		rm -rf $(1)/.jupyter_cache; echo "$(HELPERS_HASH)" > $(1)/.helpers-hash; fi
endef

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

## Site complet (MNIST entier), dans _build/html.
book: $(STAMP)
	$(call reset_cache_if_helpers_changed,_build)
	$(BIN)/jupyter-book build . $(JB_FLAGS)

## Site en mode rapide (AE_FAST=1), dans _build/fast/_build/html, avec son propre cache d'exécution.
book-fast: $(STAMP)
	$(call reset_cache_if_helpers_changed,_build/fast/_build)
	AE_FAST=1 $(BIN)/jupyter-book build . --path-output _build/fast $(JB_FLAGS)

## Tests unitaires de helpers et exécution de chaque page-notebook par nbval, en mode rapide.
test: $(STAMP)
	AE_FAST=1 $(BIN)/pytest

## Notebooks .ipynb (sans sorties) à côté des sources MyST, ouverts par le bouton Colab.
notebooks: $(STAMP)
	$(BIN)/python tools/make_notebooks.py

## Mesures de performance (voir tools/).
bench: $(STAMP)
	$(BIN)/python tools/bench_epoch.py

clean:
	rm -rf _build
