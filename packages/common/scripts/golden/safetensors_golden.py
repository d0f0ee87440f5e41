"""Writes a golden .safetensors file (and the values it holds as JSON) with nothing but the standard library.

The format (https://github.com/huggingface/safetensors): 8-byte little-endian header length N, N bytes of JSON
{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}} padded with spaces to a multiple of 8,
then the tensors' little-endian bytes. Tensors are laid out like the reference writer: by dtype size (largest
first), then by name. Half floats are packed by Python's struct ('e'); bfloat16 is the upper half of a float32.

Run: /usr/bin/python3 packages/common/scripts/golden/safetensors_golden.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

def bf16(v):
    return struct.pack('<f', v)[2:4]

# name: (dtype, shape, values, bytes)
TENSORS = {
    'weight': ('F32', [2, 3], [0.5, -1.25, 3.0, 0.001, -0.0, 65504.0]),
    'half': ('F16', [6], [1.0, -2.5, 0.0999755859375, 65504.0, 5.960464477539063e-08, -6.097555160522461e-05]),
    'bf': ('BF16', [2, 2], [1.0, -0.15625, 256.0, 0.0078125]),
    'ids': ('I64', [3], [-1, 0, 2147483647]),
    'count': ('I32', [], [42]),
    'mask': ('BOOL', [3], [True, False, True]),
    'pix': ('U8', [2, 2], [0, 255, 7, 128]),
    'dbl': ('F64', [2], [0.1, -3.5]),
    'small': ('I16', [2], [-300, 300]),
}
FORMAT = {'F32': '<f', 'F16': '<e', 'I64': '<q', 'I32': '<i', 'BOOL': '<?', 'U8': '<B', 'F64': '<d', 'I16': '<h'}
SIZE = {'F64': 8, 'I64': 8, 'F32': 4, 'I32': 4, 'F16': 2, 'BF16': 2, 'I16': 2, 'BOOL': 1, 'U8': 1}

def encode(dtype, values):
    if dtype == 'BF16':
        return b''.join(bf16(v) for v in values)
    return b''.join(struct.pack(FORMAT[dtype], v) for v in values)

def decoded(dtype, data):
    """The values as a reader must return them, decoded back from the bytes (so f32/f16 rounding is Python's)."""
    n = SIZE[dtype]
    chunks = [data[i:i + n] for i in range(0, len(data), n)]
    if dtype == 'BF16':
        return [struct.unpack('<f', b'\0\0' + c)[0] for c in chunks]
    if dtype == 'BOOL':
        return [1 if struct.unpack('<?', c)[0] else 0 for c in chunks]
    return [struct.unpack(FORMAT[dtype], c)[0] for c in chunks]

order = sorted(TENSORS, key=lambda k: (-SIZE[TENSORS[k][0]], k))
header, blobs, offset, expected = {}, [], 0, {}
for name in order:
    dtype, shape, values = TENSORS[name]
    data = encode(dtype, values)
    header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
    expected[name] = {'dtype': dtype, 'shape': shape, 'values': decoded(dtype, data)}
header['__metadata__'] = {'format': 'pt', 'source': 'safetensors_golden.py'}

text = json.dumps(header, separators=(',', ':')).encode()
text += b' ' * (-len(text) % 8)
with open(os.path.join(HERE, 'safetensors_golden.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))
with open(os.path.join(HERE, 'safetensors_golden.json'), 'w') as f:
    json.dump({'metadata': header['__metadata__'], 'tensors': expected}, f, indent=1)
    f.write('\n')
