#!/usr/bin/python3
"""Reference timings for packages/common/scripts/bench-tda.ts: GUDHI on the benchmark's own inputs (.npy files).

    /usr/bin/python3 tda_bench_reference.py bottleneck a.npy b.npy    # gudhi.bottleneck_distance(e=0), exact
    /usr/bin/python3 tda_bench_reference.py wasserstein a.npy b.npy   # gudhi.wasserstein (POT), order 1, internal_p=inf
    /usr/bin/python3 tda_bench_reference.py rips points.npy           # gudhi.RipsComplex(max_edge_length=inf), H0 + H1

Prints one JSON object: the value(s), the seconds of the computation alone (not the imports or the loading) and
the peak resident memory of the process.
"""
import json
import math
import resource
import sys
import time

import gudhi
import gudhi.wasserstein  # needs python3-pot
import numpy as np


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def enc(pairs):
    return [[float(b), 'inf' if d == math.inf else float(d)] for b, d in pairs]


def main():
    task = sys.argv[1]
    if task in ('bottleneck', 'wasserstein'):
        a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
        start = time.perf_counter()
        if task == 'bottleneck':
            value = gudhi.bottleneck_distance(a, b, e=0)
        else:
            value = gudhi.wasserstein.wasserstein_distance(a, b, order=1, internal_p=math.inf)
        seconds = time.perf_counter() - start
        print(json.dumps({'value': value, 'seconds': seconds, 'peak_mb': peak_mb()}))
    elif task == 'rips':
        points = np.load(sys.argv[2])
        start = time.perf_counter()
        st = gudhi.RipsComplex(points=points, max_edge_length=math.inf).create_simplex_tree(max_dimension=2)
        st.compute_persistence()
        h0 = st.persistence_intervals_in_dimension(0)
        h1 = st.persistence_intervals_in_dimension(1)
        seconds = time.perf_counter() - start
        print(json.dumps({'h0': enc(h0), 'h1': enc(h1), 'seconds': seconds, 'peak_mb': peak_mb()}))
    else:
        raise SystemExit(f'unknown task {task!r}: expected bottleneck, wasserstein or rips')


if __name__ == '__main__':
    main()
