"""Golden values for packages/common/src/search from Debian's python3-optuna 3.1 (numpy 1.24).

Run: /usr/bin/python3 packages/common/scripts/golden/search_optuna.py > packages/common/scripts/golden/search_optuna.json
"""
import binascii
import json
import math

import numpy as np
import optuna
from optuna import distributions as D
from optuna.pruners import HyperbandPruner, MedianPruner, PercentilePruner
from optuna.samplers import RandomSampler, TPESampler
from optuna.samplers._tpe import _erf, _truncnorm
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_gamma, default_weights
from optuna.trial import TrialState, create_trial

optuna.logging.set_verbosity(optuna.logging.ERROR)
out = {"optuna_version": optuna.__version__, "numpy_version": np.__version__}

# numpy's legacy RandomState stream.
r = np.random.RandomState(12345)
out["numpy_random"] = {
    "seed": 12345,
    "random_sample": [r.random_sample() for _ in range(5)],
    "randint_0_10": [int(r.randint(0, 10)) for _ in range(5)],
    "randint_3_1000": [int(r.randint(3, 1000)) for _ in range(5)],
    "choice_p": [int(x) for x in r.choice(4, 6, p=[0.1, 0.2, 0.3, 0.4])],
}

# numpy's unstable argsort (quicksort) on arrays with many ties: TPE's bandwidths depend on its order.
r = np.random.RandomState(0)
out["argsort"] = []
for n in [5, 17, 18, 19, 33, 64, 100, 257]:
    for k in range(3):
        a = r.randint(0, 4 if k < 2 else 50, size=n).astype(float)
        out["argsort"].append({"values": a.tolist(), "argsort": np.argsort(a).tolist()})

# Error function and truncated normal pieces.
xs = [-30.0, -7.5, -3.2, -1.0, -0.3, 0.0, 0.2, 0.9, 1.7, 4.0, 6.5]
out["erf"] = {
    "x": xs,
    "math_erf": [math.erf(x) for x in xs],
    "math_erfc": [math.erfc(x) for x in xs],
    "optuna_erf": [float(v) for v in _erf.erf(np.asarray(xs))],
    "log_ndtr": [float(_truncnorm._log_ndtr_single(x)) for x in xs],
}
pairs = [(-2.0, 1.0), (0.5, 3.0), (-4.0, -1.0), (-0.1, 0.1), (-30.0, -20.0)]
out["truncnorm"] = {
    "ab": pairs,
    "log_gauss_mass": [float(_truncnorm._log_gauss_mass(np.array([a]), np.array([b]))[0]) for a, b in pairs],
    "ppf_q": [0.05, 0.5, 0.93],
    "ppf": [[float(_truncnorm.ppf(np.array([q]), a, b)[0]) for q in [0.05, 0.5, 0.93]] for a, b in pairs],
}

out["gamma"] = {str(n): default_gamma(n) for n in [0, 1, 5, 10, 11, 99, 100, 249, 250, 251, 1000]}
out["weights"] = {str(n): [float(x) for x in default_weights(n)] for n in [0, 3, 25, 26, 30, 40]}

