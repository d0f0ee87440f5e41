#!/usr/bin/env python3
"""Golden values of torch.nn.GroupNorm (forward and gradients) for src/models/layers/group-norm tests.

Inputs are channels-last as in tfjs ([B, ..., C]); torch gets them transposed to channels-first.
Run: /usr/bin/python3 packages/common/scripts/golden/models_group_norm.py
Writes packages/common/src/models/layers/golden/group_norm.json.
"""
import json, os
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "models", "layers", "golden", "group_norm.json")
torch.set_default_dtype(torch.float64)


def case(shape, groups, seed, eps=1e-5):
    g = torch.Generator().manual_seed(seed)
    c = shape[-1]
    x = torch.randn(*shape, generator=g) * 3 + 1
    gamma = torch.randn(c, generator=g)
    beta = torch.randn(c, generator=g)
    w = torch.randn(*shape, generator=g)
    layer = torch.nn.GroupNorm(groups, c, eps=eps)
    with torch.no_grad():
        layer.weight.copy_(gamma)
        layer.bias.copy_(beta)
    xs = x.clone().requires_grad_(True)
    perm = [0, len(shape) - 1] + list(range(1, len(shape) - 1))  # channels-last -> channels-first
    inv = [0] + list(range(2, len(shape))) + [1]
    y = layer(xs.permute(*perm)).permute(*inv)
    (y * w).sum().backward()
    return {"shape": list(shape), "groups": groups, "eps": eps, "x": x.flatten().tolist(), "gamma": gamma.tolist(),
            "beta": beta.tolist(), "w": w.flatten().tolist(), "y": y.detach().flatten().tolist(),
            "dx": xs.grad.flatten().tolist(), "dgamma": layer.weight.grad.tolist(), "dbeta": layer.bias.grad.tolist()}


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    doc = {"source": f"scripts/golden/models_group_norm.py (torch {torch.__version__})",
           "cases": [case((2, 3, 3, 6), 3, 0), case((2, 5, 4), 2, 1), case((3, 2, 2, 4), 1, 2), case((2, 4), 4, 3)]}
    with open(OUT, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
