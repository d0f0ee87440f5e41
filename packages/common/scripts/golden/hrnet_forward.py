"""Golden logits of the official HRNet-Image-Classification network for packages/common/src/models/hrnet/golden.test.ts.

Builds a small HRNet-C (the official head, narrow branches) with the official `lib/models/cls_hrnet.py`, fills every
parameter and buffer with a deterministic formula that the TypeScript test reproduces, and records the logits in eval
mode (BN running statistics) and in train mode (BN batch statistics) for a deterministic input. The forward runs in
float64, so the reference carries no float32 rounding (in train mode PyTorch's own float32 result differs from it by
~5e-5 of the largest logit: batch statistics of 8 values per channel at the lowest resolution amplify rounding).

Needs a copy of https://github.com/HRNet/HRNet-Image-Classification (not vendored here) and PyTorch
(Debian: apt-get install -y python3-torch). Run from the workspace root:

    /usr/bin/python3 packages/common/scripts/golden/hrnet_forward.py <HRNet-Image-Classification>/lib/models \
        > packages/common/src/models/hrnet/golden/hrnet_forward.json
"""
import json
import math
import sys

import numpy as np
import torch

sys.path.insert(0, sys.argv[1])
import cls_hrnet  # noqa: E402  (the official model file)


def stage(modules, block, blocks, channels):
    return {'NUM_MODULES': modules, 'NUM_BRANCHES': len(channels), 'BLOCK': block,
            'NUM_BLOCKS': blocks, 'NUM_CHANNELS': channels, 'FUSE_METHOD': 'SUM'}


MODEL = {
    'NAME': 'cls_hrnet', 'NUM_CLASSES': 1000, 'IMAGE_SIZE': [64, 64], 'IN_CHANNELS': 3,
    'EXTRA': {
        'STEM_STRIDES': [2, 2],
        'STAGE1': stage(1, 'BOTTLENECK', [1], [8]),
        'STAGE2': stage(1, 'BASIC', [1, 1], [4, 8]),
        'STAGE3': stage(2, 'BASIC', [1, 1, 1], [4, 8, 16]),
        'STAGE4': stage(1, 'BASIC', [1, 1, 1, 1], [4, 8, 16, 32]),
    },
}
BATCH = 2


def phase(name):
    return sum((k + 1) * ord(ch) for k, ch in enumerate(name)) % 997


def formula(name, shape):
    """float64 values in PyTorch's row-major layout; the test implements the same function."""
    n = int(np.prod(shape))
    base = np.sin(0.618 * np.arange(n, dtype=np.float64) + phase(name))
    if name.endswith('.weight') and len(shape) > 1:
        return base * 2.0 / math.sqrt(np.prod(shape[1:]))
    if name.endswith('.weight'):
        return 1.0 + 0.1 * base
    if name.endswith('.running_var'):
        return 1.0 + 0.25 * (1.0 + base)
    return 0.1 * base  # bias, running_mean


def main():
    torch.set_grad_enabled(False)
    net = cls_hrnet.HighResolutionNet({'MODEL': {'EXTRA': MODEL['EXTRA']}}).double()
    state = net.state_dict()
    entries = []
    for key, tensor in state.items():
        if key.endswith('num_batches_tracked'):
            continue
        shape = list(tensor.shape)
        # Rounded to float32 first: the values the float32 tfjs test loads.
        tensor.copy_(torch.from_numpy(formula(key, shape).astype(np.float32).reshape(shape)))
        entries.append([key, shape])
    size = MODEL['IMAGE_SIZE']
    shape = [BATCH, MODEL['IN_CHANNELS'], size[1], size[0]]
    x = torch.from_numpy(np.sin(0.1 * np.arange(np.prod(shape), dtype=np.float64)).astype(np.float32).reshape(shape)).double()
    net.eval()
    logits_eval = net(x)
    net.train()
    logits_train = net(x)
    out = {
        'source': 'HRNet-Image-Classification lib/models/cls_hrnet.py, torch ' + torch.__version__ + ', float64',
        'model': MODEL,
        'input_shape_nchw': shape,
        'state_dict': entries,
        'logits_eval': [[float('%.9g' % v) for v in row] for row in logits_eval.tolist()],
        'logits_train': [[float('%.9g' % v) for v in row] for row in logits_train.tolist()],
    }
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
