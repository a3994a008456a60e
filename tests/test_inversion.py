import re
import time

import pytest
import torch
from torch import nn

from helpers import inversion


def exactly(message: str) -> str:
    """Motif de ``pytest.raises(match=…)`` pour ce message exactement."""
    return "^" + re.escape(message) + "$"


@pytest.fixture
def problem():
    torch.manual_seed(0)
    decoder_net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 20), nn.Sigmoid())
    for p in decoder_net.parameters():
        p.requires_grad_(False)
    true_codes = torch.randn(12, 2)
    targets = decoder_net(true_codes) + 0.01 * torch.randn(12, 20)
    init = true_codes + 0.5 * torch.randn(12, 2)
    return decoder_net, targets, init


def test_batched_equals_per_image_loop(problem):
    decoder, targets, init = problem
    batched = inversion.invert_batched(decoder, targets, init, steps=40, lr=0.05)
    loop = inversion.invert_loop(decoder, targets, init, steps=40, lr=0.05)
    assert torch.allclose(batched.codes, loop.codes, atol=1e-5)
    assert torch.allclose(batched.errors, loop.errors, atol=1e-6)


def test_methods_lower_the_error(problem):
    decoder, targets, init = problem
    before = inversion.decoding_errors(decoder, init, targets)
    for result in (inversion.invert_batched(decoder, targets, init, steps=200),
                   inversion.invert_lbfgs(decoder, targets, init, steps=50)):
        assert result.errors.sum() < 0.5 * before.sum()
        gain = inversion.relative_change(before, result.errors)
        assert gain.mean() < 0 and gain.min() >= -1


def test_fixed_point_solves_encoder_equation_not_least_squares():
    # D(u) = (u, 0), E(x) = x1 + x2 : le point fixe vérifie E(D(u)) = E(z), soit u = z1 + z2,
    # alors que le minimiseur de ‖D(u) − z‖² est u = z1.
    def decoder(u):
        return torch.cat([u, torch.zeros_like(u)], dim=1)

    def encoder(x):
        return x.sum(dim=1, keepdim=True)

    z = torch.tensor([[1.0, 2.0], [0.5, -1.0]])
    result, history = inversion.fixed_point(encoder, decoder, z, torch.zeros(2, 1), steps=5)
    assert torch.allclose(result.codes, z.sum(dim=1, keepdim=True))
    assert not torch.allclose(result.codes, z[:, :1])
    assert len(history) == 6
    ratios = inversion.contraction_ratios(encoder, decoder, torch.zeros(3, 1))
    assert torch.allclose(ratios, torch.zeros(3))  # E∘D = Id : Id − E∘D est nulle


def test_contraction_ratio_of_linear_maps():
    A = torch.tensor([[0.5, 0.0], [0.0, 0.8]])  # E∘D = A, donc Id − E∘D = diag(0,5 ; 0,2)
    ratios = inversion.contraction_ratios(lambda x: x, lambda u: u @ A.T, torch.zeros(500, 2))
    assert ratios.max() <= 0.5 + 1e-6 and ratios.min() >= 0.2 - 1e-6


