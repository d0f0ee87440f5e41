#!/usr/bin/env python3
"""Golden values of float32 -> float16 (numpy) and float32 -> bfloat16 (torch) rounding for src/training/precision.

Run: /usr/bin/python3 packages/common/scripts/golden/precision_half.py
Writes packages/common/src/training/golden/precision_half.json. Non-finite numbers are written as "inf", "-inf", "nan".
"""
import json, os
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "training", "golden", "precision_half.json")


def enc(v):
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def main():
    rng = np.random.default_rng(15)
    edge = [0.0, -0.0, 1.0, -1.0, 1 + 2**-11, 1 + 3 * 2**-11, 1 + 2**-11 + 2**-20, 2048 + 1, 2048 + 3, 65504, 65519.99,
            65520, -65520, 70000, 1e10, 3.4e38, 2**-14, 2**-14 * (1 - 2**-11), 2**-24, 2**-25, 2**-25 * 1.0001, 3 * 2**-25,
            1e-8, -1e-8, 1e-30, 0.1, 1 / 3, np.pi, -1e5, float("inf"), float("-inf"), float("nan"),
            1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, 3.3895314e38, 3.3961776e38, 1.17e-38]
    rand = np.concatenate([
        rng.uniform(-4, 4, 200),
        np.exp(rng.uniform(np.log(1e-9), np.log(1e6), 300)) * rng.choice([-1, 1], 300),
    ])
    x = np.array(edge + list(rand), dtype=np.float32)
    f16 = x.astype(np.float16).astype(np.float32)
    bf16 = torch.from_numpy(x.copy()).to(torch.bfloat16).to(torch.float32).numpy()
    doc = {"source": f"scripts/golden/precision_half.py (numpy {np.__version__} float16, torch {torch.__version__} bfloat16)",
           "x": [enc(v) for v in x], "float16": [enc(v) for v in f16], "bfloat16": [enc(v) for v in bf16]}
    with open(OUT, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"wrote {OUT}: {len(x)} values")


if __name__ == "__main__":
    main()
