// tf.LayersModel -> ONNX ModelProto. The exporter walks the model's layer graph in tfjs' own execution order
// (functional models, layers applied several times, nested models) and converts each layer application through
// the converter registry.
//
// Layout: the graph computes in NCHW wherever a layer needs channels first (Conv weights are stored OIHW, pooling,
// batch norm, resize run channels first); a Transpose appears only where a layer needs tfjs' NHWC order (Flatten,
// Reshape, Dense on images), once per value. `layout: 'nchw'` (the default, what PyTorch tools expect) declares
// rank-4 graph inputs and outputs channels first; `layout: 'nhwc'` keeps tfjs' layout at the graph's edges.
import * as tf from '@tensorflow/tfjs';
import type { onnx } from 'onnx-proto';
import './activations';
import './layers';
import {
  getOnnxActivation,
  getOnnxConverter,
  onnxShape,
  TO_NCHW,
  TO_NHWC,
  type ConvertContext,
  type Layout,
  type OnnxValue,
} from './converter';
import { foldBatchNorms } from './fold-batchnorm';
import { attr, encodeModel, OnnxGraph, type Dim } from './onnx-graph';
import { permuteAxes } from './weights';

export const DEFAULT_OPSET = 17;
/** Opsets whose semantics the converters know (onnxruntime-node 1.30 loads 7-26; python3-onnx 1.12 checks <= 17). */
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

export type OnnxLayout = 'nchw' | 'nhwc';

export interface OnnxExportOptions {
  /** ai.onnx opset (default 17). */
  opset?: number;
  /** Layout of rank-4 graph inputs and outputs (default 'nchw'). */
  layout?: OnnxLayout;
  /** Folds BatchNormalization into the Conv before it when that Conv feeds nothing else (default false). */
  foldBatchNorm?: boolean;
  graphName?: string;
}

export interface OnnxTensorInfo {
  name: string;
  /** ONNX shape ('batch' is the dynamic batch axis). */
  shape: Dim[];
  /** The tfjs shape of the same tensor (batch = null). */
  tfShape: (number | null)[];
}

export interface OnnxExport {
  model: onnx.ModelProto;
  bytes: Uint8Array;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  layout: OnnxLayout;
  opset: number;
  /** BatchNormalization nodes folded into convolutions. */
  foldedBatchNorms: number;
}

/** Metadata keys written into the model (read back by OnnxPredictor). */
export const METADATA_LAYOUT = 'research.layout';

class OnnxExportError extends Error {}

interface GraphNode {
  outboundLayer: tf.layers.Layer;
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

/** The functional graph of a model: a Sequential keeps its own in an inner model, built on first use. */
function functionalGraph(model: tf.LayersModel): tf.LayersModel {
  if (!(model instanceof tf.Sequential)) return model;
  const sequential = model as unknown as { model?: tf.LayersModel };
  if (!sequential.model) model.build(model.inputs[0].shape);
  return sequential.model as tf.LayersModel;
}

function nodesInOrder(container: tf.LayersModel): GraphNode[] {
  const byDepth = (container as unknown as { nodesByDepth: Record<string, GraphNode[]> }).nodesByDepth;
  return Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((d) => byDepth[d]);
}

class Exporter {
  readonly graph = new OnnxGraph();
  private readonly layoutCache = new Map<string, string>();

  constructor(readonly opset: number) {}

  /** `value` in `layout`, adding one cached Transpose if it is stored the other way. */
  toLayout(value: OnnxValue, layout: Layout): string {
    if (value.layout === layout) return value.name;
    // A plain Error: convertLayer adds which layer asked.
    if (value.shape.length !== 4) {
      throw new Error(`a rank-${value.shape.length} value cannot be put in layout ${layout}`);
    }
    const key = `${value.name}->${layout}`;
    let name = this.layoutCache.get(key);
    if (!name) {
      const perm = layout === 'nchw' ? TO_NCHW : TO_NHWC;
      name = this.graph.op('Transpose', [value.name], { perm: attr.ints(perm) }, `${value.name}_${layout}`);
      this.layoutCache.set(key, name);
    }
    return name;
  }

  convertContainer(model: tf.LayersModel, inputs: OnnxValue[]): OnnxValue[] {
    const container = functionalGraph(model);
    const values = new Map<number, OnnxValue>();
    container.inputs.forEach((t, i) => values.set(t.id, inputs[i]));
    for (const node of nodesInOrder(container)) {
      const layer = node.outboundLayer;
      if (layer.getClassName() === 'InputLayer') continue;
      const ins = node.inputTensors.map((t) => {
        const v = values.get(t.id);
        if (!v) {
          throw new OnnxExportError(`ONNX export: layer '${layer.name}' reads ${t.name}, which no layer produced`);
        }
        return v;
      });
      const outs =
        layer instanceof tf.LayersModel
          ? this.convertContainer(layer, ins)
          : this.convertLayer(
              layer,
              ins,
              node.outputTensors.map((t) => t.shape),
            );
      if (outs.length !== node.outputTensors.length) {
        throw new OnnxExportError(
          `ONNX export: layer '${layer.name}' (${layer.getClassName()}) gave ${outs.length} outputs, ` +
            `tfjs has ${node.outputTensors.length}`,
        );
      }
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
    }
    return container.outputs.map((t) => values.get(t.id) as OnnxValue);
  }

