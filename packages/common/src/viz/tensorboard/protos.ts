// The subset of TensorFlow's event protos that TensorBoard's scalar, image, histogram and text dashboards read,
// declared by reflection (field numbers from tensorflow/core/util/event.proto, framework/summary.proto,
// framework/tensor.proto and framework/tensor_shape.proto).
import * as protobuf from 'protobufjs';

const packed = { packed: true };

const root = protobuf.Root.fromJSON({
  nested: {
    tensorboard: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Image: {
              fields: {
                height: { type: 'int32', id: 1 },
                width: { type: 'int32', id: 2 },
                colorspace: { type: 'int32', id: 3 },
                encodedImageString: { type: 'bytes', id: 4 },
              },
            },
            Value: {
              oneofs: { value: { oneof: ['simpleValue', 'image', 'histo', 'tensor'] } },
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
                image: { type: 'Image', id: 4 },
                histo: { type: 'HistogramProto', id: 5 },
                tensor: { type: 'TensorProto', id: 8 },
                metadata: { type: 'SummaryMetadata', id: 9 },
              },
            },
          },
        },
        SummaryMetadata: {
          fields: {
            pluginData: { type: 'PluginData', id: 1 },
            displayName: { type: 'string', id: 2 },
            summaryDescription: { type: 'string', id: 3 },
          },
          nested: {
            PluginData: {
              fields: { pluginName: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } },
            },
          },
        },
        HistogramProto: {
          fields: {
            min: { type: 'double', id: 1 },
            max: { type: 'double', id: 2 },
            num: { type: 'double', id: 3 },
            sum: { type: 'double', id: 4 },
            sumSquares: { type: 'double', id: 5 },
            bucketLimit: { rule: 'repeated', type: 'double', id: 6, options: packed },
            bucket: { rule: 'repeated', type: 'double', id: 7, options: packed },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensorShape: { type: 'TensorShapeProto', id: 2 },
            // TF2's tf.summary.scalar stores its value here (float_val, double_val or raw little-endian bytes).
            tensorContent: { type: 'bytes', id: 4 },
            floatVal: { rule: 'repeated', type: 'float', id: 5, options: packed },
            doubleVal: { rule: 'repeated', type: 'double', id: 6, options: packed },
            stringVal: { rule: 'repeated', type: 'bytes', id: 8 },
          },
        },
      },
    },
  },
});

/** tensorflow.DataType values the reader and writer use. */
export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_STRING = 7;

export const EventProto = root.lookupType('tensorboard.Event');

export interface HistogramMessage {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

export interface SummaryValueMessage {
  tag: string;
  simpleValue?: number;
  image?: { height: number; width: number; colorspace: number; encodedImageString: Uint8Array };
  histo?: HistogramMessage;
  tensor?: {
    dtype: number;
    tensorShape?: { dim?: Array<{ size: number }> };
    tensorContent?: Uint8Array;
    floatVal?: number[];
    doubleVal?: number[];
    stringVal?: Uint8Array[];
  };
  metadata?: { pluginData: { pluginName: string; content: Uint8Array } };
}

export interface EventMessage {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: SummaryValueMessage[] };
}

export function encodeEvent(event: EventMessage): Uint8Array {
  return EventProto.encode(EventProto.fromObject(event)).finish();
}

/** One serialised Event; int64 steps come back as numbers, absent fields as undefined. */
export function decodeEvent(bytes: Uint8Array): EventMessage {
  return EventProto.toObject(EventProto.decode(bytes), { longs: Number, bytes: Buffer }) as EventMessage;
}