# Parzen estimator mixtures for fixed observations (Optuna's default parameters).
params = _ParzenEstimatorParameters(True, 1.0, True, False, default_weights, False)
cases = {
    "float": (D.FloatDistribution(-5.0, 5.0), [0.3, -2.0, 4.5, 4.4, 1.0]),
    "float_log": (D.FloatDistribution(1e-5, 1.0, log=True), [1e-3, 0.5, 2e-5, 0.01]),
    "float_step": (D.FloatDistribution(0.0, 1.0, step=0.1), [0.2, 0.5, 0.5, 0.9]),
    "int": (D.IntDistribution(1, 9, step=2), [3, 7, 9]),
    "int_log": (D.IntDistribution(1, 1024, log=True), [2, 64, 512, 8]),
    "categorical": (D.CategoricalDistribution(["a", "b", "c"]), [0, 2, 2, 1, 2]),
    "float_many": (D.FloatDistribution(0.0, 10.0), [float(x) for x in np.linspace(0.5, 9.5, 30)[::-1]]),
    "empty": (D.FloatDistribution(0.0, 1.0), []),
}
parzen = {}
for name, (dist, obs) in cases.items():
    pe = _ParzenEstimator({"x": np.asarray(obs, dtype=float)}, {"x": dist}, params)
    is_cat = isinstance(dist, D.CategoricalDistribution)
    probe = [0, 1, 2] if is_cat else [dist.low, (dist.low + dist.high) / 2, dist.high]
    if isinstance(dist, D.FloatDistribution) and dist.step is not None:
        probe = [0.0, 0.5, 1.0]
    if isinstance(dist, D.IntDistribution):
        probe = [dist.low, dist.high] if dist.log else [1, 5, 9]
    rng = np.random.RandomState(7)
    samples = pe.sample(rng, 6)["x"]
    parzen[name] = {
        "distribution_json": D.distribution_to_json(dist),
        "observations": obs,
        "weights": [float(w) for w in pe._weights],
        "mus": None if is_cat else [float(m) for m in pe._mus["x"]],
        "sigmas": None if is_cat else [float(s) for s in pe._sigmas["x"]],
        "categorical_weights": pe._categorical_weights["x"].tolist() if is_cat else None,
        "probe": probe,
        "log_pdf_optuna31": [float(v) for v in pe.log_pdf({"x": np.asarray(probe, dtype=int if is_cat else float)})],
        "samples_seed7": [float(s) for s in samples],
    }
out["parzen"] = parzen


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 9, step=2)
    q = trial.suggest_float("q", 0.0, 1.0, step=0.1)
    k = trial.suggest_int("k", 1, 128, log=True)
    c = trial.suggest_categorical("c", ["relu", "gelu", "tanh"])
    return (x - 1.3) ** 2 + (math.log10(lr) + 3) ** 2 + abs(n - 5) + q + abs(math.log2(k) - 4) + {"relu": 0.5, "gelu": 0.0, "tanh": 1.0}[c]


def run(sampler, n_trials):
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=n_trials)
    return [{"params": t.params, "value": t.value} for t in study.trials]


out["random_sequence"] = {"seed": 5, "trials": run(RandomSampler(seed=5), 8)}
out["tpe_sequence"] = {"seed": 3, "trials": run(TPESampler(seed=3), 30)}
out["tpe_sequence_maximize"] = {"seed": 11}
study = optuna.create_study(sampler=TPESampler(seed=11, n_startup_trials=4), direction="maximize")
study.optimize(lambda t: -objective(t), n_trials=15)
out["tpe_sequence_maximize"]["trials"] = [{"params": t.params, "value": t.value} for t in study.trials]


# Pruners: decisions for scripted curves.
def curves_study(curves, direction="minimize", name="pruning-study"):
    study = optuna.create_study(direction=direction, study_name=name)
    for values in curves:
        study.add_trial(create_trial(state=TrialState.COMPLETE, value=values[-1],
                                     intermediate_values=dict(enumerate(values))))
    return study


completed = [[5.0, 4.0, 3.0, 2.0], [6.0, 5.0, 4.5, 4.0], [4.0, 3.5, 3.0, 2.5], [7.0, 6.0, 5.0, 4.5],
             [5.5, 5.0, 4.0, 3.5], [3.0, 2.0, 1.0, 0.5]]
probes = [[4.6], [6.0], [5.0, 4.4], [5.0, 5.0, 4.2], [5.0, 5.0, 3.9, 3.0], [float("nan")], [8.0, 1.0]]


def decisions(pruner, study):
    result = []
    for curve in probes:
        trial = study.ask()
        for step, v in enumerate(curve):
            trial.report(v, step)
        frozen = study._storage.get_trial(trial._trial_id)
        result.append(bool(pruner.prune(study, frozen)))
        study.tell(trial, state=TrialState.FAIL)
    return result


out["pruners"] = {
    "completed": completed,
    "probes": [[None if math.isnan(v) else v for v in c] for c in probes],
    "median": decisions(MedianPruner(), curves_study(completed)),
    "median_startup_10": decisions(MedianPruner(n_startup_trials=10), curves_study(completed)),
    "median_warmup_2": decisions(MedianPruner(n_warmup_steps=2), curves_study(completed)),
    "percentile_25": decisions(PercentilePruner(25.0), curves_study(completed)),
    "percentile_25_maximize": decisions(PercentilePruner(25.0), curves_study(completed, "maximize")),
    "median_interval_2": decisions(MedianPruner(interval_steps=2, n_warmup_steps=1), curves_study(completed)),
}

