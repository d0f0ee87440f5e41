"""PyTorch/torchvision training and inference throughput of simple_cnn and resnet18, the twin of bench-zoo.ts.

Run by `npx tsx packages/common/scripts/bench-zoo.ts --with-torch` (or alone: /usr/bin/python3 bench_zoo_torch.py
'<json cases>'). One JSON object per line: model, input, batch, threads, params, train_img_s, infer_img_s.
A training step is forward, cross-entropy, backward and an Adam update on random inputs, as in bench-zoo.ts.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torchvision import models

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'golden'))
from torchvision_zoo import SimpleCnn  # noqa: E402  (the twin of the registry's simple_cnn)


def build(name, channels, classes):
    if name == 'simple_cnn':
        return SimpleCnn(channels, classes)
    if name == 'resnet18':
        return models.resnet18(num_classes=classes)
    raise SystemExit(f'bench_zoo_torch: unknown model {name}')


def bench(case, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    h, w, c = case['input']
    model = build(case['model'], c, case['classes'])
    x = torch.randn(case['batch'], c, h, w)
    y = torch.randint(0, case['classes'], (case['batch'],))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def timed(f, steps):
        for _ in range(case['warmup']):
            f()
        start = time.perf_counter()
        for _ in range(steps):
            f()
        return time.perf_counter() - start

    model.train()
    train_s = timed(step, case['steps'])
    model.eval()
    with torch.no_grad():
        infer_s = timed(lambda: model(x), case['steps'])
    n = case['batch'] * case['steps']
    return {'model': case['model'], 'input': case['input'], 'batch': case['batch'], 'backend': f'torch-{threads}t',
            'params': sum(p.numel() for p in model.parameters()),
            'train_img_s': round(n / train_s, 1), 'infer_img_s': round(n / infer_s, 1)}


def main():
    cases = json.loads(sys.argv[1])
    for case in cases:
        for threads in (1, os.cpu_count() or 1):
            print(json.dumps(bench(case, threads)), flush=True)


if __name__ == '__main__':
    main()
