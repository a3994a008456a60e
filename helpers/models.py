"""Modèles du cours : l'auto-encodeur dense (perceptron multicouche) et ses variantes.

Les auto-encodeurs ont un encodeur E (``encode``) qui envoie une image x sur son code h de
dimension p, et un décodeur D (``decode``) qui envoie h sur une reconstruction de x ; les images
MNIST sont des tenseurs (N, 1, 28, 28) ou des vecteurs (N, n) avec n = 784, pixels dans [0, 1].
Les noms d'activation possibles sont ceux de ``ACTIVATIONS`` : ``"relu"``, ``"sigmoid"``,
``"tanh"`` et ``"identity"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .losses import reparameterize
from .validation import require_float, require_pixels, require_positive_int

ACTIVATIONS = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "identity": nn.Identity,
}

IMAGE_SHAPE = (1, 28, 28)


def _activation(name: str) -> nn.Module:
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Activation inconnue {name!r} ; choix possibles : {', '.join(ACTIVATIONS)}."
        ) from None


def _channels(channels: Sequence[int], count: int) -> tuple[int, ...]:
    """Les ``count`` nombres de canaux, ou une erreur en français s'il n'y en a pas autant."""
    if len(channels) != count:
        raise ValueError(f"channels doit donner {count} nombres de canaux (reçu : {tuple(channels)}).")
    return tuple(channels)


def flatten_images(x: torch.Tensor, input_dim: int) -> torch.Tensor:
    """Met un lot d'images (N, 1, 28, 28) ou de vecteurs (N, n) sous la forme (N, input_dim).

    Arguments :

    - ``x`` : tenseur flottant de forme (N, …) dont chaque exemple a ``input_dim`` coordonnées ;
    - ``input_dim`` : la dimension n des vecteurs (784 pour MNIST).

    Renvoie : un tenseur de forme (N, input_dim).

    Lève : ``ValueError`` pour un tenseur d'entiers ou une forme incompatible.
    """
    require_float(x)
    if x.ndim >= 2 and x.shape[1:].numel() == input_dim:
        return x.reshape(len(x), input_dim)
    raise ValueError(
        f"Entrée de forme {tuple(x.shape)} : attendu un lot (N, {input_dim}) "
        f"ou des images (N, {', '.join(map(str, IMAGE_SHAPE))})."
    )


def mlp(sizes: Sequence[int], activation: str, last_activation: str,
        batchnorm: bool = False) -> nn.Sequential:
    """Perceptron multicouche ``sizes[0] → … → sizes[-1]`` ; ``last_activation`` sur la sortie.

    Arguments :

    - ``sizes`` : largeurs des couches, entrée et sortie comprises, par exemple ``[784, 256, 2]`` ;
    - ``activation`` : nom de l'activation après chaque couche cachée (``"relu"``…) ;
    - ``last_activation`` : nom de l'activation après la dernière couche (``"identity"`` : aucune) ;
    - ``batchnorm`` : normalisation par lot (``nn.BatchNorm1d``) entre chaque couche cachée et son
      activation, pas sur la dernière couche.

    Renvoie : un ``nn.Sequential`` qui alterne ``nn.Linear`` et activations ; il envoie un lot
    (N, sizes[0]) sur (N, sizes[-1]).

    Lève : ``ValueError`` pour un nom d'activation inconnu.

    Exemple : ::

        correction = mlp([784, 256, 2], "relu", "identity").to(device)
    """
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        is_last = i == len(sizes) - 2
        if batchnorm and not is_last:
            layers.append(nn.BatchNorm1d(fan_out))
        layers.append(_activation(last_activation if is_last else activation))
    return nn.Sequential(*layers)


class DenseAutoencoder(nn.Module):
    """Auto-encodeur dense ``n → hidden… → code_dim → …hidden → n``.

    L'encodeur et le décodeur sont symétriques. Les images (N, 1, 28, 28) ou les vecteurs (N, 784)
    sont acceptés ; la sortie a la forme de l'entrée. La sortie du décodeur passe par une sigmoïde
    (``output_activation``) pour rester dans [0, 1], comme les pixels.

    Arguments :

    - ``code_dim`` : dimension p du code ;
    - ``hidden`` : largeurs des couches cachées de l'encodeur, de l'entrée vers le code ; le
      décodeur les reprend dans l'ordre inverse (``()`` : une seule couche de chaque côté) ;
    - ``activation`` : activation des couches cachées ;
    - ``code_activation`` : activation de la couche du code (``"identity"`` : code quelconque,
      ``"sigmoid"`` : code dans [0, 1]) ;
    - ``output_activation`` : activation de la sortie du décodeur ;
    - ``input_dim`` : dimension n des données ;
    - ``batchnorm`` : normalisation par lot après chaque couche cachée (voir :func:`mlp`), ce qui
      permet d'entraîner un réseau profond sans pré-entraînement.

    Attributs :

    - ``encoder``, ``decoder`` : les deux perceptrons (``nn.Sequential``, voir :func:`mlp`) ;
    - ``code_dim``, ``input_dim`` : p et n.

    Lève : ``ValueError`` si une dimension n'est pas un entier strictement positif ou si une
    activation est inconnue.

    Exemple : ::

        model = DenseAutoencoder(code_dim=16, hidden=(256, 128)).to(device)
    """

    def __init__(
        self,
        code_dim: int,
        hidden: Sequence[int] = (256, 128),
        activation: str = "relu",
        code_activation: str = "identity",
        output_activation: str = "sigmoid",
        input_dim: int = 784,
        batchnorm: bool = False,
    ):
        super().__init__()
        for name, value in [("code_dim", code_dim), ("input_dim", input_dim)] + [
            ("hidden", width) for width in hidden
        ]:
            require_positive_int(name, value)
        self.code_dim = code_dim
        self.input_dim = input_dim
        widths = [input_dim, *hidden, code_dim]
        self.encoder = mlp(widths, activation, code_activation, batchnorm)
        self.decoder = mlp(widths[::-1], activation, output_activation, batchnorm)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encodeur E : code ``h = f(x)`` de forme (N, code_dim).

        ``x`` : images (N, 1, 28, 28) ou vecteurs (N, n), en flottants.
        """
        return self.encoder(flatten_images(x, self.input_dim))

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Décodeur D : reconstruction ``g(h)`` sous forme de vecteurs (N, input_dim).

        Lève : ``ValueError`` si ``h`` n'est pas de forme (N, code_dim).
        """
        if h.ndim != 2 or h.shape[1] != self.code_dim:
            raise ValueError(
                f"Code de forme {tuple(h.shape)} : attendu (N, {self.code_dim})."
            )
        return self.decoder(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruction ``model(x)`` = D(E(x)), de la forme de ``x`` (images ou vecteurs).

        Lève : ``ValueError`` pour des pixels entiers ou à l'échelle [0, 255], ou une forme
        incompatible.
        """
        require_pixels(x)
        return self.decode(self.encode(x)).reshape(x.shape)


