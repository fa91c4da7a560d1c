"""What each SDV generator is for the registry: its parameters (the sliders and boxes the
Generate page builds), licence, estimate and advice hooks."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from synth_core.errors import ParamError
from synth_core.generate.generators.registry import (
    GeneratorInfo,
    GeneratorKind,
    Param,
    ParamType,
    ParamValue,
    register,
)
from synth_core.generate.generators.sdv.adapters import (
    CopulaGanGenerator,
    CtganGenerator,
    GaussianCopulaGenerator,
    TvaeGenerator,
)
from synth_core.generate.generators.sdv.sizing import (
    copula_estimate,
    neural_estimate_seconds,
    wide_columns,
)

_LICENCE = (
    "BUSL-1.1 (SDV by DataCebo: free for internal use, not for a commercial synthetic-data service)"
)
_INSTALL = (
    "Install it with: pip install 'sdv>=2.0,<2.1' (install torch==2.13.0 first on a CPU machine)."
)
_LAYERS = ("64,64", "128,128", "256,256", "256,256,256", "512,512")


_BOUNDS = (
    Param(
        "enforce_min_max_values",
        "Keep values inside the real range",
        ParamType.BOOL,
        True,
        "Clip numeric and date values to the minimum and maximum of the training data.",
    ),
    Param(
        "enforce_rounding",
        "Round like the real data",
        ParamType.BOOL,
        True,
        "Give numeric columns the same number of decimal places as the training data.",
    ),
)
_DISTRIBUTION = Param(
    "default_distribution",
    "Distribution for numeric columns",
    ParamType.CHOICE,
    "beta",
    "Shape fitted to each numeric column. 'beta' and 'truncnorm' respect bounds; "
    "'gaussian_kde' follows any shape but is much slower on large tables.",
    choices=("beta", "norm", "truncnorm", "gamma", "uniform", "gaussian_kde"),
)


def _epochs(default: int) -> Param:
    return Param(
        "epochs",
        "Training epochs",
        ParamType.INT,
        default,
        "Passes over the training data. More epochs learn more detail and take longer; "
        "the estimate below the controls says how long.",
        minimum=1,
        maximum=2000,
        step=1,
    )


def _batch_size(help_text: str) -> Param:
    return Param(
        "batch_size",
        "Batch size",
        ParamType.INT,
        500,
        help_text,
        minimum=10,
        maximum=10_000,
        step=10,
    )


_GAN_PARAMS = (
    _epochs(50),
    _batch_size("Rows per training step; must be a multiple of pac. Larger is faster per epoch."),
    Param(
        "embedding_dim",
        "Noise size",
        ParamType.INT,
        128,
        "Size of the random input of the generator network.",
        minimum=8,
        maximum=512,
        step=8,
        advanced=True,
    ),
    Param(
        "generator_dim",
        "Generator layers",
        ParamType.CHOICE,
        "256,256",
        "Widths of the generator's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "discriminator_dim",
        "Discriminator layers",
        ParamType.CHOICE,
        "256,256",
        "Widths of the discriminator's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "generator_lr",
        "Generator learning rate",
        ParamType.FLOAT,
        2e-4,
        "Step size of the generator's optimiser.",
        minimum=1e-5,
        maximum=1e-2,
        step=1e-5,
        advanced=True,
    ),
    Param(
        "discriminator_lr",
        "Discriminator learning rate",
        ParamType.FLOAT,
        2e-4,
        "Step size of the discriminator's optimiser.",
        minimum=1e-5,
        maximum=1e-2,
        step=1e-5,
        advanced=True,
    ),
    Param(
        "discriminator_steps",
        "Discriminator steps",
        ParamType.INT,
        1,
        "Discriminator updates per generator update.",
        minimum=1,
        maximum=10,
        step=1,
        advanced=True,
    ),
    Param(
        "pac",
        "Pac size",
        ParamType.INT,
        10,
        "Rows the discriminator judges together (PacGAN); the batch size must be a multiple.",
        minimum=1,
        maximum=20,
        step=1,
        advanced=True,
    ),
    Param(
        "log_frequency",
        "Sample rare categories more",
        ParamType.BOOL,
        True,
        "Train on categories in proportion to the log of their frequency, so rare ones are learnt.",
        advanced=True,
    ),
    *_BOUNDS,
)

_TVAE_PARAMS = (
    _epochs(100),
    _batch_size("Rows per training step. Larger is faster per epoch."),
    Param(
        "embedding_dim",
        "Latent size",
        ParamType.INT,
        128,
        "Size of the encoded representation of a row.",
        minimum=8,
        maximum=512,
        step=8,
    ),
    Param(
        "compress_dims",
        "Encoder layers",
        ParamType.CHOICE,
        "128,128",
        "Widths of the encoder's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "decompress_dims",
        "Decoder layers",
        ParamType.CHOICE,
        "128,128",
        "Widths of the decoder's hidden layers.",
        choices=_LAYERS,
        advanced=True,
    ),
    Param(
        "l2scale",
        "Weight decay",
        ParamType.FLOAT,
        1e-5,
        "Regularisation of the network weights.",
        minimum=0.0,
        maximum=1e-2,
        step=1e-6,
        advanced=True,
    ),
    Param(
        "loss_factor",
        "Reconstruction weight",
        ParamType.FLOAT,
        2.0,
        "Weight of the reconstruction error against the KL term.",
        minimum=0.1,
        maximum=10.0,
        step=0.1,
        advanced=True,
    ),
    *_BOUNDS,
)


def _check_pac(params: Mapping[str, ParamValue]) -> None:
    if int(params["batch_size"]) % int(params["pac"]) != 0:
        raise ParamError(
            f"The batch size ({params['batch_size']}) must be a multiple of pac ({params['pac']})."
        )


GAUSSIAN_COPULA = GeneratorInfo(
    name="gaussian_copula",
    label="Gaussian copula (SDV)",
    description=(
        "Fits a distribution to each column and their correlations with a Gaussian copula. "
        "Fast; good at marginals and linear relations, weaker on non-linear ones."
    ),
    kind=GeneratorKind.STATISTICAL,
    params=(_DISTRIBUTION, *_BOUNDS),
    licence=_LICENCE,
    conditional=True,
    requires=("sdv",),
    install_hint=_INSTALL,
    estimate=copula_estimate,
    # Census-shaped, 800,000 training rows (README, "The fit's row cap"): quality 0.839 / 0.829
    # / 0.830 / 0.802 / 0.794 at 10k / 30k / 100k / 300k / every row, detection AUC 1.000 at
    # every cap; 10k lost a rare category in one of two seeds, 30k none; 30,000 is the
    # smallest that keeps every category, at a quarter of 100,000's time.
    fit_rows=30_000,
)

CTGAN = GeneratorInfo(
    name="ctgan",
    label="CTGAN (SDV)",
    description=(
        "A conditional generative adversarial network for tables: learns complex, non-linear "
        "relations and rare categories; slow on CPU (minutes to hours)."
    ),
    kind=GeneratorKind.NEURAL,
    params=_GAN_PARAMS,
    licence=_LICENCE,
    conditional=True,
    requires=("sdv", "torch"),
    install_hint=_INSTALL,
    estimate=functools.partial(neural_estimate_seconds, "ctgan"),
    advise=functools.partial(wide_columns, "CTGAN (SDV)"),
    privacy_remedy="fewer epochs",
    check=_check_pac,
)

TVAE = GeneratorInfo(
    name="tvae",
    label="TVAE (SDV)",
    description=(
        "A variational autoencoder for tables: often as faithful as CTGAN and several times "
        "faster to train."
    ),
    kind=GeneratorKind.NEURAL,
    params=_TVAE_PARAMS,
    licence=_LICENCE,
    conditional=True,
    requires=("sdv", "torch"),
    install_hint=_INSTALL,
    estimate=functools.partial(neural_estimate_seconds, "tvae"),
    advise=functools.partial(wide_columns, "TVAE (SDV)"),
    privacy_remedy="fewer epochs",
)

COPULA_GAN = GeneratorInfo(
    name="copulagan",
    label="CopulaGAN (SDV)",
    description=(
        "CTGAN on columns first transformed by fitted distributions (a Gaussian copula): can "
        "help with skewed numbers; as slow as CTGAN."
    ),
    kind=GeneratorKind.NEURAL,
    params=(_DISTRIBUTION, *_GAN_PARAMS),
    licence=_LICENCE,
    conditional=True,
    requires=("sdv", "torch"),
    install_hint=_INSTALL,
    estimate=functools.partial(neural_estimate_seconds, "copulagan"),
    advise=functools.partial(wide_columns, "CopulaGAN (SDV)"),
    privacy_remedy="fewer epochs",
    check=_check_pac,
)

register(GAUSSIAN_COPULA, GaussianCopulaGenerator)
register(CTGAN, CtganGenerator)
register(TVAE, TvaeGenerator)
register(COPULA_GAN, CopulaGanGenerator)
