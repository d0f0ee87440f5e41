#!/usr/bin/env python3
"""Golden values of the RDP accountant (sampled Gaussian mechanism) for src/training/privacy tests.

Opacus is not installable here, so this script implements the formulas of Opacus' accountants/analysis/rdp.py
(log-space binomial expansion for integer orders, the two erfc series for fractional orders, scipy's log_ndtr,
Balle et al. 2020's conversion) and opacus.accountants.utils.get_noise_multiplier, independently of the TypeScript.
Opacus' own unit test constant (q=0.04, sigma=1.5, 2250 steps, delta=1e-5 -> 7.32911117143) checks this script.

Run: /usr/bin/python3 packages/common/scripts/golden/privacy_rdp.py
Writes packages/common/src/training/golden/privacy_rdp.json.
"""
import json, math, os
import numpy as np
from scipy import special

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "training", "golden", "privacy_rdp.json")
ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))


def log_add(x, y):
    a, b = min(x, y), max(x, y)
    return b if a == -np.inf else math.log1p(math.exp(a - b)) + b


def log_sub(x, y):
    assert x >= y
    if y == -np.inf:
        return x
    if x == y:
        return -np.inf
    try:
        return math.log(math.expm1(x - y)) + y
    except OverflowError:
        return x


def log_erfc(x):
    return math.log(2) + special.log_ndtr(-x * 2**0.5)


def log_a_int(q, sigma, alpha):
    log_a = -np.inf
    for i in range(alpha + 1):
        c = math.log(special.binom(alpha, i)) + i * math.log(q) + (alpha - i) * math.log(1 - q)
        log_a = log_add(log_a, c + (i * i - i) / (2 * sigma**2))
    return log_a


def log_a_frac(q, sigma, alpha):
    a0, a1, i = -np.inf, -np.inf, 0
    z0 = sigma**2 * math.log(1 / q - 1) + 0.5
    while True:
        coef = special.binom(alpha, i)
        lc = math.log(abs(coef))
        j = alpha - i
        t0 = lc + i * math.log(q) + j * math.log(1 - q)
        t1 = lc + j * math.log(q) + i * math.log(1 - q)
        e0 = math.log(0.5) + log_erfc((i - z0) / (math.sqrt(2) * sigma))
        e1 = math.log(0.5) + log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        s0 = t0 + (i * i - i) / (2 * sigma**2) + e0
        s1 = t1 + (j * j - j) / (2 * sigma**2) + e1
        if coef > 0:
            a0, a1 = log_add(a0, s0), log_add(a1, s1)
        else:
            a0, a1 = log_sub(a0, s0), log_sub(a1, s1)
        i += 1
        if max(s0, s1) < -30:
            break
    return log_add(a0, a1)


def rdp_one(q, sigma, alpha):
    if q == 0:
        return 0.0
    if sigma == 0:
        return np.inf
    if q == 1.0:
        return alpha / (2 * sigma**2)
    la = log_a_int(q, sigma, int(alpha)) if float(alpha).is_integer() else log_a_frac(q, sigma, alpha)
    return la / (alpha - 1)


def epsilon(q, sigma, steps, delta, orders=ORDERS):
    rdp = np.array([rdp_one(q, sigma, a) for a in orders]) * steps
    o = np.atleast_1d(orders)
    eps = rdp - (np.log(delta) + np.log(o)) / (o - 1) + np.log((o - 1) / o)
    if np.isnan(eps).all():
        return math.inf, math.nan, rdp
    k = int(np.nanargmin(eps))
    return float(eps[k]), float(o[k]), rdp


def noise_multiplier(target_eps, delta, q, epochs=None, steps=None, tol=0.01):
    if steps is None:
        steps = int(epochs / q)
    low, high, eps_high = 0, 10, math.inf
    while eps_high > target_eps:
        high = 2 * high
        eps_high = epsilon(q, high, steps, delta)[0]
    while target_eps - eps_high > tol:
        s = (low + high) / 2
        e = epsilon(q, s, steps, delta)[0]
        if e < target_eps:
            high, eps_high = s, e
        else:
            low = s
    return high


def main():
    eps, order, _ = epsilon(0.04, 1.5, int(90 / 0.04), 1e-5)
    assert abs(eps - 7.32911117143) < 1e-9, eps  # Opacus' test constant
    cases = []
    for q, sigma, steps, delta in [
        (0.04, 1.5, 2250, 1e-5), (0.01, 1.1, 6000, 1e-5), (0.004, 0.8, 10000, 1e-5), (0.1, 3.0, 100, 1e-6),
        (0.001, 0.6, 60000, 1e-5), (256 / 60000, 1.0, 2343, 1e-5), (0.5, 5.0, 10, 1e-3), (1.0, 2.0, 50, 1e-5),
        (0.02, 0.5, 1, 1e-5), (0.3, 0.3, 1000, 1e-5),
    ]:
        e, o, rdp = epsilon(q, sigma, steps, delta)
        probe = {str(a): float(rdp[ORDERS.index(a)]) for a in [1.5, 2.0, 3.9, 10.9, 12, 32, 63]}
        cases.append({"q": q, "sigma": sigma, "steps": steps, "delta": delta, "epsilon": e, "best_order": o, "rdp": probe})
    noise = []
    for spec in [
        {"target_epsilon": 8, "delta": 1e-5, "q": 0.04, "epochs": 90},
        {"target_epsilon": 8, "delta": 1e-5, "q": 0.04, "steps": 2000},
        {"target_epsilon": 1, "delta": 1e-5, "q": 256 / 60000, "epochs": 10},
        {"target_epsilon": 3, "delta": 1e-5, "q": 256 / 60000, "epochs": 10},
    ]:
        sigma = noise_multiplier(spec["target_epsilon"], spec["delta"], spec["q"], spec.get("epochs"), spec.get("steps"))
        noise.append({**spec, "noise_multiplier": sigma})
    erfc = [{"x": x, "log_erfc": float(log_erfc(x))} for x in [-30, -3, -0.5, 0, 0.3, 1, 1.999, 2, 2.5, 5, 12, 27, 40, 300]]
    doc = {"source": "scripts/golden/privacy_rdp.py (Opacus' formulas with scipy " + __import__("scipy").__version__ + ")",
           "opacus_test": {"epsilon": eps, "best_order": order}, "cases": cases, "noise_multiplier": noise, "log_erfc": erfc}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: opacus case eps={eps!r} at order {order}")


if __name__ == "__main__":
    main()
