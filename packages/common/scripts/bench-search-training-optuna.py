# Python Optuna's TPESampler driven by ask/tell for bench-search-training.ts: for each seed, 50 trials whose
# parameters go out as JSON lines on stdout and whose values (validation accuracy, trained by Node) come back on stdin.
# Usage (started by the benchmark): python3 bench-search-training-optuna.py <first seed> <seeds> <trials>
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
first, seeds, trials = (int(a) for a in sys.argv[1:4])
for seed in range(first, first + seeds):
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    for _ in range(trials):
        t = study.ask()
        params = {
            "lr": t.suggest_float("lr", 1e-4, 1.0, log=True),
            "hidden": t.suggest_int("hidden", 8, 128, log=True),
            "momentum": t.suggest_float("momentum", 0.0, 0.99),
            "batch_size": t.suggest_categorical("batch_size", [16, 32, 64, 128]),
        }
        print(json.dumps(params), flush=True)
        study.tell(t, float(sys.stdin.readline()))
    print(json.dumps({"seed": seed, "best": study.best_value}), flush=True)
