# Deux commandes suffisent sur une machine neuve :
#   make book   crée .venv, installe tout et construit le site en mode complet ;
#   make test   tests unitaires et exécution de chaque notebook (nbval) en mode rapide.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_FLAGS := -n -W --keep-going

COLAB := .venv-colab
COLAB_STAMP := $(COLAB)/.installed
# Interrupteurs lus comme helpers les lit (helpers/environment.py) : mode rapide (AE_FAST=1), dont
# la version « énoncés » réutilise le cache du site rapide, et version sans solutions
# (AE_ENONCES=1) du PDF.
switch = $(shell $(PYTHON) -m helpers.environment $(1))$(if $(filter-out 0,$(.SHELLSTATUS)),\
	$(error $(1) : valeur non comprise, voir le message ci-dessus))
FAST := $(call switch,AE_FAST)
ENONCES := $(call switch,AE_ENONCES)
CACHE_ROOT := $(if $(FAST),_build/fast/_build,_build)
# Dossier de sortie d'une construction : site complet (.), rapide, sans solutions.
BUILD_ROOT := $(if $(ENONCES),_build/enonces$(if $(FAST),-fast),$(if $(FAST),_build/fast,.))
PDF_ROOT := $(BUILD_ROOT)/_build/pdf
PDF := $(PDF_ROOT)/_build/latex/auto-encodeurs.pdf

.PHONY: book book-fast book-enonces pdf test-pdf test test-colab colab-student-notebooks test-site test-enonces \
	notebooks site-index \
	bench long-run results mutation clean

# Le cache d'exécution de Jupyter Book ne regarde que le code des cellules, et Sphinx ne relit que
# les pages dont la source a changé : quand le code de helpers/ change, on vide le cache
# d'exécution et l'environnement Sphinx (.doctrees) du dossier de construction, pour que chaque
# page soit relue et ré-exécutée avec la nouvelle version. L'empreinte est celle de
# helpers.source_hash() (python -m helpers), dont le cache des modèles entraînés se sert aussi.
HELPERS_HASH = $(shell $(BIN)/python -m helpers)
define reset_cache_if_helpers_changed
	@mkdir -p $(1)
	@if [ "$$(cat $(1)/.helpers-hash 2>/dev/null)" != "$(HELPERS_HASH)" ]; then \
		rm -rf $(1)/.jupyter_cache $(1)/.doctrees; echo "$(HELPERS_HASH)" > $(1)/.helpers-hash; fi
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

## Site sans solutions, pour les examens (voir README) : dans _build/enonces/_build/html, ou
## _build/enonces-fast/… avec AE_FAST=1. Réutilise le cache d'exécution du site correspondant.
book-enonces: $(STAMP)
	$(call reset_cache_if_helpers_changed,$(CACHE_ROOT))
	$(call reset_cache_if_helpers_changed,_build/enonces$(if $(FAST),-fast)/_build)
	AE_ENONCES=1 AE_EXECUTION_CACHE=$(abspath $(CACHE_ROOT))/.jupyter_cache \
		$(BIN)/jupyter-book build . --path-output _build/enonces$(if $(FAST),-fast) $(JB_FLAGS)

## Le cours en un seul PDF (XeLaTeX ; paquets TeX Live de Debian installés au besoin) :
## $(PDF), soit _build/pdf/… (mode complet), _build/fast/_build/pdf/… (AE_FAST=1),
## _build/enonces…/_build/pdf/… sans solutions (AE_ENONCES=1). Construit à part (ses propres
## .doctrees et jupyter_execute, que make results relit pour le site), mais avec le cache
## d'exécution du site correspondant : les notebooks ne sont pas ré-exécutés si le site est à jour.
## Le site construit après le PDF le publie (lien « Le cours en PDF » en pied de page).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-lang-french latexmk fonts-freefont-otf poppler-utils librsvg2-bin \
	fonts-dejavu-core
pdf: $(STAMP)
	@if ! command -v xelatex >/dev/null || ! command -v latexmk >/dev/null \
		|| ! command -v pdftoppm >/dev/null || ! command -v rsvg-convert >/dev/null; then \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); fi
	$(call reset_cache_if_helpers_changed,$(CACHE_ROOT))
	$(call reset_cache_if_helpers_changed,$(PDF_ROOT)/_build)
	AE_EXECUTION_CACHE=$(abspath $(CACHE_ROOT))/.jupyter_cache \
		$(BIN)/jupyter-book build . --builder pdflatex --path-output $(PDF_ROOT) $(JB_FLAGS)

## Le PDF construit par `make pdf` (mêmes AE_FAST et AE_ENONCES) : chapitres, renvois résolus,
## figures, bibliographie, solutions ; quelques pages rendues en PNG (pdftoppm) à côté du PDF.
test-pdf: $(STAMP)
	$(BIN)/pytest tests/pdf --pdf $(PDF) $(if $(ENONCES),--enonces)

## Tests unitaires de helpers et exécution de chaque page-notebook par nbval, en mode rapide.
test: $(STAMP)
	AE_FAST=1 $(BIN)/pytest

## Le site construit, dans le Chromium du système (Playwright, hors ligne) : rendu, formules,
## images, solutions repliées, liens Colab, recherche, liens internes ; captures d'écran dans
## le dossier screenshots/ à côté du site. Après `make book-fast` (SITE= pour un autre site).
SITE ?= _build/fast/_build/html
SITE_TESTS ?= tests/site
test-site: $(STAMP)
	$(BIN)/pytest $(SITE_TESTS) --site $(SITE)

