"""Golden values for packages/common/src/data/indexed: torchvision 0.14's tensor colour ops, PIL's bilinear resize,
torchvision's Resize/CenterCrop sizes, and numpy channel statistics of the Fashion-MNIST sample image folder.

Run with Debian's Python (python3-torch, python3-torchvision, python3-numpy, python3-pil):
  /usr/bin/python3 packages/common/scripts/golden/indexed_images.py > packages/common/scripts/golden/indexed_images.json
"""
import gzip
import json
import os

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, '..', '..', 'data', 'fashion-mnist-sample')


def pattern(h, w, c, modulus=101):
    """The same deterministic pattern the tests build: ((y * w + x) * 37 + k * 11) % modulus."""
    y, x, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing='ij')
    return ((y * w + x) * 37 + k * 11) % modulus


def hwc(t):
    return t.permute(1, 2, 0).reshape(-1).tolist()


def colour_cases():
    rgb = torch.tensor(pattern(5, 7, 3) / 100.0, dtype=torch.float32).permute(2, 0, 1)
    grey = torch.tensor(pattern(5, 7, 1) / 100.0, dtype=torch.float32).permute(2, 0, 1)
    ops = {'brightness': F.adjust_brightness, 'contrast': F.adjust_contrast, 'saturation': F.adjust_saturation, 'hue': F.adjust_hue}
    cases = []
    for name, factor in [('brightness', 1.4), ('brightness', 0.5), ('contrast', 0.6), ('contrast', 1.7), ('saturation', 0.3),
                         ('saturation', 1.8), ('hue', 0.23), ('hue', -0.41), ('hue', 0.5)]:
        cases.append({'op': name, 'factor': factor, 'channels': 3, 'output': hwc(ops[name](rgb, factor))})
    for name, factor in [('contrast', 1.5), ('brightness', 1.2), ('saturation', 0.2), ('hue', 0.3)]:
        cases.append({'op': name, 'factor': factor, 'channels': 1, 'output': hwc(ops[name](grey, factor))})
    return cases


def resize_cases():
    cases = []
    for (h, w, c), (oh, ow) in [((29, 37, 3), (12, 16)), ((29, 37, 1), (12, 16)), ((6, 8, 3), (15, 20))]:
        arr = pattern(h, w, c, 256).astype(np.uint8)
        img = Image.fromarray(arr[:, :, 0] if c == 1 else arr)
        out = np.asarray(img.resize((ow, oh), Image.BILINEAR)).reshape(-1)
        cases.append({'input': [h, w, c], 'size': [oh, ow], 'output': out.tolist()})
    return cases


def size_cases():
    """torchvision's Resize(int) output size and CenterCrop offsets on PIL images."""
    cases = []
    for h, w, size in [(29, 37, 12), (37, 29, 12), (100, 33, 32), (7, 7, 3)]:
        resized = T.Resize(size)(Image.new('RGB', (w, h)))
        cases.append({'op': 'resize', 'input': [h, w], 'size': size, 'output': [resized.height, resized.width]})
    for h, w, size in [(29, 37, 12), (10, 11, 4), (9, 9, 4)]:
        arr = np.arange(h * w, dtype=np.int32).reshape(h, w)
        crop = F.center_crop(torch.tensor(arr)[None], [size, size])[0].numpy()
        top, left = np.argwhere(arr == crop[0, 0])[0]
        cases.append({'op': 'center_crop', 'input': [h, w], 'size': size, 'top': int(top), 'left': int(left)})
    return cases


def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(data[3])]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def channel_stats():
    """Mean / std (ddof 0) of the first 12 test images of each class of the embedded sample, pixel values / 255."""
    images = idx(os.path.join(SAMPLE, 't10k-images-idx3-ubyte.gz'))
    labels = idx(os.path.join(SAMPLE, 't10k-labels-idx1-ubyte.gz'))
    chosen = np.concatenate([np.flatnonzero(labels == c)[:12] for c in range(10)])
    x = images[chosen].astype(np.float64) / 255.0
    return {'per_class': 12, 'split': 'test', 'mean': float(x.mean()), 'std': float(x.std()), 'images': int(len(chosen))}


print(json.dumps({'colour': colour_cases(), 'resize': resize_cases(), 'sizes': size_cases(), 'channel_stats': channel_stats()}))
