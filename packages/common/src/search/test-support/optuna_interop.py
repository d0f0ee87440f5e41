"""Python Optuna 3.1 side of the interop tests. Reads a JSON list of requests on stdin (run in order, in one
process, because importing optuna takes seconds), prints the JSON list of answers.

modes:
  dump     load the study and print every trial (what Optuna sees)
  optimize add n trials with TPESampler(seed) on a fixed objective
  suggest  what TPESampler(seed) would suggest next for the given distributions, given the study's trials
  schema   create an empty study (Optuna's own DDL) in the storage
  fail_stale  Optuna's fail_stale_trials with heartbeat_interval 1, grace_period 2; the trials' states after it
"""
import json
import math
import sys

import optuna
from optuna import distributions as D

optuna.logging.set_verbosity(optuna.logging.ERROR)
requests = json.load(sys.stdin)


def finite(v):
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def handle(req):
    mode = req["mode"]
    if mode == "schema":
        optuna.create_study(storage=req["url"], study_name=req["study"])
        return {"ok": True}
    elif mode == "dump":
        try:
            study = optuna.load_study(study_name=req["study"], storage=req["url"])
        except Exception as e:  # noqa: BLE001 - report the refusal to the test
            return {"error": f"{type(e).__name__}: {e}"}
        trials = []
        for t in study.get_trials(deepcopy=False):
            trials.append({
                "number": t.number,
                "state": t.state.name,
                "values": [finite(v) for v in t.values] if t.values is not None else None,
                "params": t.params,
                "distributions": {k: D.distribution_to_json(d) for k, d in t.distributions.items()},
                "intermediate_values": {str(k): finite(v) for k, v in t.intermediate_values.items()},
                "user_attrs": t.user_attrs,
                "system_attrs": t.system_attrs,
                "has_start": t.datetime_start is not None,
                "has_complete": t.datetime_complete is not None,
            })
        return {"direction": study.direction.name, "trials": trials,
                "best_value": study.best_value if any(t["state"] == "COMPLETE" for t in trials) else None}
    elif mode == "optimize":
        study = optuna.load_study(study_name=req["study"], storage=req["url"],
                                  sampler=optuna.samplers.TPESampler(seed=req["seed"]))

        def objective(trial):
            x = trial.suggest_float("x", -5, 5)
            lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
            c = trial.suggest_categorical("c", ["a", "b", "c"])
            return (x - 2) ** 2 + abs(math.log10(lr) + 2) + {"a": 1.0, "b": 0.0, "c": 2.0}[c]

        study.optimize(objective, n_trials=req["n_trials"])
        return {"n": len(study.trials)}
    elif mode == "fail_stale":
        from optuna.storages._heartbeat import fail_stale_trials

        storage = optuna.storages.RDBStorage(req["url"], heartbeat_interval=1, grace_period=2)
        study = optuna.load_study(study_name=req["study"], storage=storage)
        fail_stale_trials(study)
        return {"states": [t.state.name for t in study.get_trials(deepcopy=False)]}
    elif mode == "suggest":
        study = optuna.load_study(study_name=req["study"], storage=req["url"])
        sampler = optuna.samplers.TPESampler(seed=req["seed"])
        out = {}
        for name, dist_json in req["distributions"]:
            out[name] = sampler.sample_independent(study, None, name, D.json_to_distribution(dist_json))
        return out


print(json.dumps([handle(r) for r in requests]))