## Le site sans solutions, après `make book-enonces` (avec AE_FAST=1 : la variante rapide) :
## liens internes, et aucune solution publiée, ni bloc, ni texte, ni ligne de code.
test-enonces: $(STAMP)
	$(BIN)/pytest tests/site/test_site_links.py tests/site/test_exam_site.py --enonces \
		--site _build/enonces$(if $(FAST),-fast)/_build/html

## Tests de mutation (mutmut, réglé dans pyproject.toml), hors de `make test` : de petites erreurs
## sont introduites une à une dans helpers/ (entraînement, pertes, évaluation, inversion, cache,
## données, mise en forme) et chaque mutant qu'aucun test ne fait échouer est listé par
## tools/mutation.py (DIFF=1 : avec sa modification). Un quart d'heure environ sur un cœur : à
## lancer sur une machine au repos.
## MUTANTS="helpers.report.*" pour un seul module ; MUTATION_CHILDREN= processus en parallèle (1).
MUTATION_CHILDREN ?= 1
mutation: $(STAMP)
	@test -x $(BIN)/mutmut || $(BIN)/python -m pip install --quiet mutmut
	rm -rf mutants
	OMP_NUM_THREADS=1 AE_FAST=1 AE_DATA_DIR=$(abspath $(or $(AE_DATA_DIR),data)) \
		$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/python -m tools.mutation $(if $(DIFF),--diff)

## Environnement « comme Colab » : seulement ce que Colab fournit (tools/colab-requirements.txt)
## et `pip install .`. On y exécute en mode rapide, sans cache de modèles, chaque notebook
## étudiant tel que Colab l'ouvre (ébauches comprises), puis chaque notebook complet (solutions
## comprises) ; `pip install .` est fait une fois, par colab-student-notebooks.
$(COLAB_STAMP): tools/colab-requirements.txt
	rm -rf $(COLAB)
	$(PYTHON) -m venv $(COLAB)
	$(COLAB)/bin/python -m pip install --quiet -r tools/colab-requirements.txt
	touch $@

test-colab: $(STAMP) $(COLAB_STAMP)
	rm -rf _build/colab
	$(MAKE) colab-student-notebooks
	$(BIN)/python -m tools.make_notebooks --full _build/colab/full
	AE_FAST=1 AE_CACHE_DIR=$(abspath _build/colab/checkpoints) \
		$(COLAB)/bin/jupyter execute --timeout=900 _build/colab/full/*.ipynb

## Chaque notebook étudiant versionné, tel que Colab l'ouvre, exécuté en mode rapide par
## l'interpréteur COLAB_PYTHON (et son COLAB_JUPYTER) après `pip install .` : celui de .venv-colab
## pour test-colab, celui de l'image de Colab pour le flux hebdomadaire de GitHub
## (.github/workflows/colab.yml).
COLAB_PYTHON ?= $(COLAB)/bin/python
COLAB_JUPYTER ?= $(COLAB)/bin/jupyter
colab-student-notebooks:
	$(COLAB_PYTHON) -m pip install --quiet .
	rm -rf _build/colab/student && mkdir -p _build/colab/student
	cp chapters/*.ipynb _build/colab/student/
	AE_FAST=1 AE_CACHE_DIR=$(abspath _build/colab/checkpoints) \
		$(COLAB_JUPYTER) execute --timeout=900 _build/colab/student/*.ipynb

## Notebooks étudiants .ipynb (sans sorties ni solutions) à côté des sources MyST, pour Colab.
notebooks: $(STAMP)
	$(BIN)/python -m tools.make_notebooks

## Mesures de performance côte à côte (tools/bench.py) → results/benchmarks.json. Compter un
## quart d'heure : le livre y est construit à froid. BENCH="--only epoch,inversion" pour les
## seules mesures rapides. Puis `make results` (ou python -m tools.collect_results --build _build/bench/_build)
## pour reporter les durées dans results/reference.json.
bench: $(STAMP)
	$(BIN)/python -m tools.bench $(BENCH)

## Entraînement long du réseau 784-1000-500-250-30 de Hinton et Salakhutdinov (TP 2), sans
## pré-entraînement, jusque sous leur erreur 3,00 → results/ae30_dense_long.pt (float16), chargé par
## le TP 2 ; LONG_RUN=conv pour l'auto-encodeur convolutionnel (results/ae30_conv_long.pt),
## LONG_RUN=vae2 pour le VAE de dimension latente 2 que le TP 6 compare au mémoire
## (results/vae2_long.pt). EPOCHS=… au choix.
long-run: $(STAMP)
	$(BIN)/python -m tools.long_run $(if $(LONG_RUN),--model $(LONG_RUN)) $(if $(EPOCHS),--epochs $(EPOCHS))

## Résultats de référence (mode complet) → results/reference.json, que la page resultats.md
## affiche : site complet, collecte des valeurs, puis reconstruction (seule cette page est
## ré-exécutée).
results: book
	$(BIN)/python -m tools.collect_results
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	$(BIN)/python -m tools.make_notebooks

## Index des cibles du site (numéros des équations, énoncés, exercices, figures) → results/site-index.json,
## depuis le site rapide, puis notebooks étudiants : après l'ajout ou le déplacement d'une étiquette.
site-index: book-fast
	$(BIN)/python -m tools.collect_results --index-only --build _build/fast/_build
	$(BIN)/python -m tools.make_notebooks

clean:
	rm -rf _build
