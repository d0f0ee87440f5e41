// A timm-like registry of architectures: a name maps to a factory that builds a tf.LayersModel.
import * as tf from '@tensorflow/tfjs';

/** Options every factory understands; a factory may read more keys (they are passed through unchanged). */
export interface ModelOptions {
  /** Input shape without the batch axis, channels last (e.g. [28, 28, 1]). */
  inputShape?: number[];
  numClasses?: number;
  /** Load weights from `weightsPath` (a torch-layout .safetensors file) after building; zoo architectures only. */
  pretrained?: boolean;
  weightsPath?: string;
  /** 'auto' (default), 'torchvision', or another layout the architecture knows (e.g. 'timm'). */
  weightsLayout?: string;
  [key: string]: unknown;
}

export type ModelFactory = (options: ModelOptions) => tf.LayersModel;

interface Entry {
  factory: ModelFactory;
  description: string;
}

const registry = new Map<string, Entry>();

/** Adds an architecture; a name can be registered only once. */
export function registerModel(name: string, factory: ModelFactory, description = ''): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
    throw new Error(`registerModel: invalid model name '${name}' (use lowercase letters, digits, '.', '_', '-')`);
  if (registry.has(name)) throw new Error(`registerModel: a model named '${name}' is already registered`);
  registry.set(name, { factory, description });
}

/** Builds a registered architecture. */
export function createModel(name: string, options: ModelOptions = {}): tf.LayersModel {
  const entry = registry.get(name);
  if (!entry)
    throw new Error(`createModel: unknown model '${name}'; registered models: ${listModels().join(', ') || '(none)'}`);
  return entry.factory(options);
}

/** Registered names, sorted. */
export function listModels(): string[] {
  return [...registry.keys()].sort();
}

/** The description given at registration ('' if none). */
export function describeModel(name: string): string {
  const entry = registry.get(name);
  if (!entry) throw new Error(`describeModel: unknown model '${name}'`);
  return entry.description;
}
