"""Python's repr() of floats, which MLflow's file store writes in metrics/<key> lines ("<timestamp> <value> <step>").

Run: /usr/bin/python3 packages/common/scripts/golden/tracking_float_repr.py
"""
import json
import os

VALUES = [0.5, 1.0, 0.0, -2.0, 1e-06, 1e-05, 0.0001, 123456789.0, 1e16, 1e15, 1.5e16, 0.1 + 0.2, 2.5e-323, 1 / 3,
          float('nan'), float('inf'), -float('inf'), 12345678901234567.0, -0.0, 3.0e-5, 100.0, 0.8813559322033898,
          -1.2345e-7, 9.999999999999999e15]

out = [{'value': v if v == v and abs(v) != float('inf') else str(v), 'repr': repr(v)} for v in VALUES]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'tracking', 'golden', 'python_float_repr.json')
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, 'w') as f:
    json.dump({'generator': 'packages/common/scripts/golden/tracking_float_repr.py', 'cases': out}, f, indent=1)
    f.write('\n')