def test_bad_inputs(problem):
    decoder, targets, init = problem
    with pytest.raises(ValueError, match="même N"):
        inversion.invert_batched(decoder, targets, init[:5])
    with pytest.raises(ValueError, match="lr"):
        inversion.invert_batched(decoder, targets, init, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        inversion.invert_lbfgs(decoder, targets, init, steps=0)
    with pytest.raises(ValueError, match="incompatibles"):
        inversion.relative_change(torch.ones(3), torch.ones(4))


def test_chunking_does_not_change_the_result(problem):
    decoder, targets, init = problem
    whole = inversion.invert_batched(decoder, targets, init, steps=30, chunk_size=1000)
    chunked = inversion.invert_batched(decoder, targets, init, steps=30, chunk_size=5)
    assert torch.allclose(whole.codes, chunked.codes, atol=1e-6)


# --- Contre des calculs à la main ------------------------------------------------------------


def test_fixed_point_history_by_hand():
    """E = Id, D(u) = u / 2 : u ← u + z − u/2 = u/2 + z, donc depuis u₀ = 0, u_k = 2z (1 − 2⁻ᵏ) et
    ‖D(u_k) − z‖² = z² 4⁻ᵏ ; l'historique est la moyenne sur les images, de l'itération 0 à steps."""
    z = torch.tensor([[1.0], [3.0]], dtype=torch.float64)
    result, history = inversion.fixed_point(lambda x: x, lambda u: u / 2, z,
                                            torch.zeros(2, 1, dtype=torch.float64), steps=4)
    k = torch.arange(5, dtype=torch.float64)
    assert torch.allclose(history, (z**2).mean() * 0.25**k)
    assert torch.allclose(result.codes, 2 * z * (1 - 0.5**4))
    assert torch.allclose(result.errors, z.flatten() ** 2 * 0.25**4)
    assert result.seconds > 0


def test_fixed_point_starts_from_init_and_accepts_images():
    """Cibles sous forme d'images (N, 1, 28, 28) : aplaties ; le départ est ``init``, pas zéro."""
    z = torch.rand(3, 1, 28, 28, dtype=torch.float64)
    init = torch.rand(3, 784, dtype=torch.float64)
    result, history = inversion.fixed_point(lambda x: x, lambda u: u, z, init, steps=1)
    assert torch.allclose(history[0], (init - z.flatten(1)).pow(2).sum(dim=1).mean())
    assert torch.allclose(result.codes, z.flatten(1)) and history[1] < 1e-20


def test_relative_change_by_hand():
    initial, final = torch.tensor([4.0, 2.0, 5.0]), torch.tensor([1.0, 3.0, 5.0])
    assert inversion.relative_change(initial, final).tolist() == pytest.approx([-0.75, 0.5, 0.0])
    # Une erreur initiale nulle ne donne ni infini ni NaN.
    assert inversion.relative_change(torch.zeros(1), torch.zeros(1)).tolist() == [0.0]


def test_contraction_ratios_by_hand():
    """Id − E∘D linéaire de matrice M : le rapport vaut ‖M v‖ / ‖v‖ pour la perturbation v tirée
    avec la graine donnée, quel que soit le rayon ; M = 0,3 Id donne 0,3 partout."""
    codes = torch.randn(50, 3, generator=torch.Generator().manual_seed(9))
    ratios = inversion.contraction_ratios(lambda x: x, lambda u: 0.7 * u, codes, radius=0.1)
    assert torch.allclose(ratios, torch.full((50,), 0.3), atol=1e-5)
    M = torch.diag(torch.tensor([0.1, 0.5, 2.0]))
    def encode_decode(u):
        return u - u @ M.T  # E∘D = Id − M

    for radius in (0.01, 3.0):
        ratios = inversion.contraction_ratios(lambda x: x, encode_decode, codes, radius=radius, seed=2)
        v = torch.randn(codes.shape, generator=torch.Generator().manual_seed(2))
        expected = (v @ M.T).norm(dim=1) / v.norm(dim=1)
        assert torch.allclose(ratios, expected, rtol=1e-4)
    other = inversion.contraction_ratios(lambda x: x, encode_decode, codes, seed=3)
    assert not torch.allclose(other, expected)


def test_contraction_ratios_are_local():
    """Pour une application non linéaire, le rapport dépend du rayon : la perturbation a bien la
    norme demandée. E∘D(u) = u − u³ : (Id − E∘D)(u) = u³, rapport en 0 égal à r²."""
    ratios = inversion.contraction_ratios(lambda x: x, lambda u: u - u**3, torch.zeros(4, 1), radius=0.5)
    assert torch.allclose(ratios, torch.full((4,), 0.25))


def test_decoding_errors_sum_over_pixels_of_flattened_targets():
    targets = torch.zeros(2, 1, 2, 2)
    targets[1] = 1.0
    codes = torch.tensor([[0.5], [2.0]])
    errors = inversion.decoding_errors(lambda u: u.expand(-1, 4), codes, targets)
    assert errors.tolist() == pytest.approx([4 * 0.25, 4 * 1.0])


@pytest.mark.parametrize("method", ["batched", "loop", "lbfgs"])
def test_inversions_report_the_errors_of_their_codes(problem, method):
    """Les erreurs renvoyées sont celles des codes renvoyés, recalculées ici ; la durée est mesurée."""
    decoder, targets, init = problem
    run = {"batched": lambda: inversion.invert_batched(decoder, targets, init, steps=5),
           "loop": lambda: inversion.invert_loop(decoder, targets, init, steps=5),
           "lbfgs": lambda: inversion.invert_lbfgs(decoder, targets, init, steps=5)}[method]
    result = run()
    with torch.no_grad():
        expected = (decoder(result.codes) - targets).pow(2).sum(dim=1)
    assert torch.allclose(result.errors, expected, atol=1e-6)
    assert result.codes.shape == init.shape and not torch.equal(result.codes, init)
    assert not result.codes.requires_grad and result.seconds > 0
    assert torch.equal(init, problem[2])  # les codes initiaux ne sont pas modifiés


def test_adam_inversion_follows_its_steps_and_learning_rate():
    """D = Id : le premier pas d'Adam déplace chaque coordonnée d'exactement lr vers la cible, les
    suivants d'à peu près lr (le gradient diminue à mesure qu'on approche)."""
    targets, init = torch.tensor([[1.0, -1.0]]), torch.zeros(1, 2)
    one = inversion.invert_batched(lambda u: u, targets, init, steps=1, lr=0.1)
    assert torch.allclose(one.codes, torch.tensor([[0.1, -0.1]]))
    three = inversion.invert_batched(lambda u: u, targets, init, steps=3, lr=0.1)
    assert torch.allclose(three.codes, torch.tensor([[0.3, -0.3]]), atol=0.01)
    loop = inversion.invert_loop(lambda u: u, targets, init, steps=3, lr=0.1)
    assert torch.allclose(loop.codes, three.codes)


def test_lbfgs_solves_a_linear_least_squares_problem():
    A = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=torch.float64)
    z = torch.tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]], dtype=torch.float64)
    exact = torch.linalg.lstsq(A, z.T).solution.T
    result = inversion.invert_lbfgs(lambda u: u @ A.T, z, torch.zeros(2, 2, dtype=torch.float64), steps=50)
    assert torch.allclose(result.codes, exact, atol=1e-6)


