// Inference through onnxruntime-node with tfjs tensors in and out, in tfjs' layout: an exported model is a
// drop-in for model.predict (rank-4 values are transposed at the edges when the file is channels first).
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import * as protobuf from 'protobufjs';
import { METADATA_LAYOUT, type OnnxLayout } from './exporter';
import { TO_NCHW, TO_NHWC } from './converter';

/** ModelProto's metadata_props (field 14), read without decoding the graph. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, string> = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 !== 14 || (tag & 7) !== 2) {
      reader.skipType(tag & 7);
      continue;
    }
    const entry = protobuf.Reader.create(reader.bytes());
    let key = '';
    let value = '';
    while (entry.pos < entry.len) {
      const t = entry.uint32();
      if (t >>> 3 === 1) key = entry.string();
      else if (t >>> 3 === 2) value = entry.string();
      else entry.skipType(t & 7);
    }
    out[key] = value;
  }
  return out;
}

export interface OnnxPredictorOptions {
  /** onnxruntime's intra-op threads (default: its own choice, all cores). */
  threads?: number;
}

/** An onnxruntime session that takes and returns tfjs tensors in tfjs' layout. */
export class OnnxPredictor {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly layout: OnnxLayout,
    readonly path: string,
  ) {}

  static async load(file: string, options: OnnxPredictorOptions = {}): Promise<OnnxPredictor> {
    if (!fs.existsSync(file)) throw new Error(`ONNX model ${file} does not exist`);
    const bytes = fs.readFileSync(file);
    const layout = readOnnxMetadata(bytes)[METADATA_LAYOUT] ?? 'nchw';
    if (layout !== 'nchw' && layout !== 'nhwc')
      throw new Error(`ONNX model ${file}: metadata ${METADATA_LAYOUT} is '${layout}', expected nchw or nhwc`);
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    });
    return new OnnxPredictor(session, layout, file);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  private channelsFirst(rank: number): boolean {
    return this.layout === 'nchw' && rank === 4;
  }

  /** onnxruntime feeds from tfjs-layout inputs (one per graph input). */
  toFeeds(inputs: tf.Tensor | tf.Tensor[]): Record<string, ort.Tensor> {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length !== this.session.inputNames.length) {
      throw new Error(
        `ONNX model ${this.path} takes ${this.session.inputNames.length} inputs ` +
          `(${this.session.inputNames.join(', ')}), got ${list.length}`,
      );
    }
    const feeds: Record<string, ort.Tensor> = {};
    list.forEach((x, i) => {
      const arranged = this.channelsFirst(x.rank) ? tf.transpose(x, TO_NCHW) : x;
      const data = new Float32Array(arranged.dataSync()); // a copy (from a typed array: a native copy)
      feeds[this.session.inputNames[i]] = new ort.Tensor('float32', data, arranged.shape);
      if (arranged !== x) arranged.dispose();
    });
    return feeds;
  }

  /** Runs the session on prepared feeds (what a throughput measurement times). */
  run(feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    return this.session.run(feeds);
  }

  /** Runs the model on tfjs-layout inputs (one per graph input); returns the outputs in tfjs' layout. */
  async predict(inputs: tf.Tensor | tf.Tensor[]): Promise<tf.Tensor[]> {
    const results = await this.session.run(this.toFeeds(inputs));
    return this.session.outputNames.map((name) => {
      const t = results[name];
      const dims = t.dims.map(Number);
      const y = tf.tensor(t.data as Float32Array, dims, 'float32');
      if (!this.channelsFirst(dims.length)) return y;
      const back = tf.transpose(y, TO_NHWC);
      y.dispose();
      return back;
    });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * One-shot inference: loads `onnxPath`, runs `inputs` (tfjs layout), releases the session. Returns what
 * model.predict would: one tensor for a single-output model, an array otherwise.
 */
export async function inferOnnx(
  onnxPath: string,
  inputs: tf.Tensor | tf.Tensor[],
  options: OnnxPredictorOptions = {},
): Promise<tf.Tensor | tf.Tensor[]> {
  const predictor = await OnnxPredictor.load(onnxPath, options);
  try {
    const outputs = await predictor.predict(inputs);
    return outputs.length === 1 ? outputs[0] : outputs;
  } finally {
    await predictor.release();
  }
}
