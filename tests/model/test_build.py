"""build_model: the PyMC graph computes DESIGN.md's likelihood, with parameters per kind only."""

from __future__ import annotations

import numpy as np
import pymc as pm
from scipy.special import logsumexp

from forecast.model.build import build_model
from tests.helpers import make_arrays, reference_likelihood


def evaluator(model, *names):
    """Compiled function of value variables returning the named model variables."""
    outputs = model.replace_rvs_by_values([model[name] for name in names])
    return model.compile_fn(outputs, inputs=model.value_vars, on_unused_input="ignore")


def test_marginal_potential_matches_item_level_formula(question):
    rng = np.random.default_rng(21)
    arrays = make_arrays(
        rng.normal(0, 0.5, (60, 4)),
        reliability=rng.uniform(0.3, 1, 60),
        weight=rng.uniform(0.2, 1, 60),
        kind_index=rng.integers(0, 2, 60),
    )
    model = build_model(question, arrays)
    evaluate = evaluator(model, "evidence", "p")
    point = model.initial_point()
    for x in ([0.0, 0.0], [0.7, -1.2], [-1.5, 0.4]):
        point["tau_white"] = np.array(x)
        evidence, p = evaluate(point)
        tau = np.exp(arrays.kind_sd * np.array(x))  # default whitening: x = log(tau) / sd
        log_l = np.log(
            reference_likelihood(arrays.log_lik, tau[arrays.kind_index][:, None], arrays.reliability, arrays.weight)
        )
        expected = logsumexp(np.log(p) + log_l.sum(axis=0))
        assert abs(float(evidence) - expected) < 1e-3


def test_parameters_do_not_grow_with_items(question):
    sizes = []
    for n in (10, 5000):
        model = build_model(question, make_arrays(np.random.default_rng(n).normal(0, 0.5, (n, 4))))
        sizes.append(sum(v.size for v in model.initial_point().values()))
    assert sizes[0] == sizes[1] == 3 + 2  # simplex of 4 outcomes + one tau per kind


def test_conditional_model_is_the_selected_mixture_term(question):
    arrays = make_arrays(np.random.default_rng(22).normal(0, 0.5, (20, 4)))
    full, given = build_model(question, arrays), build_model(question, arrays, given=2)
    point = full.initial_point()
    (log_lik,) = evaluator(full, "log_lik")(point)
    evidence = evaluator(given, "evidence")
    (term,) = evidence({"tau_white": point["tau_white"]})
    assert float(term) == float(log_lik[2])
    with given:
        pm.set_data({"given": np.array(0)})
    (term0,) = evidence({"tau_white": point["tau_white"]})
    assert float(term0) == float(log_lik[0])
