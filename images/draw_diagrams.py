"""Schémas statiques du cours « Auto-encodeurs ».

Chaque schéma est produit par une fonction sans argument qui renvoie une figure
matplotlib ; le dictionnaire ``DIAGRAMMES`` associe à chacune le nom du fichier
SVG écrit dans le dossier de ce script. Pour ajouter un schéma (par exemple
celui de l'auto-encodeur variationnel), il suffit d'écrire une nouvelle fonction
et de l'enregistrer dans ``DIAGRAMMES``.

Utilisation ::

    python images/draw_diagrams.py                  # tous les schémas, en SVG
    python images/draw_diagrams.py autoencodeur     # un seul schéma
    python images/draw_diagrams.py --png /tmp/apercu  # copie PNG pour relecture

La sortie SVG est déterministe (identifiants internes salés par une constante,
pas de date dans les métadonnées, texte converti en chemins) : relancer le
script sur la même version de matplotlib redonne les mêmes fichiers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import (  # noqa: E402
    FancyArrowPatch,
    FancyBboxPatch,
    Polygon,
    Rectangle,
)

DOSSIER = Path(__file__).resolve().parent

# Palette d'Okabe et Ito, lisible par les personnes daltoniennes.
OKABE_ITO = {
    "orange": "#E69F00",
    "bleu_ciel": "#56B4E9",
    "vert": "#009E73",
    "jaune": "#F0E442",
    "bleu": "#0072B2",
    "vermillon": "#D55E00",
    "pourpre": "#CC79A7",
    "noir": "#000000",
}
GRIS_TEXTE = "#222222"

plt.rcParams.update(
    {
        "svg.hashsalt": "ae",  # identifiants SVG reproductibles
        "svg.fonttype": "path",  # rendu identique quel que soit le navigateur
        "font.family": "DejaVu Sans",
        "mathtext.fontset": "dejavusans",
        "font.size": 12,
    }
)


# ---------------------------------------------------------------------------
# Briques graphiques
# ---------------------------------------------------------------------------


def _vecteur(ax, x, y_bas, valeurs, *, largeur=0.7, hauteur=0.5, cmap="Greys",
             bord=GRIS_TEXTE):
    """Dessine un vecteur colonne : une cellule par coordonnée, de bas en haut.

    ``valeurs`` est une suite de nombres de [0, 1] (intensités, 1 = foncé).
    Renvoie le rectangle englobant (x, y_bas, largeur, hauteur totale).
    """
    couleurs = plt.get_cmap(cmap)
    for k, v in enumerate(valeurs):
        ax.add_patch(
            Rectangle(
                (x, y_bas + k * hauteur),
                largeur,
                hauteur,
                facecolor=couleurs(0.08 + 0.8 * float(v)),
                edgecolor=bord,
                linewidth=1.0,
            )
        )
    return x, y_bas, largeur, hauteur * len(valeurs)


def _trapeze(ax, x_gauche, x_droite, h_gauche, h_droite, y_centre, *, face,
             bord, alpha=0.35):
    """Trapèze horizontal de hauteurs ``h_gauche`` et ``h_droite``."""
    sommets = [
        (x_gauche, y_centre - h_gauche / 2),
        (x_droite, y_centre - h_droite / 2),
        (x_droite, y_centre + h_droite / 2),
        (x_gauche, y_centre + h_gauche / 2),
    ]
    ax.add_patch(Polygon(sommets, closed=True, facecolor=face, alpha=alpha,
                         edgecolor="none"))
    ax.add_patch(Polygon(sommets, closed=True, facecolor="none", edgecolor=bord,
                         linewidth=2.0))


def _fleche(ax, depart, arrivee, *, couleur=GRIS_TEXTE, style="-|>", lw=1.8,
            ls="-"):
    ax.add_patch(
        FancyArrowPatch(depart, arrivee, arrowstyle=style, mutation_scale=16,
                        color=couleur, linewidth=lw, linestyle=ls)
    )


def _boite(ax, x_centre, y_centre, largeur, hauteur, *, face, bord, ls="-",
           alpha=1.0):
    """Rectangle à coins arrondis centré en (``x_centre``, ``y_centre``)."""
    ax.add_patch(
        FancyBboxPatch((x_centre - largeur / 2, y_centre - hauteur / 2), largeur,
                       hauteur, boxstyle="round,pad=0.02,rounding_size=0.25",
                       facecolor=face, edgecolor=bord, linewidth=1.8,
                       linestyle=ls, alpha=alpha)
    )


def _reseau(ax, x_gauche, x_droite, h_gauche, h_droite, y_centre, nom, formule, *,
            face, bord):
    """Un réseau (encodeur ou décodeur) : trapèze, nom en gras et formule au centre."""
    _trapeze(ax, x_gauche, x_droite, h_gauche, h_droite, y_centre, face=face, bord=bord)
    x_milieu = (x_gauche + x_droite) / 2
    ax.text(x_milieu, y_centre + 0.45, nom, ha="center", va="center", fontsize=14,
            fontweight="bold", color=bord)
    ax.text(x_milieu, y_centre - 0.45, formule, ha="center", va="center", fontsize=13,
            color=GRIS_TEXTE)


def _donnees(ax, x, y_centre, valeurs, titre, notation):
    """Un vecteur de données (entrée ou sortie), titré au-dessus et noté en dessous."""
    x_gauche, _, largeur, _ = _vecteur(ax, x, y_centre - 3.0, valeurs)
    ax.text(x_gauche + largeur / 2, y_centre + 3.35, titre, ha="center", va="bottom",
            color=GRIS_TEXTE)
    ax.text(x_gauche + largeur / 2, y_centre - 3.3, notation, ha="center", va="top",
            fontsize=14, color=GRIS_TEXTE)
    return x_gauche, largeur


def _lissage(valeurs, poids=(0.25, 0.5, 0.25)):
    """Moyenne glissante : imite une reconstruction « avec perte »."""
    n = len(valeurs)
    sortie = []
    for k in range(n):
        acc = 0.0
        for d, w in zip((-1, 0, 1), poids):
            acc += w * valeurs[min(max(k + d, 0), n - 1)]
        sortie.append(acc)
    return sortie


def _nouvelle_figure(largeur, hauteur, xlim, ylim):
    fig, ax = plt.subplots(figsize=(largeur, hauteur))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return fig, ax


# ---------------------------------------------------------------------------
# Schémas
# ---------------------------------------------------------------------------


def autoencodeur():
    """Architecture générale : x → encodeur E → code h → décodeur D → x̂."""
    fig, ax = _nouvelle_figure(10.0, 5.4, (-0.2, 17.4), (-1.95, 7.55))

    y_centre = 3.5
    # Intensités (fictives) des coordonnées de l'entrée, entre 0 et 1.
    entree = [0.0, 0.1, 0.75, 1.0, 0.9, 0.3, 0.05, 0.6, 1.0, 0.85, 0.2, 0.0]
    sortie = _lissage(entree)
    code = [0.15, 0.55, 0.9, 0.35]

    # Entrée x.
    x_in, l_in = _donnees(ax, 0.9, y_centre, entree, "entrée", r"$\mathbf{x}\in\mathbb{R}^n$")

    # Encodeur E.
    _reseau(ax, 2.5, 7.3, 6.0, 2.0, y_centre, r"encodeur $E$",
            r"$\mathbf{h}=f(\mathbf{x};\mathbf{w}_E)$", face=OKABE_ITO["bleu_ciel"],
            bord=OKABE_ITO["bleu"])
    _fleche(ax, (x_in + l_in + 0.05, y_centre), (2.45, y_centre))

    # Code h (goulot d'étranglement).
    x_h, y_h, l_h, h_h = _vecteur(ax, 8.15, y_centre - 1.0, code, cmap="Greens",
                                  bord=OKABE_ITO["vert"])
    _fleche(ax, (7.35, y_centre), (x_h - 0.05, y_centre))
    ax.text(x_h + l_h / 2, y_centre + 3.35, "code", ha="center", va="bottom",
            color=GRIS_TEXTE)
    ax.text(x_h + l_h / 2, y_centre + 1.25, r"$\mathbf{h}\in\mathbb{R}^p$",
            ha="center", va="bottom", fontsize=14, color=GRIS_TEXTE)
    ax.text(x_h + l_h / 2, y_centre - 1.25, r"$p<n$", ha="center", va="top",
            fontsize=12, color=GRIS_TEXTE)

    # Décodeur D.
    _reseau(ax, 9.75, 14.55, 2.0, 6.0, y_centre, r"décodeur $D$",
            r"$\hat{\mathbf{x}}=g(\mathbf{h};\mathbf{w}_D)$", face=OKABE_ITO["orange"],
            bord=OKABE_ITO["vermillon"])
    _fleche(ax, (x_h + l_h + 0.05, y_centre), (9.7, y_centre))

    # Reconstruction x̂.
    x_out, l_out = _donnees(ax, 15.4, y_centre, sortie, "reconstruction",
                            r"$\hat{\mathbf{x}}\in\mathbb{R}^n$")
    _fleche(ax, (14.6, y_centre), (x_out - 0.05, y_centre))

    # Perte de reconstruction : compare x et x̂.
    y_perte = -1.35
    couleur_perte = OKABE_ITO["pourpre"]
    ax.plot([x_in + l_in / 2, x_in + l_in / 2], [-0.45, y_perte],
            color=couleur_perte, lw=1.6, ls=(0, (4, 2)))
    ax.plot([x_out + l_out / 2, x_out + l_out / 2], [-0.45, y_perte],
            color=couleur_perte, lw=1.6, ls=(0, (4, 2)))
    ax.plot([x_in + l_in / 2, x_out + l_out / 2], [y_perte, y_perte],
            color=couleur_perte, lw=1.6, ls=(0, (4, 2)))
    ax.text((x_in + x_out + l_in) / 2, y_perte,
            r"perte de reconstruction $\ell(\mathbf{x},\hat{\mathbf{x}})$",
            ha="center", va="center", fontsize=13, color=GRIS_TEXTE,
            bbox=dict(boxstyle="round,pad=0.35", facecolor="white",
                      edgecolor=couleur_perte, linewidth=1.6))

    return fig


def vae():
    """Auto-encodeur variationnel : x → q_φ → (μ, log σ²) → h = μ + σ ⊙ ε → p_θ → x̂."""
    fig, ax = _nouvelle_figure(12.0, 6.55, (-0.2, 22.2), (-3.25, 8.9))

    y_centre = 3.5
    entree = [0.0, 0.1, 0.75, 1.0, 0.9, 0.3, 0.05, 0.6, 1.0, 0.85, 0.2, 0.0]
    sortie = _lissage(_lissage(entree))  # reconstruction plus floue qu'un AE
    moyenne = [0.2, 0.7, 0.45]
    log_variance = [0.6, 0.25, 0.8]
    code = [0.3, 0.8, 0.5]
    bleu, vermillon = OKABE_ITO["bleu"], OKABE_ITO["vermillon"]
    couleur_perte = OKABE_ITO["pourpre"]

    # Entrée x.
    x_in, l_in = _donnees(ax, 0.9, y_centre, entree, "entrée", r"$\mathbf{x}\in\mathbb{R}^n$")

    # Encodeur q_φ : il produit les paramètres de la loi du code.
    _reseau(ax, 2.5, 6.9, 6.0, 4.2, y_centre, r"encodeur $q_\phi$",
            r"$q_\phi(\mathbf{h}\mid\mathbf{x})$", face=OKABE_ITO["bleu_ciel"], bord=bleu)
    _fleche(ax, (x_in + l_in + 0.05, y_centre), (2.45, y_centre))

    # Paramètres (μ, log σ²) de q_φ(h | x) = N(μ, diag σ²).
    x_mu, y_mu, l_mu, h_mu = _vecteur(ax, 7.75, y_centre + 0.55, moyenne,
                                      cmap="Blues", bord=bleu)
    x_lv, y_lv, l_lv, h_lv = _vecteur(ax, 7.75, y_centre - 2.05, log_variance,
                                      cmap="Blues", bord=bleu)
    _fleche(ax, (6.95, y_centre + 1.3), (x_mu - 0.05, y_mu + h_mu / 2))
    _fleche(ax, (6.95, y_centre - 1.3), (x_lv - 0.05, y_lv + h_lv / 2))
    ax.text(x_mu + l_mu / 2, y_mu + h_mu + 0.15, r"$\boldsymbol{\mu}$",
            ha="center", va="bottom", fontsize=14, color=GRIS_TEXTE)
    ax.text(x_lv + l_lv / 2, y_lv - 0.15, r"$\log\boldsymbol{\sigma}^2$",
            ha="center", va="top", fontsize=14, color=GRIS_TEXTE)

    # Tirage reparamétré h = μ + σ ⊙ ε.
    x_tirage = 10.75
    _boite(ax, x_tirage, y_centre, 3.3, 1.3, face="white", bord=GRIS_TEXTE)
    ax.text(x_tirage, y_centre,
            r"$\mathbf{h}=\boldsymbol{\mu}+\boldsymbol{\sigma}\odot"
            r"\boldsymbol{\varepsilon}$", ha="center", va="center", fontsize=14,
            color=GRIS_TEXTE)
    _fleche(ax, (x_mu + l_mu + 0.05, y_mu + h_mu / 2),
            (x_tirage - 1.7, y_centre + 0.3))
    _fleche(ax, (x_lv + l_lv + 0.05, y_lv + h_lv / 2),
            (x_tirage - 1.7, y_centre - 0.3))

    # Bruit ε ~ N(0, I), entrée extérieure au réseau.
    y_bruit = 0.25
    _boite(ax, x_tirage, y_bruit, 3.3, 1.0, face=OKABE_ITO["jaune"],
           bord=GRIS_TEXTE, ls=(0, (4, 2)), alpha=0.55)
    ax.text(x_tirage, y_bruit,
            r"$\boldsymbol{\varepsilon}\sim\mathcal{N}(\mathbf{0},\mathbf{I}_p)$",
            ha="center", va="center", fontsize=13, color=GRIS_TEXTE)
    ax.text(x_tirage + 1.85, y_bruit, "bruit\nextérieur", ha="left",
            va="center", fontsize=10, color=GRIS_TEXTE)
    _fleche(ax, (x_tirage, y_bruit + 0.55), (x_tirage, y_centre - 0.7))

    # Code h.
    x_h, y_h, l_h, h_h = _vecteur(ax, 12.95, y_centre - 0.75, code,
                                  cmap="Greens", bord=OKABE_ITO["vert"])
    _fleche(ax, (x_tirage + 1.7, y_centre), (x_h - 0.05, y_centre))
    ax.text(x_h + l_h / 2, y_centre + 3.35, "code", ha="center", va="bottom",
            color=GRIS_TEXTE)
    ax.text(x_h + l_h / 2, y_h + h_h + 0.2, r"$\mathbf{h}\in\mathbb{R}^p$",
            ha="center", va="bottom", fontsize=14, color=GRIS_TEXTE)

    # Décodeur p_θ.
    _reseau(ax, 14.45, 18.85, 4.2, 6.0, y_centre, r"décodeur $p_\theta$",
            r"$p_\theta(\mathbf{x}\mid\mathbf{h})$", face=OKABE_ITO["orange"], bord=vermillon)
    _fleche(ax, (x_h + l_h + 0.05, y_centre), (14.4, y_centre))

    # Sortie : paramètres de Bernoulli x̂.
    x_out, l_out = _donnees(ax, 19.7, y_centre, sortie, "reconstruction",
                            r"$\hat{\mathbf{x}}\in\,]0,1[^n$")
    _fleche(ax, (18.9, y_centre), (x_out - 0.05, y_centre))
    ax.text(x_out + l_out / 2, y_centre - 3.95, "paramètres\nde Bernoulli",
            ha="center", va="top", fontsize=10, color=GRIS_TEXTE)

    # Terme de régularisation : KL entre q_φ(h | x) et la loi a priori.
    # Le terme KL dépend des deux paramètres (μ, log σ²) : un cadre pointillé les
    # réunit, et la ligne du terme de régularisation part de ce cadre.
    y_kl = 7.65
    x_kl = x_mu + l_mu / 2
    y_cadre_haut, y_cadre_bas = y_mu + h_mu + 0.75, y_lv - 0.85
    ax.add_patch(
        FancyBboxPatch((x_mu - 0.4, y_cadre_bas), l_mu + 0.8, y_cadre_haut - y_cadre_bas,
                       boxstyle="round,pad=0,rounding_size=0.2", facecolor="none",
                       edgecolor=couleur_perte, linewidth=1.6, linestyle=(0, (4, 2)))
    )
    ax.plot([x_kl, x_kl], [y_cadre_haut, y_kl - 0.45],
            color=couleur_perte, lw=1.6, ls=(0, (4, 2)))
    ax.text(x_kl + 3.0, y_kl,
            r"régularisation : $\mathrm{KL}(q_\phi(\mathbf{h}\mid\mathbf{x})"
            r"\,\|\,\mathcal{N}(\mathbf{0},\mathbf{I}_p))$",
            ha="center", va="center", fontsize=13, color=GRIS_TEXTE,
            bbox=dict(boxstyle="round,pad=0.35", facecolor="white",
                      edgecolor=couleur_perte, linewidth=1.6))

    # Terme de reconstruction : compare x et x̂.
    y_perte = -2.05
    for x_bout in (x_in + l_in / 2, x_out + l_out / 2):
        ax.plot([x_bout, x_bout], [-0.45 if x_bout < x_tirage else -1.35,
                                   y_perte],
                color=couleur_perte, lw=1.6, ls=(0, (4, 2)))
    ax.plot([x_in + l_in / 2, x_out + l_out / 2], [y_perte, y_perte],
            color=couleur_perte, lw=1.6, ls=(0, (4, 2)))
    ax.text(15.6, y_perte,
            r"reconstruction : $-\log p_\theta(\mathbf{x}\mid\mathbf{h})$",
            ha="center", va="center", fontsize=13, color=GRIS_TEXTE,
            bbox=dict(boxstyle="round,pad=0.35", facecolor="white",
                      edgecolor=couleur_perte, linewidth=1.6))
    ax.text(11.0, y_perte - 0.75,
            r"perte minimisée : $-\mathrm{ELBO}$ = reconstruction + régularisation,"
            " en nats par image", ha="center", va="center", fontsize=11,
            color=GRIS_TEXTE)

    return fig


DIAGRAMMES = {
    "autoencodeur": autoencodeur,
    "vae": vae,
}


def enregistrer(fig, nom, dossier=DOSSIER, dossier_png=None):
    """Écrit ``nom.svg`` (déterministe) et, si demandé, une copie PNG."""
    chemin = Path(dossier) / f"{nom}.svg"
    fig.savefig(chemin, format="svg", metadata={"Date": None})
    if dossier_png is not None:
        Path(dossier_png).mkdir(parents=True, exist_ok=True)
        fig.savefig(Path(dossier_png) / f"{nom}.png", format="png", dpi=110)
    plt.close(fig)
    return chemin


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("noms", nargs="*", metavar="NOM",
                        help="schémas à produire parmi "
                        + ", ".join(DIAGRAMMES) + " (par défaut : tous)")
    parser.add_argument("--png", metavar="DOSSIER", default=None,
                        help="écrit aussi une copie PNG dans ce dossier")
    args = parser.parse_args(argv)
    inconnus = sorted(set(args.noms) - set(DIAGRAMMES))
    if inconnus:
        parser.error("schéma inconnu : " + ", ".join(inconnus))
    for nom in args.noms or list(DIAGRAMMES):
        print(enregistrer(DIAGRAMMES[nom](), nom, dossier_png=args.png))


if __name__ == "__main__":
    main()
