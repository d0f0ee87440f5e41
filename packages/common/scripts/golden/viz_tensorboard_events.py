"""A golden TensorBoard event file for the reader (src/viz/tensorboard/event-reader.ts), written by Google's protobuf
runtime from the TensorFlow message definitions (field numbers from tensorflow/core/util/event.proto,
framework/summary.proto, framework/tensor.proto, framework/tensor_shape.proto, framework/types.proto), framed as
TFRecords with the masked CRC32C of viz_tensorboard.py. It holds both ways scalars and images are stored:
- PyTorch / TF1 style: Summary.Value.simple_value and Summary.Value.image;
- TF2 style (tf.summary.scalar / tf.summary.image): a TensorProto with plugin 'scalars' (float_val, or
  tensor_content for a double) or 'images' (string_val = [width, height, png, ...]);
plus a text summary (plugin 'text') and a histogram (which the reader skips).

Run: /usr/bin/python3 packages/common/scripts/golden/viz_tensorboard_events.py   (python3-protobuf, Debian)
"""
import json
import os
import struct
import zlib

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from viz_tensorboard import masked_crc32c

HERE = os.path.dirname(__file__)
OUT_DIR = os.path.join(HERE, '..', '..', 'src', 'viz', 'testdata', 'golden_events')
F = descriptor_pb2.FieldDescriptorProto


