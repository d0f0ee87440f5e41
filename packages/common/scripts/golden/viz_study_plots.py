"""Golden values for packages/common/src/viz/search: what Debian's python3-optuna 3.1 plots for one study.

The data behind optuna.visualization's plots (the private _get_*_info functions the plotly figures are drawn from; no
plotly needed): optimisation history (values, best so far), slice, parallel coordinates (dimension values and
ranges), intermediate values, and fANOVA importances.

Run (from the repository root):
  /usr/bin/python3 packages/common/scripts/golden/viz_study_plots.py \
    > packages/common/scripts/golden/viz_study_plots.json
"""
import json

import numpy as np
import optuna
from optuna import distributions as D
from optuna.trial import TrialState, create_trial
from optuna.visualization._intermediate_values import _get_intermediate_plot_info
from optuna.visualization._optimization_history import _get_optimization_history_info_list
from optuna.visualization._parallel_coordinate import _get_parallel_coordinate_info
from optuna.visualization._slice import _get_slice_plot_info

optuna.logging.set_verbosity(optuna.logging.ERROR)

distributions = {
    "x": D.FloatDistribution(-3.0, 3.0),
    "lr": D.FloatDistribution(1e-5, 1e-1, log=True),
    "act": D.CategoricalDistribution(["relu", "gelu", "tanh"]),
    "width": D.IntDistribution(16, 128, step=16),
}
rng = np.random.RandomState(3)
study = optuna.create_study(study_name="golden", direction="minimize")
trials = []
for i in range(24):
    params = {
        "x": float(rng.uniform(-3, 3)),
        "lr": float(10 ** rng.uniform(-5, -1)),
        "act": ["relu", "gelu", "tanh"][int(rng.randint(0, 3))],
        "width": int(16 * rng.randint(1, 9)),
    }
    value = (params["x"] - 1) ** 2 + 0.3 * (np.log10(params["lr"]) + 3) ** 2 + (0 if params["act"] == "gelu" else 0.5)
    state = TrialState.FAIL if i == 7 else TrialState.PRUNED if i % 6 == 5 else TrialState.COMPLETE
    steps = 3 if state == TrialState.PRUNED else 5
    intermediate = {s: float(value + 4.0 / (s + 1)) for s in range(steps)} if state != TrialState.FAIL else {}
    final = None
    if state != TrialState.FAIL:
        final = intermediate[steps - 1] if state == TrialState.PRUNED else float(value)
    study.add_trial(
        create_trial(
            params=params, distributions=distributions, value=final, state=state, intermediate_values=intermediate
        )
    )

out = {
    "optuna_version": optuna.__version__,
    "direction": "MINIMIZE",
    "distributions": {k: D.distribution_to_json(v) for k, v in distributions.items()},
    "trials": [
        {
            "number": t.number,
            "state": t.state.name,
            "value": t.value,
            "params": t.params,
            "intermediate": [[s, v] for s, v in sorted(t.intermediate_values.items())],
        }
        for t in study.trials
    ],
}

[history] = _get_optimization_history_info_list(study, None, "Objective Value", False)
out["history"] = {
    "numbers": history.trial_numbers,
    "values": history.values_info.values,
    "best": [float(v) for v in history.best_values_info.values],
}

out["slice"] = {
    s.param_name: {"x": s.x, "y": s.y, "numbers": s.trial_numbers}
    for s in _get_slice_plot_info(study, None, None, "Objective Value").subplots
}

for params in (None, ["lr", "act"]):
    info = _get_parallel_coordinate_info(study, params)
    dims = [info.dim_objective] + list(info.dims_params)
    out["parallel" if params is None else "parallel_lr_act"] = [
        {"label": d.label, "values": [float(v) for v in d.values], "range": [float(r) for r in d.range]} for d in dims
    ]

out["intermediate"] = [
    {"number": t.trial_number, "values": [[s, v] for s, v in t.sorted_intermediate_values]}
    for t in _get_intermediate_plot_info(study).trial_infos
]

out["importances"] = optuna.importance.get_param_importances(
    study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0)
)
print(json.dumps(out, indent=1))
