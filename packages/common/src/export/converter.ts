// The converter registry: one function per tfjs layer class turns a layer application into ONNX nodes. Papers
// register converters for their own layers with registerOnnxConverter (common never imports papers).
import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraph } from './onnx-graph';

/**
 * Where a value's axes are: 'tf' is the tfjs layout (NHWC for images), 'nchw' a rank-4 value stored channels
 * first. Converters ask for the layout they need; the exporter inserts (and caches) the Transpose.
 */
export type Layout = 'tf' | 'nchw';

/** A value of the ONNX graph that stands for a tfjs symbolic tensor; `shape` is its tfjs shape (batch = null). */
export interface OnnxValue {
  name: string;
  layout: Layout;
  shape: (number | null)[];
}

/** What a converter sees: the layer, its inputs as ONNX values, and helpers bound to the graph. */
export interface ConvertContext {
  readonly graph: OnnxGraph;
  readonly opset: number;
  readonly layer: tf.layers.Layer;
  readonly inputs: OnnxValue[];
  /** tfjs output shapes of this application of the layer (batch = null). */
  readonly outputShapes: (number | null)[][];
  /** The name of input `i` in `layout` (a Transpose is added once per value and layout if needed). */
  input(i: number, layout: Layout): string;
  /** A name hint under the layer's name. */
  hint(suffix: string): string;
  /**
   * A float initializer holding a tensor's values; `shape` reinterprets them (a reshape), then `perm` permutes the
   * axes as tf.transpose would (HWIO -> OIHW is perm [3, 2, 0, 1]).
   */
  weight(t: tf.Tensor, suffix: string, options?: { shape?: number[]; perm?: number[] }): string;
  /** Output value `index` (default 0), with its tfjs shape. */
  output(name: string, layout: Layout, index?: number): OnnxValue;
  /** Applies a tfjs activation (by its class name: 'relu', 'gelu', ...) to `x`; `axis` is the ONNX softmax axis. */
  activation(x: string, name: string, axis?: number): string;
  /** Throws an error naming the layer, its class and the opset. */
  fail(why: string): never;
}

export type OnnxConverter = (ctx: ConvertContext) => OnnxValue | OnnxValue[];

/** Emits an activation: returns the output name. */
export type OnnxActivation = (graph: OnnxGraph, x: string, o: { opset: number; axis: number; hint: string }) => string;

const converters = new Map<string, OnnxConverter>();
const activations = new Map<string, OnnxActivation>();

/** Registers the converter of a layer class (tfjs' className, e.g. 'Conv2D'); replaces an earlier one. */
export function registerOnnxConverter(className: string, converter: OnnxConverter): void {
  converters.set(className, converter);
}

export function getOnnxConverter(className: string): OnnxConverter | undefined {
  return converters.get(className);
}

/** Class names that have a converter, sorted. */
export function listOnnxConverters(): string[] {
  return [...converters.keys()].sort();
}

/** Registers an activation by tfjs' activation class name (e.g. 'gelu', 'hardswish'). */
export function registerOnnxActivation(name: string, emit: OnnxActivation): void {
  activations.set(name, emit);
}

export function getOnnxActivation(name: string): OnnxActivation | undefined {
  return activations.get(name);
}

export function listOnnxActivations(): string[] {
  return [...activations.keys()].sort();
}

/** tfjs -> channels-first and back. */
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

/** The ONNX axis of tfjs axis `axis` (negative counts from the end) of a value. */
export function onnxAxis(value: OnnxValue, axis: number): number {
  const rank = value.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`ONNX export: axis ${axis} is out of range for rank ${rank}`);
  return value.layout === 'nchw' ? TO_NCHW.indexOf(a) : a;
}

/** A tfjs shape in a layout, batch as the symbolic dimension 'batch'. */
export function onnxShape(shape: (number | null)[], layout: Layout): (number | string)[] {
  const dims = shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `d${i}`) : d));
  return layout === 'nchw' ? TO_NCHW.map((i) => dims[i]) : dims;
}