# Hyperband: brackets, budgets and the bracket of each trial number.
hb = HyperbandPruner(min_resource=1, max_resource=81, reduction_factor=3)
hb_study = optuna.create_study(study_name="hyperband-study", pruner=hb)
hb._try_initialization(hb_study)
out["hyperband"] = {
    "study_name": "hyperband-study",
    "n_brackets": hb._n_brackets,
    "budgets": hb._trial_allocation_budgets,
    "bracket_of_number": [],
}

for number in range(40):
    n = binascii.crc32("{}_{}".format("hyperband-study", number).encode()) % hb._total_trial_allocation_budget
    for b in range(hb._n_brackets):
        n -= hb._trial_allocation_budgets[b]
        if n < 0:
            out["hyperband"]["bracket_of_number"].append(b)
            break

# Hyperband run: a deterministic objective with learning curves; record each trial's state and last step.
hb_run = optuna.create_study(study_name="hb-run", sampler=RandomSampler(seed=0),
                             pruner=HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3))


def curve_objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    for step in range(27):
        value = (x - 0.3) ** 2 + 1.0 / (step + 1)
        trial.report(value, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return value


hb_run.optimize(curve_objective, n_trials=40)
out["hyperband_run"] = [{"x": t.params["x"], "state": t.state.name, "last_step": t.last_step,
                         "rungs": sorted(k for k in t.system_attrs if k.startswith("completed_rung"))}
                        for t in hb_run.trials]

# fANOVA importances (Optuna's default evaluator, scikit-learn's forest) on functions with known variance shares.
from optuna.importance import FanovaImportanceEvaluator, get_param_importances  # noqa: E402

r = np.random.RandomState(0)
fanova_cases = {}
for name, with_cat in [("linear", False), ("with_categorical", True)]:
    points = []
    for _ in range(200):
        p = {"x0": float(r.uniform(0, 1)), "x1": float(r.uniform(0, 1)), "x2": float(r.uniform(0, 1))}
        if with_cat:
            p["c"] = ["a", "b", "c"][int(r.randint(0, 3))]
        points.append(p)
    dists = {"x0": D.FloatDistribution(0, 1), "x1": D.FloatDistribution(0, 1), "x2": D.FloatDistribution(0, 1)}
    if with_cat:
        dists["c"] = D.CategoricalDistribution(["a", "b", "c"])

    def f(p):
        return 10 * p["x0"] + p["x1"] + (3.0 if p.get("c") == "b" else 0.0)

    study = optuna.create_study()
    for p in points:
        study.add_trial(create_trial(params=p, distributions=dists, value=f(p)))
    fanova_cases[name] = {
        "points": points,
        "values": [f(p) for p in points],
        "importances": dict(get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))),
    }
out["fanova"] = fanova_cases

# Successive halving alone, with its defaults (min_resource "auto", reduction factor 4), on the same curves.
sh_run = optuna.create_study(study_name="sh-run", sampler=RandomSampler(seed=0),
                             pruner=optuna.pruners.SuccessiveHalvingPruner())
sh_run.optimize(curve_objective, n_trials=30)
out["successive_halving_run"] = [{"x": t.params["x"], "state": t.state.name, "last_step": t.last_step,
                                  "rungs": sorted(k for k in t.system_attrs if k.startswith("completed_rung"))}
                                 for t in sh_run.trials]

# Distribution JSON as stored in trial_params.distribution_json.
out["distribution_json"] = [
    D.distribution_to_json(D.FloatDistribution(1e-5, 1.0, log=True)),
    D.distribution_to_json(D.FloatDistribution(0.0, 1.0, step=0.1)),
    D.distribution_to_json(D.FloatDistribution(0.0, 1.05, step=0.1)),
    D.distribution_to_json(D.FloatDistribution(-3.5, 1e20)),
    D.distribution_to_json(D.IntDistribution(1, 10, step=2)),
    D.distribution_to_json(D.IntDistribution(1, 1024, log=True)),
    D.distribution_to_json(D.CategoricalDistribution(["a", 1, None, 2.5, True, "é"])),
]
print(json.dumps(out, indent=1))
