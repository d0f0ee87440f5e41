// Inference throughput of a tfjs model (on the running backend) and of its ONNX export (onnxruntime-node, CPU) on
// the same inputs, batch by batch.
import * as tf from '@tensorflow/tfjs';
import { OnnxPredictor } from './infer';

export interface InferenceThroughput {
  batch: number;
  tfjs_img_s: number;
  onnx_img_s: number;
  /** onnx / tfjs. */
  ratio: number;
}

export interface BenchmarkOptions {
  batchSizes?: number[];
  /** Timed seconds per measurement, after two warm-up calls (at least 3 calls are timed). */
  seconds?: number;
  /** onnxruntime intra-op threads (default: its own choice). */
  threads?: number;
}

/** Calls per second of `step`, timed for about `seconds`. */
export async function callsPerSecond(step: () => Promise<void>, seconds: number): Promise<number> {
  await step();
  await step();
  let calls = 0;
  const start = performance.now();
  while (calls < 3 || performance.now() - start < seconds * 1000) {
    await step();
    calls++;
  }
  return (calls * 1000) / (performance.now() - start);
}

/** img/s of model.predict and of the ONNX file at each batch size. */
export async function benchmarkInference(
  model: tf.LayersModel,
  onnxPath: string,
  options: BenchmarkOptions = {},
): Promise<InferenceThroughput[]> {
  const { batchSizes = [1, 64], seconds = 2, threads } = options;
  const predictor = await OnnxPredictor.load(onnxPath, { threads });
  const rows: InferenceThroughput[] = [];
  try {
    for (const batch of batchSizes) {
      const inputs = model.inputs.map((t, i) =>
        tf.randomUniform([batch, ...(t.shape.slice(1) as number[])], 0, 1, 'float32', i),
      );
      const feed = inputs.length === 1 ? inputs[0] : inputs;
      const tfjs = await callsPerSecond(async () => {
        const out = model.predict(feed);
        const outs = Array.isArray(out) ? out : [out];
        await Promise.all(outs.map((o) => o.data()));
        tf.dispose(outs);
      }, seconds);
      // onnxruntime on ready feeds: the session's own speed, without tfjs' transposes and copies.
      const feeds = predictor.toFeeds(inputs);
      const onnx = await callsPerSecond(async () => {
        await predictor.run(feeds);
      }, seconds);
      tf.dispose(inputs);
      rows.push({ batch, tfjs_img_s: tfjs * batch, onnx_img_s: onnx * batch, ratio: onnx / tfjs });
    }
  } finally {
    await predictor.release();
  }
  return rows;
}