@pytest.mark.parametrize("call, match", [
    (lambda d, t, i: inversion.invert_batched(d, t, i[:, :, None]), r"attendu \(N, p\)"),
    (lambda d, t, i: inversion.invert_batched(d, t, i, steps=0), "steps"),
    (lambda d, t, i: inversion.invert_batched(d, t, i, chunk_size=0), "chunk_size"),
    (lambda d, t, i: inversion.invert_loop(d, t, i, lr=-1.0), "lr"),
    (lambda d, t, i: inversion.invert_loop(d, t, i[:3]), "même N"),
    (lambda d, t, i: inversion.invert_lbfgs(d, t, i[:3]), "même N"),
    (lambda d, t, i: inversion.fixed_point(d, d, t, i, steps=0), "steps"),
    (lambda d, t, i: inversion.fixed_point(d, d, t, i[:3]), "même N"),
], ids=["codes-3d", "steps", "chunk", "lr-boucle", "n-boucle", "n-lbfgs", "steps-point-fixe",
        "n-point-fixe"])
def test_each_method_checks_its_arguments(problem, call, match):
    decoder, targets, init = problem
    with pytest.raises(ValueError, match=match):
        call(decoder, targets, init)


def _rosenbrock(u):
    """Décodeur dont l'erreur est la fonction de Rosenbrock : L-BFGS y met de nombreuses itérations."""
    x, y = u[:, :1], u[:, 1:]
    return torch.cat([1 - x, 10 * (y - x**2)], dim=1)


ROSENBROCK_START = torch.tensor([[-1.2, 1.0], [0.5, -0.5], [-2.0, 2.0]])


