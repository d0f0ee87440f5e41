"""Golden values for the TensorBoard writer (src/viz/tensorboard): masked CRC32C and torch's histograms.

TensorBoard itself is not installable here, so the checks are built from their definitions:
- CRC32C (Castagnoli, reflected polynomial 0x82F63B78) written out bit by bit, masked as in TensorFlow's
  tensorflow/core/lib/hash/crc32c.h: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
- torch.utils.tensorboard.summary.make_histogram (torch 1.13; its module imports tensorboard, so the function body
  is reproduced here verbatim minus max_bins) on numpy.histogram with the writer's default bins.

Run: /usr/bin/python3 packages/common/scripts/golden/viz_tensorboard.py
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'viz', 'testdata', 'tensorboard_golden.json')


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def default_bins():
    v = 1e-12
    buckets, neg_buckets = [], []
    while v < 1e20:
        buckets.append(v)
        neg_buckets.append(-v)
        v *= 1.1
    return neg_buckets[::-1] + [0] + buckets


def make_histogram(values, bins):
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    # torch writes np.greater(counts, 0, dtype=np.int32), which numpy 1.24 rejects; same values:
    cum_counts = np.cumsum(np.greater(counts, 0).astype(np.int32))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side='right')
    start = int(start)
    end = int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return {
        'min': float(values.min()), 'max': float(values.max()), 'num': int(len(values)),
        'sum': float(values.sum()), 'sumSquares': float(values.dot(values)),
        'bucketLimit': [float(x) for x in limits], 'bucket': [float(x) for x in counts],
    }


def main():
    crc_inputs = {
        'empty': b'',
        'digits': b'123456789',
        'length_header_of_42': struct.pack('<Q', 42),
        'file_version_event_payload': b'\x1a\x0dbrain.Event:2',
        'bytes_0_to_255': bytes(range(256)),
    }
    crc = [{'name': k, 'hex': v.hex(), 'crc32c': crc32c(v), 'masked': masked_crc32c(v)} for k, v in crc_inputs.items()]
    assert crc32c(b'123456789') == 0xE3069283  # the standard CRC-32C check value

    rng = np.random.default_rng(7)
    cases = {
        'normal_1000': rng.normal(0.5, 2.0, 1000),
        'single_value': np.array([3.0]),
        'constant': np.full(5, -2.5),
        'with_zero_and_tiny': np.array([0.0, 0.0, 1e-13, -1e-13, 2e-12, -3.0, 7.0]),
        'wide_range': np.concatenate([rng.uniform(-1e6, 1e6, 200), rng.uniform(-1e-6, 1e-6, 50)]),
    }
    histograms = []
    for name, values in cases.items():
        expected = [{'bins': bins, 'histogram': make_histogram(values, default_bins() if bins == 'tensorflow' else bins)}
                    for bins in ['tensorflow', 1, 10, 30]]
        histograms.append({'name': name, 'values': values.tolist(), 'expected': expected})

    with open(OUT, 'w') as f:
        json.dump({'crc': crc, 'histograms': histograms}, f)
    print(f'wrote {os.path.normpath(OUT)}: {len(crc)} CRCs, {len(histograms)} histogram inputs')


if __name__ == '__main__':
    main()
