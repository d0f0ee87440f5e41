#!/usr/bin/python3
"""Golden values for packages/common/src/tda from GUDHI (Debian python3-gudhi 3.7.1, python3-pot).

Writes packages/common/src/tda/golden/{rips,distances}.json: the inputs and GUDHI's outputs.
Infinity is written as the string "inf" (JSON has no Infinity).

    /usr/bin/python3 packages/common/scripts/golden/tda_golden.py
"""
import json
import math
import os

import gudhi
import gudhi.wasserstein
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'tda', 'golden')
rng = np.random.default_rng(20261123)


def enc(x):
    return 'inf' if x == math.inf else float(x)


def enc_pairs(pairs):
    return [[enc(b), enc(d)] for b, d in pairs]


# ---------------------------------------------------------------- Vietoris-Rips point clouds

def circle(n, r=1.0, noise=0.05, dim=2):
    t = rng.uniform(0, 2 * np.pi, n)
    pts = np.zeros((n, dim))
    pts[:, 0] = r * np.cos(t)
    pts[:, 1] = r * np.sin(t)
    return pts + rng.normal(0, noise, (n, dim))


def clusters(n, k, dim, spread=0.1):
    centres = rng.uniform(-3, 3, (k, dim))
    labels = rng.integers(0, k, n)
    return centres[labels] + rng.normal(0, spread, (n, dim))


def rips_case(name, pts=None, dmat=None):
    if dmat is not None:
        rc = gudhi.RipsComplex(distance_matrix=dmat, max_edge_length=math.inf)
    else:
        rc = gudhi.RipsComplex(points=pts, max_edge_length=math.inf)
    st = rc.create_simplex_tree(max_dimension=2)
    st.compute_persistence()
    case = {'name': name}
    if dmat is not None:
        case['distanceMatrix'] = [[float(v) for v in row] for row in dmat]
    else:
        case['points'] = [[float(v) for v in p] for p in pts]
    case['h0'] = enc_pairs(sorted(map(tuple, st.persistence_intervals_in_dimension(0))))
    case['h1'] = enc_pairs(sorted(map(tuple, st.persistence_intervals_in_dimension(1))))
    return case


def rips_cases():
    cases = []
    cases.append(rips_case('one point', np.array([[0.5, -1.0]])))
    cases.append(rips_case('two points', np.array([[0.0, 0.0], [3.0, 4.0]])))
    cases.append(rips_case('two equal points', np.array([[1.0, 1.0], [1.0, 1.0]])))
    cases.append(rips_case('square (ties)', np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])))
    cases.append(rips_case('integer grid 5x5 (many ties)', np.array([[i, j] for i in range(5) for j in range(5)], dtype=float)))
    cases.append(rips_case('noisy circle 2-D', np.round(circle(40), 6)))
    cases.append(rips_case('two circles 3-D', np.round(np.vstack([circle(30, 1.0, 0.03, 3), circle(30, 2.0, 0.03, 3) + 5.0]), 6)))
    cases.append(rips_case('clusters 5-D', np.round(clusters(50, 3, 5), 6)))
    base = np.round(rng.normal(0, 1, (20, 3)), 4)
    cases.append(rips_case('duplicates', np.vstack([base, base[:12], base[:4]])))
    cases.append(rips_case('circle offset 1e6', np.round(circle(30, 1.0, 0.05, 3), 6) + 1e6))
    cases.append(rips_case('clusters offset 1e6 8-D', np.round(clusters(40, 2, 8), 6) + 1e6))
    for dim in (2, 3, 4, 8, 12, 16):
        n = int(rng.integers(10, 70))
        cases.append(rips_case(f'uniform {n} points {dim}-D', np.round(rng.uniform(0, 1, (n, dim)), 6)))
    cases.append(rips_case('rounded (ties) 20 points 3-D', np.round(rng.uniform(0, 4, (20, 3)))))
    n = 25
    m = rng.uniform(1, 10, (n, n))
    m = np.round((m + m.T) / 2, 3)
    np.fill_diagonal(m, 0)
    cases.append(rips_case('non-metric distance matrix', dmat=m))
    return cases


# ---------------------------------------------------------------- diagrams for bottleneck / Wasserstein

