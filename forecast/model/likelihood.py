"""The evidence likelihood of DESIGN.md for one item, vectorised over items and tau values.

For item j with log relative likelihoods a_jk, diagnosticity tau, reliability r and weight w:
``a'_jk = tau * a_jk`` renormalised so mean_k exp(a'_jk) = 1, then
``log l_jk = w * log(r * exp(a'_jk) + 1 - r)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp


def log_item_likelihood(
    log_lik: np.ndarray, tau: np.ndarray, reliability: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Weighted log l_jk; ``tau``, ``reliability`` and ``weight`` broadcast against ``log_lik[..., j, k]``
    without the last axis (so a grid of tau values can sit in front)."""
    tempered = tau[..., None] * log_lik
    tempered = tempered - logsumexp(tempered, axis=-1, keepdims=True) + np.log(log_lik.shape[-1])
    with np.errstate(divide="ignore"):
        log_r, log_not_r = np.log(reliability), np.log1p(-reliability)
    return weight[..., None] * np.logaddexp(tempered + log_r[..., None], log_not_r[..., None])
