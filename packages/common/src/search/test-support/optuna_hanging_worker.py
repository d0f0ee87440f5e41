"""A Python Optuna worker with heartbeats whose objective never returns (the interop test SIGKILLs it).

usage: optuna_hanging_worker.py <storage-url> <study-name>
"""
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
storage = optuna.storages.RDBStorage(sys.argv[1], heartbeat_interval=1, grace_period=2)
study = optuna.load_study(study_name=sys.argv[2], storage=storage)


def objective(trial):
    trial.suggest_float("x", -5, 5)
    print("running", trial.number, flush=True)
    while True:
        time.sleep(0.1)


study.optimize(objective, n_trials=1)