def init_output_bias(model: nn.Module, images: torch.Tensor) -> None:
    """Règle le biais de la dernière couche du décodeur sur le logit de l'image moyenne.

    Pour un modèle dont la sortie passe par une sigmoïde (:class:`DenseAutoencoder`,
    :class:`ConvAutoencoder`) ou donne les logits d'un décodeur de Bernoulli (:class:`VAE`) : avant
    tout entraînement, la reconstruction de chaque image est alors proche de l'image moyenne, au
    lieu d'un gris uniforme à 0,5. Les premières époques ne servent plus à apprendre ce fond commun,
    et l'entraînement converge plus vite. Une dernière couche convolutionnelle à un canal n'a qu'un
    biais, partagé par tous les pixels : il prend le logit du pixel moyen. Les moyennes sont bornées
    à [10⁻³, 1 − 10⁻³] pour que les logits restent finis.

    Arguments :

    - ``model`` : un modèle dont ``model.decoder`` se termine par une couche ``nn.Linear`` à
      ``model.input_dim`` sorties ou par une convolution (transposée ou non) à un canal de sortie,
      suivie ou non d'une activation ;
    - ``images`` : les images d'entraînement, pixels dans [0, 1].

    Lève : ``ValueError`` si le modèle n'a pas un tel décodeur, ou si les images sont absentes,
    hors de [0, 1] ou n'ont pas le nombre de pixels du modèle.

    Exemple : ::

        vae = VAE(latent_dim=20)
        init_output_bias(vae, x_train)
    """
    layers = [m for m in getattr(model, "decoder", nn.Sequential()).modules()
              if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    last = layers[-1] if layers else None
    if isinstance(last, nn.Linear) and last.out_features == getattr(model, "input_dim", None):
        input_dim = last.out_features
    elif isinstance(last, (nn.Conv2d, nn.ConvTranspose2d)) and last.out_channels == 1:
        input_dim = math.prod(IMAGE_SHAPE)
    else:
        raise ValueError(f"{type(model).__name__} n'a pas de décodeur (attribut decoder) qui se "
                         "termine par une couche linéaire de la taille des images ou par une "
                         "convolution à un canal.")
    if last.bias is None:
        raise ValueError(f"La dernière couche du décodeur de {type(model).__name__} n'a pas de biais.")
    require_pixels(images)
    if len(images) == 0:
        raise ValueError("Aucune image : impossible de calculer l'image moyenne.")
    mean = flatten_images(images, input_dim).mean(dim=0)
    if isinstance(last, (nn.Conv2d, nn.ConvTranspose2d)):
        mean = mean.mean().reshape(1)
    with torch.no_grad():
        last.bias.copy_(torch.logit(mean.clamp(1e-3, 1 - 1e-3)))


def linear_autoencoder(code_dim: int, input_dim: int = 784) -> DenseAutoencoder:
    """Auto-encodeur linéaire (affine) : une couche sans activation de chaque côté.

    Encodeur h = W_E x + b_E, décodeur x̂ = W_D h + b_D : la sortie n'est pas ramenée dans
    [0, 1] (pas de sigmoïde), ce qui convient aussi à des données centrées.

    Arguments :

    - ``code_dim`` : dimension p du code ;
    - ``input_dim`` : dimension n des données.

    Renvoie : un :class:`DenseAutoencoder` avec ``hidden=()`` et des activations ``"identity"``.
    """
    return DenseAutoencoder(code_dim, hidden=(), activation="identity",
                            output_activation="identity", input_dim=input_dim)


class ConvAutoencoder(nn.Module):
    """Auto-encodeur convolutionnel de l'énoncé de TP, corrigé.

    Encodeur : conv 1→16 (3×3, pas 2) → 14×14, conv 16→32 (3×3, pas 2) → 7×7, conv 32→64 (7×7)
    → code 64×1×1. Décodeur symétrique par convolutions transposées, la dernière vers **un** canal,
    suivie d'une sigmoïde. Corrections de l'énoncé : la première convolution y figurait deux fois,
    et la dernière convolution transposée produisait 16 canaux au lieu d'une image à 1 canal.
    Ces nombres de canaux sont ceux par défaut ; n'accepte que des images (N, 1, 28, 28).

    Arguments :

    - ``channels`` : canaux (c1, c2, c3) des trois convolutions ; c3 est la dimension p du code.

    Attributs :

    - ``encoder``, ``decoder`` : les deux réseaux (``nn.Sequential``) ;
    - ``code_dim`` : dimension p du code, égale à c3.

    Lève : ``ValueError`` si un nombre de canaux n'est pas un entier strictement positif.

    Exemple : ::

        model = ConvAutoencoder(channels=(16, 32, 64)).to(device)
    """

    def __init__(self, channels: Sequence[int] = (16, 32, 64)):
        super().__init__()
        c1, c2, c3 = _channels(channels, 3)
        for name, value in zip(("c1", "c2", "c3"), channels):
            require_positive_int(name, value)
        self.code_dim = c3
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c2, c3, 7),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(c3, c3, 7), nn.ReLU(),
            nn.ConvTranspose2d(c3, c2, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(c2, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Encodeur E : code de forme (N, code_dim), (N, 64) par défaut, d'images (N, 1, 28, 28).

        Lève : ``ValueError`` pour une autre forme ou des pixels entiers.
        """
        if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(
                f"Entrée de forme {tuple(x.shape)} : attendu des images (N, 1, 28, 28)."
            )
        require_float(x)
        return self.encoder(x).flatten(1)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """Décodeur D : images (N, 1, 28, 28) dans [0, 1] décodées de codes (N, code_dim).

        Lève : ``ValueError`` si ``h`` n'est pas de forme (N, code_dim).
        """
        if h.ndim != 2 or h.shape[1] != self.code_dim:
            raise ValueError(f"Code de forme {tuple(h.shape)} : attendu (N, {self.code_dim}).")
        return self.decoder(h[:, :, None, None])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruction ``model(x)`` = D(E(x)) d'images (N, 1, 28, 28), de même forme.

        Lève : ``ValueError`` pour une autre forme, ou des pixels entiers ou dans [0, 255].
        """
        require_pixels(x)
        return self.decode(self.encode(x))


class VAE(nn.Module):
    """Auto-encodeur variationnel dense à décodeur de Bernoulli.

    L'encodeur donne (μ, log σ²) de q_φ(h | x) = N(μ, diag σ²) ; le décodeur donne les logits des
    pixels. ``forward`` renvoie (logits, μ, log σ²) pour un tirage reparamétré de h.

    Arguments :

    - ``latent_dim`` : dimension p du code ;
    - ``hidden`` : largeurs des couches cachées (ReLU) de l'encodeur ; le décodeur les reprend
      dans l'ordre inverse ;
    - ``input_dim`` : dimension n des données ;
    - ``num_classes`` : 0 (par défaut) pour un VAE ordinaire ; K > 0 pour un VAE conditionnel
      (chapitre 3) : le vecteur one-hot de l'étiquette y ∈ {0, …, K − 1} est ajouté à l'entrée de
      l'encodeur, q_φ(h | x, y), et à celle du décodeur, p_θ(x | h, y) ; ``encode``, ``decode``
      et ``forward`` demandent alors les étiquettes ``y``, entiers de forme (N,).

    Attributs :

    - ``body`` : tronc commun de l'encodeur ; ``mean`` et ``logvar`` : ses deux têtes linéaires,
      qui donnent μ et log σ² ;
    - ``decoder`` : le décodeur, du code (et de l'étiquette) aux logits ;
    - ``latent_dim``, ``input_dim``, ``num_classes`` : p, n et K.

    Lève : ``ValueError`` si ``latent_dim`` ou une largeur de ``hidden`` n'est pas un entier
    strictement positif, ou si ``num_classes`` est négatif.

    Exemple : ::

        vae = VAE(latent_dim=20, hidden=(512,)).to(device)
        cvae = VAE(latent_dim=20, hidden=(512,), num_classes=10).to(device)
    """

    def __init__(self, latent_dim: int, hidden: Sequence[int] = (512,), input_dim: int = 784,
                 num_classes: int = 0):
        super().__init__()
        require_positive_int("latent_dim", latent_dim)
        require_positive_int("input_dim", input_dim)
        for width in hidden:
            require_positive_int("hidden", width)
        if num_classes != 0:
            require_positive_int("num_classes", num_classes)
        self.latent_dim = latent_dim
        self.input_dim = input_dim
        self.num_classes = num_classes
        encoder_in, decoder_in = input_dim + num_classes, latent_dim + num_classes
        self.body = mlp([encoder_in, *hidden], "relu", "relu") if hidden else nn.Identity()
        width = hidden[-1] if hidden else encoder_in
        self.mean = nn.Linear(width, latent_dim)
        self.logvar = nn.Linear(width, latent_dim)
        self.decoder = nn.Sequential(mlp([decoder_in, *hidden[::-1]], "relu", "relu"),
                                     nn.Linear(hidden[0] if hidden else decoder_in, input_dim))

    def _with_label(self, inputs: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """``inputs`` (N, d) suivi du vecteur one-hot de ``y`` pour un VAE conditionnel, sinon ``inputs``."""
        if self.num_classes == 0:
            if y is not None:
                raise ValueError("Ce VAE n'est pas conditionnel (num_classes=0) : ne lui donnez "
                                 "pas d'étiquettes.")
            return inputs
        if y is None:
            raise ValueError(f"VAE conditionnel : donnez aussi les étiquettes y, entiers de 0 à "
                             f"{self.num_classes - 1} de forme ({len(inputs)},).")
        if y.shape != (len(inputs),) or y.is_floating_point() or y.dtype == torch.bool:
            raise ValueError(f"Étiquettes de forme {tuple(y.shape)} et de type {y.dtype} : "
                             f"attendu des entiers de forme ({len(inputs)},).")
        if len(y) and (y.min() < 0 or y.max() >= self.num_classes):
            raise ValueError(f"Étiquettes hors de 0…{self.num_classes - 1} : de {int(y.min())} "
                             f"à {int(y.max())}.")
        one_hot = nn.functional.one_hot(y.long().to(inputs.device), self.num_classes)
        return torch.cat([inputs, one_hot.to(inputs.dtype)], dim=1)

    def encode(self, x: torch.Tensor,
               y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Paramètres (μ, log σ²) de q_φ(h | x), ou de q_φ(h | x, y), chacun de forme (N, latent_dim).

        ``x`` : images (N, 1, 28, 28) ou vecteurs (N, n) ; ``y`` : étiquettes entières (N,), pour
        un VAE conditionnel seulement. Le code « moyen » d'une image est μ :
        ``vae.encode(x)[0]``.
        """
        features = self.body(self._with_label(flatten_images(x, self.input_dim), y))
        return self.mean(features), self.logvar(features)

    def decode(self, h: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Logits des pixels, de forme (N, input_dim), de codes ``h`` (N, latent_dim).

        ``y`` : étiquettes entières (N,), pour un VAE conditionnel seulement. ``torch.sigmoid``
        des logits donne l'image moyenne, vecteurs (N, input_dim) dans [0, 1].

        Lève : ``ValueError`` si ``h`` n'est pas de forme (N, latent_dim).
        """
        if h.ndim != 2 or h.shape[1] != self.latent_dim:
            raise ValueError(f"Code de forme {tuple(h.shape)} : attendu (N, {self.latent_dim}).")
        return self.decoder(self._with_label(h, y))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None,
                generator: torch.Generator | None = None):
        """Encode ``x``, tire h ~ q_φ(h | x) par reparamétrisation, puis décode h.

        Arguments :

        - ``x`` : images (N, 1, 28, 28) ou vecteurs (N, n), pixels dans [0, 1] ;
        - ``y`` : étiquettes entières (N,), pour un VAE conditionnel seulement ;
        - ``generator`` : générateur sur le CPU pour un tirage reproductible (voir
          :func:`helpers.losses.reparameterize`) ; ``None`` : le générateur global.

        Renvoie : ``(logits, mu, logvar)``, de formes (N, input_dim), (N, latent_dim) et
        (N, latent_dim) ; les logits sont à plat même si ``x`` est un lot d'images. Le tirage de
        h a lieu aussi en mode évaluation.
        """
        require_pixels(x)
        mu, logvar = self.encode(x, y)
        return self.decode(reparameterize(mu, logvar, generator), y), mu, logvar


class SuperResolutionNet(nn.Module):
    """Réseau convolutionnel de super-résolution ×2 : d'une image (N, 1, H, W) à (N, 1, 2H, 2W).

    La sortie est l'interpolation bicubique de l'entrée plus une correction apprise, ramenée dans
    [0, 1] : le réseau n'a à apprendre que ce que l'interpolation ne sait pas deviner. La correction
    est calculée en basse résolution par ``depth`` convolutions 3 × 3 (ReLU entre elles), dont la
    dernière produit 4 canaux, réarrangés en une image deux fois plus grande (``nn.PixelShuffle``,
    convolution « sous-pixel ») : tout le calcul se fait sur la petite image.

    Arguments :

    - ``channels`` : nombre de canaux des convolutions intermédiaires ;
    - ``depth`` : nombre de convolutions, au moins 2.

    Attributs :

    - ``body`` : le réseau de la correction (``nn.Sequential``).

    Lève : ``ValueError`` si ``channels`` n'est pas un entier strictement positif ou ``depth`` < 2.

    Exemple : ::

        model = SuperResolutionNet().to(device)
        high = model(downsample(x_test[:10]).to(device))  # (10, 1, 28, 28)
    """

    def __init__(self, channels: int = 16, depth: int = 4):
        super().__init__()
        require_positive_int("channels", channels)
        require_positive_int("depth", depth)
        if depth < 2:
            raise ValueError(f"depth = {depth} : il faut au moins deux convolutions.")
        sizes = [1, *[channels] * (depth - 1), 4]
        layers: list[nn.Module] = []
        for i, (c_in, c_out) in enumerate(zip(sizes, sizes[1:])):
            layers.append(nn.Conv2d(c_in, c_out, 3, padding=1))
            layers.append(nn.ReLU() if i < depth - 1 else nn.PixelShuffle(2))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Image deux fois plus grande, (N, 1, 2H, 2W) dans [0, 1], d'images (N, 1, H, W).

        Lève : ``ValueError`` pour une autre forme, ou des pixels entiers ou dans [0, 255].
        """
        require_pixels(x)
        if x.ndim != 4 or x.shape[1] != 1:
            raise ValueError(f"Entrée de forme {tuple(x.shape)} : attendu des images (N, 1, H, W), "
                             "par exemple (N, 1, 14, 14) pour MNIST en basse résolution.")
        upsampled = F.interpolate(x, scale_factor=2, mode="bicubic", align_corners=False)
        return (upsampled + self.body(x)).clamp(0.0, 1.0)


class SmallCNN(nn.Module):
    """Classifieur convolutionnel de MNIST, juge indépendant des images reconstruites.

    Deux blocs convolution-ReLU-max-pooling, puis deux couches denses avec dropout.

    Arguments :

    - ``channels`` : canaux (c1, c2) des deux convolutions ;
    - ``dropout`` : probabilité de mettre une unité à zéro (dropout), dans [0, 1), en mode
      entraînement seulement.

    Attributs :

    - ``net`` : le réseau entier (``nn.Sequential``), des images aux 10 logits.

    Lève : ``ValueError`` si ``dropout`` est hors de [0, 1) ou un nombre de canaux n'est pas un
    entier strictement positif.

    Exemple : ::

        classifier = SmallCNN().to(device)
    """

    def __init__(self, channels: Sequence[int] = (16, 32), dropout: float = 0.25):
        super().__init__()
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout doit être dans [0, 1) (reçu : {dropout}).")
        c1, c2 = _channels(channels, 2)
        for name, value in (("c1", c1), ("c2", c2)):
            require_positive_int(name, value)
        self.net = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(dropout),
            nn.Linear(c2 * 7 * 7, 128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits des 10 chiffres, de forme (N, 10), d'images (N, 1, 28, 28) ou (N, 784).

        La classe prédite est ``model(x).argmax(dim=1)`` (voir :func:`helpers.train.predict`).

        Lève : ``ValueError`` pour une autre forme, ou des pixels entiers ou dans [0, 255].
        """
        require_pixels(x)
        if x.ndim == 2 and x.shape[1] == 784:
            x = x.reshape(len(x), *IMAGE_SHAPE)
        if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"Entrée de forme {tuple(x.shape)} : attendu (N, 1, 28, 28) ou (N, 784).")
        return self.net(x)
