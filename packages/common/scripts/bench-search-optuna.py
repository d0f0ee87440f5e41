"""Python Optuna's side of scripts/bench-search.ts (run by it with /usr/bin/python3).

Reads {"seeds": [...], "n_trials": 50, "timing_trials": 1000, "timing_samples": 20} on stdin and prints JSON:
best value after n_trials of TPESampler(seed) on the 5-D sphere and on Branin, and the TPE sampler's time per
trial (5 parameters) with timing_trials completed trials in the study.
"""
import json
import math
import sys
import time

import numpy as np
import optuna
from optuna import distributions as D
from optuna.trial import create_trial

optuna.logging.set_verbosity(optuna.logging.ERROR)
req = json.load(sys.stdin)


def sphere(trial):
    return sum(trial.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5))


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


out = {"optuna_version": optuna.__version__, "quality": {}}
for name, objective in [("sphere5", sphere), ("branin", branin)]:
    bests = []
    for seed in req["seeds"]:
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective, n_trials=req["n_trials"])
        bests.append(study.best_value)
    out["quality"][name] = bests

# Sampler time per trial with a long history: 5 parameters sampled by TPE, the study in memory.
r = np.random.RandomState(0)
dists = {f"x{i}": D.FloatDistribution(-5, 5) for i in range(5)}
study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
for _ in range(req["timing_trials"]):
    params = {k: float(r.uniform(-5, 5)) for k in dists}
    study.add_trial(create_trial(params=params, distributions=dists, value=sum(v * v for v in params.values())))
sampler = optuna.samplers.TPESampler(seed=1)
start = time.perf_counter()
for _ in range(req["timing_samples"]):
    for name, d in dists.items():
        sampler.sample_independent(study, None, name, d)
out["tpe_seconds_per_trial"] = (time.perf_counter() - start) / req["timing_samples"]
print(json.dumps(out))
