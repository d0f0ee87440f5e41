"""Golden values for the model zoo (packages/common/src/models/zoo): torchvision 0.14 logits and parameter counts.

Each architecture is built at 10 classes, every parameter and buffer is filled from a deterministic formula of
(state-dict name, flat element index) that the TypeScript test reproduces bit for bit (integer hashing, no random
generator), a fixed input runs through the model in eval mode in float64 (so that the reference carries no float32
rounding), and the logits are written to src/models/zoo/golden/<name>.json together with a digest of the state
dict's names and shapes and the eps/momentum of every normalisation layer. The parameter counts
at 1000 classes (sum of p.numel() over model.parameters(): BatchNorm running statistics are buffers, not counted) go
to src/models/zoo/golden/param_counts.json.

Run with Debian's PyTorch: /usr/bin/python3 packages/common/scripts/golden/torchvision_zoo.py
"""
import hashlib
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision import models
from torchvision.models.vision_transformer import VisionTransformer

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'models', 'zoo', 'golden')
MASK = 0xFFFFFFFF


def fnv1a(name):
    h = 0x811C9DC5
    for b in name.encode('utf-8'):
        h = ((h ^ b) * 0x01000193) & MASK
    return h


def mix(x):
    """A 32-bit integer hash (lowbias32), on a numpy uint64 array holding 32-bit values."""
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(MASK)
    x = x ^ (x >> np.uint64(15))
    x = (x * np.uint64(0x846CA68B)) & np.uint64(MASK)
    return x ^ (x >> np.uint64(16))


def uniform(name, n):
    """u in [0, 1) for elements 0..n-1 of the tensor called `name`."""
    i = np.arange(n, dtype=np.uint64)
    return mix(np.uint64(fnv1a(name)) ^ mix(i)).astype(np.float64) / 2.0**32


def fill_value(name, shape):
    """The deterministic value of every element of a state-dict entry (float64, row-major)."""
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(name, n)
    r = 2.0 * u - 1.0
    if name.endswith('running_var'):
        v = 0.5 + u
    elif name.endswith('running_mean'):
        v = 0.2 * r
    elif len(shape) >= 2 and name.endswith('weight'):
        v = math.sqrt(3.0 / (n // shape[0])) * r  # variance 1 / fan_in
    elif name.endswith('weight'):
        v = 1.0 + 0.2 * r  # BatchNorm / LayerNorm scale
    elif name.endswith('bias'):
        v = 0.1 * r
    else:
        v = 0.2 * r  # class token, position embedding, layer scale
    return v.reshape(shape)


def fill(model):
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                continue
            t.copy_(torch.from_numpy(fill_value(name, tuple(t.shape)).astype(np.float32)))


def norm_settings(model):
    """[kind, eps, momentum, count] per distinct setting of the BatchNorm2d / LayerNorm modules."""
    counts = {}
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            key = ('BatchNorm2d', m.eps, m.momentum)
        elif isinstance(m, nn.LayerNorm):
            key = ('LayerNorm', m.eps, None)
        else:
            continue
        counts[key] = counts.get(key, 0) + 1
    return [[*key, n] for key, n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1]))]


def key_digest(model):
    lines = sorted(f"{k}:{list(v.shape)}" for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked'))
    return len(lines), hashlib.sha256('\n'.join(lines).encode('utf-8')).hexdigest()


class SimpleCnn(nn.Module):
    """The twin of simple_cnn in simple-cnn.ts."""

    def __init__(self, in_channels, num_classes):
        super().__init__()
        layers, c = [], in_channels
        for step in [32, 32, 'pool', 64, 64, 'pool', 128]:
            if step == 'pool':
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, step, 3, padding=1, bias=False), nn.BatchNorm2d(step), nn.ReLU()]
                c = step
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.3), nn.Linear(128, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TinyNet(nn.Module):
    """The twin of tiny_net in simple-cnn.ts."""

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


NUM_CLASSES = 10
# name -> (builder at NUM_CLASSES, input [N, C, H, W]); the vit is a reduced ViT built by torchvision's own class.
CASES = {
    'resnet18': (lambda: models.resnet18(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'resnet34': (lambda: models.resnet34(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'resnet50': (lambda: models.resnet50(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'mobilenet_v2': (lambda: models.mobilenet_v2(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'mobilenet_v3_small': (lambda: models.mobilenet_v3_small(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'efficientnet_b0': (lambda: models.efficientnet_b0(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'convnext_tiny': (lambda: models.convnext_tiny(num_classes=NUM_CLASSES), [2, 3, 64, 64]),
    'vision_transformer_small': (
        lambda: VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64,
                                  num_classes=NUM_CLASSES),
        [2, 3, 32, 32],
    ),
    'simple_cnn': (lambda: SimpleCnn(1, NUM_CLASSES), [2, 1, 28, 28]),
    'tiny_net': (lambda: TinyNet(3, NUM_CLASSES), [2, 3, 32, 32]),
}

TORCHVISION_1000 = ['resnet18', 'resnet34', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0',
                    'convnext_tiny', 'vit_b_16']


def main():
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    for name, (build, input_shape) in CASES.items():
        model = build().eval()
        fill(model)
        x = torch.from_numpy(fill_value('input', tuple(input_shape)).astype(np.float32))
        with torch.no_grad():
            logits = model.double()(x.double())
        keys, digest = key_digest(model)
        golden = {
            'name': name,
            'torchvision': torchvision.__version__,
            'numClasses': NUM_CLASSES,
            'inputShapeNCHW': input_shape,
            'parameters': sum(p.numel() for p in model.parameters()),
            'stateDictKeys': keys,
            'stateDictSha256': digest,
            'norms': norm_settings(model),
            'logits': [[float(f'{v:.9g}') for v in row] for row in logits.tolist()],
        }
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump(golden, f, indent=1)
            f.write('\n')
        print(name, golden['parameters'], 'max |logit|', float(logits.abs().max()))
    counts = {name: sum(p.numel() for p in getattr(models, name)().parameters()) for name in TORCHVISION_1000}
    with open(os.path.join(OUT, 'param_counts.json'), 'w') as f:
        json.dump({'torchvision': torchvision.__version__, 'numClasses': 1000, 'parameters': counts}, f, indent=1)
        f.write('\n')
    print(counts)


if __name__ == '__main__':
    main()