def random_diagram(n, scale=1.0, decimals=None):
    b = rng.uniform(0, scale, n)
    d = b + rng.exponential(scale / 4, n)
    pts = np.stack([b, d], axis=1) if n else np.zeros((0, 2))
    return np.round(pts, decimals) if decimals is not None else pts


def with_essential(pts, births):
    ess = np.array([[b, math.inf] for b in births]) if len(births) else np.zeros((0, 2))
    return np.vstack([pts, ess])


def distance_case(name, a, b):
    a = np.asarray(a, dtype=float).reshape(-1, 2)
    b = np.asarray(b, dtype=float).reshape(-1, 2)
    return {
        'name': name,
        'a': enc_pairs(a.tolist()),
        'b': enc_pairs(b.tolist()),
        'bottleneck': enc(gudhi.bottleneck_distance(a, b, e=0)),
        'wasserstein1': enc(gudhi.wasserstein.wasserstein_distance(a, b, order=1, internal_p=math.inf, keep_essential_parts=True)),
        'wasserstein2': enc(gudhi.wasserstein.wasserstein_distance(a, b, order=2, internal_p=math.inf, keep_essential_parts=True)),
    }


def distance_cases():
    cases = []
    empty = np.zeros((0, 2))
    cases.append(distance_case('empty vs empty', empty, empty))
    cases.append(distance_case('empty vs one point', empty, [[1.0, 3.0]]))
    cases.append(distance_case('one point vs empty', [[0.5, 0.75]], empty))
    d = random_diagram(30, decimals=3)
    cases.append(distance_case('identical', d, d.copy()))
    cases.append(distance_case('permuted copy', d, d[rng.permutation(len(d))]))
    cases.append(distance_case('duplicates', np.vstack([d[:10], d[:10], d[:3]]), np.vstack([d[:10], d[5:12]])))
    cases.append(distance_case('diagonal points only', [[1.0, 1.0], [2.0, 2.0]], [[0.5, 0.5]]))
    cases.append(distance_case('diagonal points mixed in', np.vstack([d[:15], [[0.3, 0.3], [0.7, 0.7]]]), np.vstack([d[10:25], [[0.1, 0.1]]])))
    cases.append(distance_case('essential equal counts', with_essential(d[:20], [0.0, 0.4]), with_essential(d[5:30], [0.1, 0.2])))
    cases.append(distance_case('essential only', with_essential(empty, [0.0, 1.0, 2.0]), with_essential(empty, [0.5, 1.0, 4.0])))
    cases.append(distance_case('essential different counts', with_essential(d[:10], [0.0]), with_essential(d[:10], [0.0, 0.2])))
    cases.append(distance_case('essential vs none', with_essential(empty, [0.0]), d[:5]))
    cases.append(distance_case('integer grid ties', np.round(random_diagram(40, scale=10)), np.round(random_diagram(35, scale=10))))
    cases.append(distance_case('offset 1e6', random_diagram(50, decimals=6) + 1e6, random_diagram(45, decimals=6) + 1e6))
    cases.append(distance_case('one point each', [[0.0, 1.0]], [[0.2, 1.1]]))
    cases.append(distance_case('far apart', random_diagram(20), random_diagram(20) + 100.0))
    for n1, n2 in [(1, 5), (7, 3), (25, 25), (60, 40), (100, 100), (150, 120), (200, 250), (300, 300), (300, 10), (0, 300)]:
        cases.append(distance_case(f'random {n1} vs {n2}', random_diagram(n1), random_diagram(n2)))
    for n1, n2 in [(80, 90), (300, 280)]:
        cases.append(distance_case(f'rounded random {n1} vs {n2}', random_diagram(n1, decimals=2), random_diagram(n2, decimals=2)))
    # Two noisy samples of one diagram: a small distance decided by close points.
    base = random_diagram(150)
    noisy = base + rng.normal(0, 0.01, base.shape)
    noisy[:, 1] = np.maximum(noisy[:, 1], noisy[:, 0])
    cases.append(distance_case('perturbed 150', base, noisy))
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {'generator': 'packages/common/scripts/golden/tda_golden.py', 'gudhi': gudhi.__version__}
    for name, cases in (('rips.json', rips_cases()), ('distances.json', distance_cases())):
        with open(os.path.join(OUT, name), 'w') as f:
            json.dump({**meta, 'cases': cases}, f, separators=(',', ':'))
            f.write('\n')
        print(name, len(cases), 'cases')


if __name__ == '__main__':
    main()
