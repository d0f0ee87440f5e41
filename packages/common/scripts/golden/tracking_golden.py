"""What MLflow's file store writes, from Python itself: repr() of floats in metrics/<key> lines
("<timestamp> <value> <step>"), and PyYAML's safe_dump of the strings in meta.yaml (quoted or plain).

Run: /usr/bin/python3 packages/common/scripts/golden/tracking_golden.py (Debian's python3-yaml)
"""
import json
import os

import yaml

VALUES = [0.5, 1.0, 0.0, -2.0, 1e-06, 1e-05, 0.0001, 123456789.0, 1e16, 1e15, 1.5e16, 0.1 + 0.2, 2.5e-323, 1 / 3,
          float('nan'), float('inf'), -float('inf'), 12345678901234567.0, -0.0, 3.0e-5, 100.0, 0.8813559322033898,
          -1.2345e-7, 9.999999999999999e15]

STRINGS = ['1', '0', '123e4567', '1.5', '1e3', '933e89638fbc4404907d73ece05b900f', '12345678901234567890123456789012',
           'true', 'no', 'Off', '~', '', 'active', 'multiview seed 0', 'file:///tmp/x', 'a: b', "it's", '-x', '- x', '?x',
           ':x', '#x', 'x #y', 'x#y', '0x1F', '1_000', '.5', '1:30', 'trailing ', ' leading', '[a]', '@x', 'a,b', 'Default']

out = [{'value': v if v == v and abs(v) != float('inf') else str(v), 'repr': repr(v)} for v in VALUES]
yaml_cases = [{'value': v, 'dumped': yaml.safe_dump({'k': v}, width=10000).strip()[3:]} for v in STRINGS]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'tracking', 'golden', 'file_store.json')
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, 'w') as f:
    json.dump({'generator': 'packages/common/scripts/golden/tracking_golden.py', 'cases': out, 'yaml': yaml_cases}, f, indent=1)
    f.write('\n')