def message(file, name, fields, nested=()):
    m = file.message_type.add() if isinstance(file, descriptor_pb2.FileDescriptorProto) else file.nested_type.add()
    m.name = name
    for number, fname, ftype, label, type_name, oneof in fields:
        f = m.field.add(name=fname, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = type_name
        if oneof is not None:
            f.oneof_index = oneof
    for build in nested:
        build(m)
    return m


OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED
fd = descriptor_pb2.FileDescriptorProto(name='golden_event.proto', package='tensorflow', syntax='proto3')
message(fd, 'TensorShapeProto', [(2, 'dim', F.TYPE_MESSAGE, REP, '.tensorflow.TensorShapeProto.Dim', None)],
        [lambda m: message(m, 'Dim', [(1, 'size', F.TYPE_INT64, OPT, None, None), (2, 'name', F.TYPE_STRING, OPT, None, None)])])
message(fd, 'TensorProto', [
    (1, 'dtype', F.TYPE_INT32, OPT, None, None),
    (2, 'tensor_shape', F.TYPE_MESSAGE, OPT, '.tensorflow.TensorShapeProto', None),
    (4, 'tensor_content', F.TYPE_BYTES, OPT, None, None),
    (5, 'float_val', F.TYPE_FLOAT, REP, None, None),
    (6, 'double_val', F.TYPE_DOUBLE, REP, None, None),
    (8, 'string_val', F.TYPE_BYTES, REP, None, None),
])
message(fd, 'HistogramProto', [
    (1, 'min', F.TYPE_DOUBLE, OPT, None, None), (2, 'max', F.TYPE_DOUBLE, OPT, None, None),
    (3, 'num', F.TYPE_DOUBLE, OPT, None, None), (4, 'sum', F.TYPE_DOUBLE, OPT, None, None),
    (5, 'sum_squares', F.TYPE_DOUBLE, OPT, None, None),
    (6, 'bucket_limit', F.TYPE_DOUBLE, REP, None, None), (7, 'bucket', F.TYPE_DOUBLE, REP, None, None),
])
message(fd, 'SummaryMetadata', [(1, 'plugin_data', F.TYPE_MESSAGE, OPT, '.tensorflow.SummaryMetadata.PluginData', None)],
        [lambda m: message(m, 'PluginData', [(1, 'plugin_name', F.TYPE_STRING, OPT, None, None), (2, 'content', F.TYPE_BYTES, OPT, None, None)])])


def summary_nested(m):
    message(m, 'Image', [(1, 'height', F.TYPE_INT32, OPT, None, None), (2, 'width', F.TYPE_INT32, OPT, None, None),
                         (3, 'colorspace', F.TYPE_INT32, OPT, None, None), (4, 'encoded_image_string', F.TYPE_BYTES, OPT, None, None)])
    v = message(m, 'Value', [
        (1, 'tag', F.TYPE_STRING, OPT, None, None),
        (2, 'simple_value', F.TYPE_FLOAT, OPT, None, 0),
        (4, 'image', F.TYPE_MESSAGE, OPT, '.tensorflow.Summary.Image', 0),
        (5, 'histo', F.TYPE_MESSAGE, OPT, '.tensorflow.HistogramProto', 0),
        (8, 'tensor', F.TYPE_MESSAGE, OPT, '.tensorflow.TensorProto', 0),
        (9, 'metadata', F.TYPE_MESSAGE, OPT, '.tensorflow.SummaryMetadata', None),
    ])
    v.oneof_decl.add(name='value')


message(fd, 'Summary', [(1, 'value', F.TYPE_MESSAGE, REP, '.tensorflow.Summary.Value', None)], [summary_nested])
ev = message(fd, 'Event', [
    (1, 'wall_time', F.TYPE_DOUBLE, OPT, None, None),
    (2, 'step', F.TYPE_INT64, OPT, None, None),
    (3, 'file_version', F.TYPE_STRING, OPT, None, 0),
    (5, 'summary', F.TYPE_MESSAGE, OPT, '.tensorflow.Summary', 0),
])
ev.oneof_decl.add(name='what')

pool = descriptor_pool.DescriptorPool()
pool.Add(fd)
factory = message_factory.MessageFactory(pool)


def message_class(name):
    return factory.GetPrototype(pool.FindMessageTypeByName(name))


Event = message_class('tensorflow.Event')
DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7


def png_rgb(width, height, pixels):
    """A PNG (8-bit RGB, no filter) from a flat list of r, g, b bytes."""
    rows = b''.join(b'\x00' + bytes(pixels[y * width * 3:(y + 1) * width * 3]) for y in range(height))
    chunk = lambda kind, data: struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


PNG = png_rgb(2, 1, [255, 0, 0, 0, 0, 255])


def event(step, wall_time, **what):
    e = Event(step=step, wall_time=wall_time)
    if 'file_version' in what:
        e.file_version = what['file_version']
    else:
        v = e.summary.value.add()
        v.MergeFrom(what['value'])
    return e


def value(**kw):
    V = message_class('tensorflow.Summary.Value')
    v = V()
    tag = kw.pop('tag')
    v.tag = tag
    if 'plugin' in kw:
        v.metadata.plugin_data.plugin_name = kw.pop('plugin')
    for k, x in kw.items():
        if k == 'simple_value':
            v.simple_value = x
        elif k == 'image':
            v.image.height, v.image.width, v.image.colorspace, v.image.encoded_image_string = x
        elif k == 'tensor':
            v.tensor.MergeFrom(x)
        elif k == 'histo':
            v.histo.MergeFrom(x)
    return v


T = message_class('tensorflow.TensorProto')
H = message_class('tensorflow.HistogramProto')
events = [
    event(0, 1700000000.5, file_version='brain.Event:2'),
    event(1, 1700000001.25, value=value(tag='loss', simple_value=0.5)),
    event(2, 1700000002.0, value=value(tag='loss', simple_value=-1.75)),
    event(7, 1700000003.0, value=value(tag='acc', plugin='scalars', tensor=T(dtype=DT_FLOAT, float_val=[0.75]))),
    event(8, 1700000004.0, value=value(tag='lr', plugin='scalars', tensor=T(dtype=DT_DOUBLE, tensor_content=struct.pack('<d', 0.001)))),
    event(9, 1700000005.0, value=value(tag='lr', plugin='scalars', tensor=T(dtype=DT_DOUBLE, double_val=[0.0005]))),
    event(3, 1700000006.0, value=value(tag='sample', image=(1, 2, 3, PNG))),
    event(4, 1700000007.0, value=value(tag='tf2_image', plugin='images', tensor=T(dtype=DT_STRING, string_val=[b'2', b'1', PNG]))),
    event(5, 1700000008.0, value=value(tag='notes/text_summary', plugin='text', tensor=T(dtype=DT_STRING, string_val=['héllo'.encode()]))),
    event(6, 1700000009.0, value=value(tag='weights', histo=H(min=0, max=1, num=2, sum=1, sum_squares=1, bucket_limit=[1], bucket=[2]))),
]

os.makedirs(OUT_DIR, exist_ok=True)
framed = b''
for e in events:
    data = e.SerializeToString()
    header = struct.pack('<Q', len(data))
    framed += header + struct.pack('<I', masked_crc32c(header)) + data + struct.pack('<I', masked_crc32c(data))
with open(os.path.join(OUT_DIR, 'events.out.tfevents.1700000000.golden'), 'wb') as f:
    f.write(framed)

f32 = lambda x: struct.unpack('<f', struct.pack('<f', x))[0]
expected = {
    'scalars': {
        'loss': [{'step': 1, 'wallTime': 1700000001.25, 'value': 0.5}, {'step': 2, 'wallTime': 1700000002.0, 'value': -1.75}],
        'acc': [{'step': 7, 'wallTime': 1700000003.0, 'value': f32(0.75)}],
        'lr': [{'step': 8, 'wallTime': 1700000004.0, 'value': 0.001}, {'step': 9, 'wallTime': 1700000005.0, 'value': 0.0005}],
    },
    'images': {
        'sample': [{'step': 3, 'wallTime': 1700000006.0, 'width': 2, 'height': 1, 'pngHex': PNG.hex()}],
        'tf2_image': [{'step': 4, 'wallTime': 1700000007.0, 'width': 2, 'height': 1, 'pngHex': PNG.hex()}],
    },
    'texts': {'notes/text_summary': [{'step': 5, 'wallTime': 1700000008.0, 'text': 'héllo'}]},
}
with open(os.path.join(OUT_DIR, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1, ensure_ascii=False)
    f.write('\n')
print(f'wrote {len(framed)} bytes, {len(events)} events to {OUT_DIR}')
