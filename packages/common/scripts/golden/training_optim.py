#!/usr/bin/env python3
"""Golden trajectories of torch.optim (SGD, Adam, AdamW) and torch.optim.lr_scheduler for src/training tests.

Run: /usr/bin/python3 packages/common/scripts/golden/training_optim.py
Writes packages/common/src/training/golden/optim.json and schedules.json.
The optimisation problem: W [3,2], b [2] minimise mean((X W + b - Y)^2) on fixed X [8,3], Y [8,2].
"""
import json, math, os
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "training", "golden")
torch.set_default_dtype(torch.float64)  # the reference trajectory in double precision; the TS side runs float32


def data():
    x = [[math.sin(1.0 + i * 3 + j) for j in range(3)] for i in range(8)]
    y = [[math.cos(0.5 * i + 2 * k) for k in range(2)] for i in range(8)]
    w = [[0.1 * (j - k) + 0.05 * j * k - 0.2 for k in range(2)] for j in range(3)]
    b = [0.3, -0.1]
    return x, y, w, b


OPTIMIZERS = [
    {"name": "sgd-plain", "kind": "sgd", "lr": 0.1, "options": {}},
    {"name": "sgd-momentum-dampening-wd", "kind": "sgd", "lr": 0.05,
     "options": {"momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}},
    {"name": "sgd-nesterov-wd", "kind": "sgd", "lr": 0.05, "options": {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}},
    {"name": "adam", "kind": "adam", "lr": 0.01, "options": {}},
    {"name": "adam-wd-eps", "kind": "adam", "lr": 0.02, "options": {"betas": [0.8, 0.99], "eps": 1e-3, "weight_decay": 0.1}},
    {"name": "adamw", "kind": "adamw", "lr": 0.01, "options": {"weight_decay": 0.1}},
    {"name": "adam-steplr", "kind": "adam", "lr": 0.05, "options": {}, "schedule": {"step_size": 3, "gamma": 0.5}},
]


def make_opt(spec, params):
    o = dict(spec["options"])
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[spec["kind"]]
    return cls(params, lr=spec["lr"], **o)


def optim_golden(steps=12):
    x, y, w0, b0 = data()
    X, Y = torch.tensor(x), torch.tensor(y)
    cases = []
    for spec in OPTIMIZERS:
        W = torch.tensor(w0, requires_grad=True)
        B = torch.tensor(b0, requires_grad=True)
        opt = make_opt(spec, [W, B])
        sched = torch.optim.lr_scheduler.StepLR(opt, **spec["schedule"]) if "schedule" in spec else None
        traj = []
        for _ in range(steps):
            opt.zero_grad()
            loss = ((X @ W + B - Y) ** 2).mean()
            loss.backward()
            opt.step()
            if sched:
                sched.step()
            traj.append({"loss": loss.item(), "W": W.detach().tolist(), "b": B.detach().tolist()})
        state = {}
        for name, p in (("W", W), ("b", B)):
            st = opt.state[p]
            state[name] = {k: (v.tolist() if torch.is_tensor(v) and v.dim() > 0 else float(v)) for k, v in st.items() if v is not None}
        cases.append({**spec, "trajectory": traj, "final_state": state})
    return {"X": x, "Y": y, "W0": w0, "b0": b0, "cases": cases}


def lrs(make_sched, steps, base_lr=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_sched(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def schedules_golden():
    S = torch.optim.lr_scheduler
    cases = [
        {"kind": "step", "options": {"stepSize": 4, "gamma": 0.5}, "lrs": lrs(lambda o: S.StepLR(o, 4, 0.5), 20)},
        {"kind": "multistep", "options": {"milestones": [3, 7, 12], "gamma": 0.2},
         "lrs": lrs(lambda o: S.MultiStepLR(o, [3, 7, 12], 0.2), 20)},
        {"kind": "exponential", "options": {"gamma": 0.9}, "lrs": lrs(lambda o: S.ExponentialLR(o, 0.9), 20)},
        {"kind": "cosine", "options": {"tMax": 10, "etaMin": 0.001},
         "lrs": lrs(lambda o: S.CosineAnnealingLR(o, 10, 0.001), 25)},
        {"kind": "warmupCosine", "options": {"warmupSteps": 5, "totalSteps": 25, "warmupStartFactor": 0.1, "etaMin": 0.0},
         "lrs": lrs(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                                   S.CosineAnnealingLR(o, 20, 0.0)], milestones=[5]), 25)},
    ]
    return {"baseLr": 0.1, "cases": cases}


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "packages/common/scripts/golden/training_optim.py", "torch": torch.__version__}
    with open(os.path.join(OUT, "optim.json"), "w") as f:
        json.dump({**meta, **optim_golden()}, f, indent=1)
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump({**meta, **schedules_golden()}, f, indent=1)
    print("wrote", OUT)
