#!/usr/bin/python3
"""Golden learning rates of gravity-vit's default recipe: AdamW at lr 1e-4, per epoch a linear warm-up over 5 epochs
(torch LinearLR, start_factor 0.01) then cosine down to 1e-6 (CosineAnnealingLR, T_max = epochs - 5), chained with
SequentialLR(milestones=[5]); 50 epochs, and a short 12-epoch run with 3 warm-up epochs.

Run: /usr/bin/python3 projects/gravity-vit/scripts/golden/schedule_golden.py (Debian's python3-torch).
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def lrs(epochs, warmup, start_factor, eta_min, base_lr=1e-4):
    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=base_lr, weight_decay=0.05)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs - warmup, eta_min=eta_min)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[warmup])
    out = []
    for _ in range(epochs):
        out.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    return out


cases = [
    {'epochs': 50, 'warmup_epochs': 5, 'warmup_start_factor': 0.01, 'eta_min': 1e-6, 'lr': 1e-4},
    {'epochs': 12, 'warmup_epochs': 3, 'warmup_start_factor': 0.01, 'eta_min': 1e-6, 'lr': 1e-4},
]
for c in cases:
    c['lrs'] = lrs(c['epochs'], c['warmup_epochs'], c['warmup_start_factor'], c['eta_min'], c['lr'])
with open(os.path.join(HERE, 'schedule_golden.json'), 'w') as f:
    json.dump({'generator': 'projects/gravity-vit/scripts/golden/schedule_golden.py', 'torch': torch.__version__, 'cases': cases}, f, indent=1)
    f.write('\n')
print([round(x, 9) for x in cases[0]['lrs'][:8]])