def test_lbfgs_is_torchs_lbfgs_with_strong_wolfe_on_the_summed_error():
    """Oracle : torch.optim.LBFGS, pas 1, recherche linéaire de Wolfe forte, sur la somme des
    erreurs de tout le lot ; 20 itérations et un historique de 10 par défaut."""
    targets = torch.zeros(3, 2)

    def reference(steps, history):
        codes = ROSENBROCK_START.clone().requires_grad_(True)
        optimizer = torch.optim.LBFGS([codes], lr=1, max_iter=steps, history_size=history,
                                      line_search_fn="strong_wolfe")

        def closure():
            optimizer.zero_grad()
            loss = (_rosenbrock(codes) - targets).pow(2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        return codes.detach()

    default = inversion.invert_lbfgs(_rosenbrock, targets, ROSENBROCK_START).codes
    assert torch.equal(default, reference(20, 10))
    assert torch.equal(inversion.invert_lbfgs(_rosenbrock, targets, ROSENBROCK_START, steps=7,
                                              history=3).codes, reference(7, 3))
    assert not torch.allclose(reference(21, 10), default) and not torch.allclose(reference(20, 11), default)


def test_adam_inversion_defaults():
    """100 pas de taux 0,05 par défaut (oracle : Adam de torch sur la somme des erreurs), pour la
    version par lots comme pour la boucle image par image."""
    targets, init = torch.tensor([[10.0, -10.0], [3.0, 0.5]]), torch.zeros(2, 2)

    def reference(steps, lr):
        codes = init.clone().requires_grad_(True)
        optimizer = torch.optim.Adam([codes], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            (codes - targets).pow(2).sum().backward()
            optimizer.step()
        return codes.detach()

    expected = reference(100, 0.05)
    assert torch.allclose(inversion.invert_batched(lambda u: u, targets, init).codes, expected, atol=1e-6)
    assert torch.allclose(inversion.invert_loop(lambda u: u, targets, init).codes, expected, atol=1e-6)
    assert not torch.allclose(reference(101, 0.05), expected, atol=1e-3)
    assert not torch.allclose(reference(100, 0.06), expected, atol=1e-3)


@pytest.mark.parametrize("method", ["batched", "loop", "lbfgs"])
def test_inversion_time_is_measured(problem, method):
    decoder, targets, init = problem
    run = {"batched": inversion.invert_batched, "loop": inversion.invert_loop,
           "lbfgs": inversion.invert_lbfgs}[method]
    start = time.perf_counter()
    result = run(decoder, targets, init, steps=3)
    assert 0 < result.seconds <= time.perf_counter() - start


def test_relative_change_divides_by_the_initial_error():
    assert inversion.relative_change(torch.tensor([0.5, 1e-3]), torch.tensor([0.25, 2e-3])).tolist() \
        == pytest.approx([-0.5, 1.0])


@pytest.mark.parametrize("call, message", [
    (lambda d, t, i: inversion.invert_batched(d, t, i[:5]),
     "Codes initiaux de forme (5, 2) pour 12 images : attendu (N, p) avec le même N."),
    (lambda d, t, i: inversion.invert_lbfgs(d, t, i, steps=0),
     "steps doit être un entier strictement positif (reçu : 0)."),
    (lambda d, t, i: inversion.invert_batched(d, t, i, chunk_size=0),
     "chunk_size doit être un entier strictement positif (reçu : 0)."),
    (lambda d, t, i: inversion.relative_change(torch.ones(3), torch.ones(4)),
     "Formes incompatibles : (3,) et (4,)."),
], ids=["codes", "steps", "chunk", "gain"])
def test_messages_in_full(problem, call, message):
    decoder, targets, init = problem
    with pytest.raises(ValueError, match=exactly(message)):
        call(decoder, targets, init)


def test_contraction_ratios_perturb_forwards_with_the_default_radius_and_seed():
    """(Id − E∘D)(u) = u³ autour de u = 1 : la différence vaut (u + v)³ − u³, pas (u − v)³ − u³ ;
    rayon 0,1 et graine 0 par défaut."""
    codes = torch.ones(6, 2, dtype=torch.float64)
    v = torch.randn(codes.shape, generator=torch.Generator().manual_seed(0)).double()
    v = 0.1 * v / v.norm(dim=1, keepdim=True)
    expected = ((codes + v) ** 3 - codes**3).norm(dim=1) / 0.1
    ratios = inversion.contraction_ratios(lambda x: x, lambda u: u - u**3, codes)
    assert torch.allclose(ratios, expected)


def test_contraction_ratios_draw_on_the_codes_device():
    codes = torch.zeros(3, 2, device="meta")
    assert inversion.contraction_ratios(lambda x: x, lambda u: u / 2, codes).device.type == "meta"


def test_fixed_point_defaults_and_duration():
    z = torch.rand(2, 3)
    before = time.perf_counter()
    result, history = inversion.fixed_point(lambda x: x, lambda u: u / 2, z, torch.zeros(2, 3))
    elapsed = time.perf_counter() - before
    assert len(history) == 51 and 0 < result.seconds <= elapsed


def test_invert_loop_checks_its_step_even_without_images():
    with pytest.raises(ValueError, match="taux d'apprentissage"):
        inversion.invert_loop(lambda u: u, torch.zeros(0, 4), torch.zeros(0, 4), lr=-1.0)
