// A small builder for ONNX graphs on top of onnx-proto's generated schema: unique names, nodes with typed
// attributes, float/int64 initializers (raw little-endian bytes), value_info, and the final ModelProto.
import { onnx } from 'onnx-proto';

/** IR version 8: what python3-onnx 1.12's checker accepts (onnxruntime-node 1.30 reads up to 13). */
export const ONNX_IR_VERSION = 8;

/** A dimension: a fixed size or a symbolic name (e.g. 'batch'). */
export type Dim = number | string;

type Attribute = onnx.IAttributeProto;
const A = onnx.AttributeProto.AttributeType;

/** Typed attribute values: ONNX distinguishes 1 (INT) from 1.0 (FLOAT), which JS numbers cannot. */
export const attr = {
  int: (i: number): Attribute => ({ type: A.INT, i }),
  ints: (ints: number[]): Attribute => ({ type: A.INTS, ints }),
  float: (f: number): Attribute => ({ type: A.FLOAT, f }),
  floats: (floats: number[]): Attribute => ({ type: A.FLOATS, floats }),
  string: (s: string): Attribute => ({ type: A.STRING, s: new TextEncoder().encode(s) }),
};

export interface OnnxNodeOptions {
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Hint for the node and output names. */
  name?: string;
  /** Exact output names, already reserved (graph outputs). */
  outputNames?: string[];
}

function sanitize(hint: string): string {
  return hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'v';
}

function tensorType(shape: Dim[] | undefined, elemType = onnx.TensorProto.DataType.FLOAT): onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape:
        shape === undefined
          ? undefined
          : { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

/** Accumulates nodes, initializers and value infos; `toModel` wraps them into a ModelProto. */
export class OnnxGraph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers = new Map<string, onnx.ITensorProto>();
  readonly valueInfo = new Map<string, onnx.IValueInfoProto>();
  private readonly used = new Set<string>();
  private readonly int64Cache = new Map<string, string>();

  /** A name not used yet, derived from `hint`. */
  uniqueName(hint: string): string {
    const base = sanitize(hint);
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs/outputs); fails if it is taken. */
  reserveName(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX export: the name '${name}' is used twice`);
    this.used.add(name);
    return name;
  }

  /** A float32 initializer; returns its name. */
  floatInitializer(hint: string, data: Float32Array, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new Error(`ONNX export: initializer ${hint} has ${data.length} values, dims [${dims}] need ${size}`);
    const name = this.uniqueName(hint);
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.set(name, { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
    return name;
  }

  /** A constant int64 tensor (shapes, axes, pads), shared between nodes that use the same values. */
  int64(values: number[], dims: number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    const cached = this.int64Cache.get(key);
    if (cached) return cached;
    const name = this.uniqueName(`const_i64_${values.length === 1 ? values[0] : values.length}`);
    const raw = new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
    this.initializers.set(name, { name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: raw });
    this.int64Cache.set(key, name);
    return name;
  }

  /** A float scalar constant (rank 0). */
  scalar(value: number, hint = 'const'): string {
    return this.floatInitializer(hint, new Float32Array([value]), []);
  }

  /** Adds a node; returns its output names. */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, Attribute> = {},
    options: OnnxNodeOptions = {},
  ): string[] {
    const hint = options.name ?? opType.toLowerCase();
    const outputs =
      options.outputNames ??
      Array.from({ length: options.outputs ?? 1 }, (_, i) =>
        this.uniqueName(options.outputs && options.outputs > 1 ? `${hint}:${i}` : hint),
      );
    this.nodes.push({
      opType,
      name: this.uniqueName(`${hint}/${opType}`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([name, a]) => ({ ...a, name })),
    });
    return outputs;
  }

  /** A single-output node; returns the output name. */
  op(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}, name?: string): string {
    return this.node(opType, inputs, attributes, { name })[0];
  }

  /** Records a value's float shape (graph outputs must have one; intermediate ones help readers and checkers). */
  setShape(name: string, shape: Dim[]): void {
    this.valueInfo.set(name, { name, type: tensorType(shape) });
  }

  /** The ModelProto of this graph. */
  toModel(o: {
    graphName: string;
    inputs: { name: string; shape: Dim[] }[];
    outputs: { name: string; shape: Dim[] }[];
    opset: number;
    producerVersion?: string;
    metadata?: Record<string, string>;
  }): onnx.ModelProto {
    const io = new Set([...o.inputs, ...o.outputs].map((v) => v.name));
    const graph: onnx.IGraphProto = {
      name: o.graphName,
      node: this.nodes,
      initializer: [...this.initializers.values()],
      input: o.inputs.map((v) => ({ name: v.name, type: tensorType(v.shape) })),
      output: o.outputs.map((v) => ({ name: v.name, type: tensorType(v.shape) })),
      valueInfo: [...this.valueInfo.values()].filter(
        (v) => !io.has(v.name as string) && !this.initializers.has(v.name as string),
      ),
    };
    return onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: o.opset }],
      producerName: '@research/common',
      producerVersion: o.producerVersion ?? '0.1.0',
      graph,
      metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
  }
}

/** Serialises a ModelProto. */
export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Parses serialised ONNX bytes. */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