  private convertLayer(layer: tf.layers.Layer, inputs: OnnxValue[], outputShapes: (number | null)[][]): OnnxValue[] {
    const className = layer.getClassName();
    const where = `layer '${layer.name}' (class ${className}) at opset ${this.opset}`;
    const converter = getOnnxConverter(className);
    if (!converter) {
      throw new OnnxExportError(
        `ONNX export: no converter for ${where}; register one with registerOnnxConverter('${className}', ...)`,
      );
    }
    const g = this.graph;
    const opset = this.opset;
    const ctx: ConvertContext = {
      graph: g,
      opset,
      layer,
      inputs,
      outputShapes,
      input: (i, layout) => this.toLayout(inputs[i], layout),
      hint: (suffix) => `${layer.name}/${suffix}`,
      weight: (t, suffix, options = {}) => {
        const shape = options.shape ?? t.shape;
        const values = options.perm
          ? permuteAxes(t.dataSync() as Float32Array, shape, options.perm)
          : { data: new Float32Array(t.dataSync()), shape };
        return g.floatInitializer(`${layer.name}.${suffix}`, values.data, values.shape);
      },
      output: (name, layout, index = 0) => ({ name, layout, shape: outputShapes[index] }),
      activation: (x, name, axis = -1) => {
        const emit = getOnnxActivation(name);
        if (!emit) throw new OnnxExportError(`ONNX export: ${where}: no ONNX form for activation '${name}'`);
        return emit(g, x, { opset, axis, hint: `${layer.name}/${name}` });
      },
      fail: (why) => {
        throw new OnnxExportError(`ONNX export: ${where}: ${why}`);
      },
    };
    let result: OnnxValue | OnnxValue[];
    try {
      result = converter(ctx);
    } catch (e) {
      if (e instanceof OnnxExportError) throw e;
      throw new OnnxExportError(`ONNX export: ${where}: ${(e as Error).message}`);
    }
    const outs = Array.isArray(result) ? result : [result];
    for (const v of outs) {
      if (v.shape.slice(1).every((d) => d !== null)) g.setShape(v.name, onnxShape(v.shape, v.layout));
    }
    return outs;
  }
}

function edgeLayout(shape: (number | null)[], layout: OnnxLayout): Layout {
  return layout === 'nchw' && shape.length === 4 ? 'nchw' : 'tf';
}

function edgeShape(shape: (number | null)[], layout: Layout, name: string): Dim[] {
  return onnxShape(shape, layout).map((d, i) => (typeof d === 'string' && i > 0 ? `${name}_${d}` : d));
}

function checkOptions(opset: number, layout: string): void {
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`ONNX export: opset ${opset} is not supported (expected an integer in ${MIN_OPSET}..${MAX_OPSET})`);
  }
  if (layout !== 'nchw' && layout !== 'nhwc') {
    throw new Error(`ONNX export: layout '${layout}' is not 'nchw' or 'nhwc'`);
  }
}

/** Converts a tfjs model to an ONNX model (inference graph: dropout is the identity, batch norm uses moving stats). */
export function exportToOnnx(model: tf.LayersModel, options: OnnxExportOptions = {}): OnnxExport {
  const { opset = DEFAULT_OPSET, layout = 'nchw', foldBatchNorm = false } = options;
  checkOptions(opset, layout);
  const exporter = new Exporter(opset);
  const g = exporter.graph;
  const graph = functionalGraph(model);
  const inputNames = graph.inputLayers.map((l) => g.reserveName(l.name.replace(/[^A-Za-z0-9_.-]/g, '_')));
  // Output names come from the output layers' names, made unique (one layer may give several outputs).
  const outputNames = graph.outputs.map((_, i) =>
    g.uniqueName(graph.outputNames?.[i]?.replace(/[^A-Za-z0-9_.-]/g, '_') ?? `output_${i}`),
  );
  const inputs: OnnxTensorInfo[] = graph.inputs.map((t, i) => {
    const l = edgeLayout(t.shape, layout);
    return { name: inputNames[i], shape: edgeShape(t.shape, l, inputNames[i]), tfShape: t.shape };
  });
  const results = exporter.convertContainer(
    graph,
    graph.inputs.map((t, i) => ({ name: inputNames[i], layout: edgeLayout(t.shape, layout), shape: t.shape })),
  );
  const outputs: OnnxTensorInfo[] = results.map((v, i) => {
    const l = edgeLayout(v.shape, layout);
    g.node('Identity', [exporter.toLayout(v, l)], {}, { name: outputNames[i], outputNames: [outputNames[i]] });
    return { name: outputNames[i], shape: edgeShape(v.shape, l, outputNames[i]), tfShape: v.shape };
  });
  const folded = foldBatchNorm ? foldBatchNorms(g, new Set(outputNames)) : 0;
  const proto = g.toModel({
    graphName: options.graphName ?? model.name,
    inputs,
    outputs,
    opset,
    metadata: { [METADATA_LAYOUT]: layout },
  });
  return { model: proto, bytes: encodeModel(proto), inputs, outputs, layout, opset, foldedBatchNorms: folded };
}
