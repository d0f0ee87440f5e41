#!/usr/bin/python3
"""Writes the reader tests' fixture with h5py, in the real Gravity Spy layout:
/<label>/<sample_type>/<gravityspy_id>/<duration>.png, each view a (1, 140, 170) dataset.

Views are float32 / float64 in [0, 1] or uint8 0-255 (both occur in copies of the set), gzip-compressed (with the
shuffle filter) so the file stays small. Pixel (y, x) of a sample's view v is
(((y // 20) * 3 + (x // 10) * 7 + 17 * v + 13 * seed) % 256) / 255, so the tests can recompute any pixel. Malformed entries: a sample without its 4.0 s view, a view of the wrong shape and an
unknown class. The CSV has a row for every sample plus one whose image is not in the file.

Run: /usr/bin/python3 projects/gravity-vit/scripts/make_h5py_fixture.py (h5py from Debian's python3-h5py).
"""
import csv
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'data', '__fixtures__')
DURATIONS = ['0.5', '1.0', '2.0', '4.0']

# (label, sample_type, gravityspy_id, dtype, seed)
SAMPLES = [
    ('Blip', 'train', 'blip_f32_a', 'float32', 1),
    ('Blip', 'train', 'blip_u8_b', 'uint8', 2),
    ('Blip', 'validation', 'blip_f64_c', 'float64', 3),
    ('Blip', 'test', 'blip_u8_d', 'uint8', 4),
    ('Whistle', 'train', 'whistle_f32_a', 'float32', 5),
    ('Whistle', 'train', 'whistle_u8_b', 'uint8', 6),
    ('Whistle', 'test', 'whistle_f32_c', 'float32', 7),
    ('Power_Line', 'train', 'power_u8_a', 'uint8', 8),
    ('Power_Line', 'validation', 'power_f32_b', 'float32', 9),
]


def view(seed, v, dtype, shape=(140, 170)):
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    level = ((y // 20) * 3 + (x // 10) * 7 + 17 * v + 13 * seed) % 256
    if dtype == 'uint8':
        return level.astype(np.uint8)[None]
    return (level / 255.0).astype(dtype)[None]


def write_sample(f, label, split, sid, dtype, seed, skip=None, bad_shape=None):
    g = f.create_group(f'{label}/{split}/{sid}')
    for v, d in enumerate(DURATIONS):
        if d == skip:
            continue
        shape = (100, 170) if d == bad_shape else (140, 170)
        g.create_dataset(f'{d}.png', data=view(seed, v, dtype, shape), compression='gzip', compression_opts=9, shuffle=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'gravity-spy-tiny.h5')
    with h5py.File(path, 'w') as f:
        for s in SAMPLES:
            write_sample(f, *s)
        write_sample(f, 'Whistle', 'train', 'whistle_missing_view', 'float32', 10, skip='4.0')
        write_sample(f, 'Blip', 'train', 'blip_wrong_shape', 'uint8', 11, bad_shape='2.0')
        write_sample(f, 'Not_A_Glitch_Class', 'train', 'unknown_a', 'float32', 12)
    with open(os.path.join(OUT, 'gravity-spy-tiny.csv'), 'w', newline='') as fh:
        w = csv.writer(fh)
        w.writerow(['gravityspy_id', 'label', 'sample_type', 'ifo', 'snr'])
        for label, split, sid, _, seed in SAMPLES:
            w.writerow([sid, label, split, 'H1' if seed % 2 else 'L1', 7.5 + seed])
        w.writerow(['row_without_image', 'Blip', 'train', 'H1', 12.0])
    expected = {
        'generator': 'projects/gravity-vit/scripts/make_h5py_fixture.py',
        'h5py': h5py.__version__,
        'samples': [{'label': l, 'split': s, 'id': i, 'dtype': d, 'seed': seed} for l, s, i, d, seed in SAMPLES],
        'malformed': ['/Whistle/train/whistle_missing_view/4.0.png', '/Blip/train/blip_wrong_shape/2.0.png',
                      '/Not_A_Glitch_Class'],
        'csv_without_image': ['row_without_image'],
    }
    with open(os.path.join(OUT, 'gravity-spy-tiny.json'), 'w') as fh:
        json.dump(expected, fh, indent=2)
        fh.write('\n')
    print(path, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()
