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
  /** 'zeros' skips random initialisation where the architecture supports it (HRNet), e.g. to count parameters. */
  init?: string;
  [key: string]: unknown;
}

export type ModelFactory = (options: ModelOptions) => tf.LayersModel;

interface Entry {
  factory: ModelFactory;
  description: string;
}

const registry = new Map<string, Entry>();
/** Another library's name for a registered architecture (e.g. timm's) -> our name. */
const aliases = new Map<string, string>();

function checkNewName(caller: string, name: string): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
    throw new Error(`${caller}: invalid model name '${name}' (use lowercase letters, digits, '.', '_', '-')`);
  if (registry.has(name) || aliases.has(name))
    throw new Error(`${caller}: a model named '${name}' is already registered`);
}

/** Adds an architecture; a name can be registered only once. */
export function registerModel(name: string, factory: ModelFactory, description = ''): void {
  checkNewName('registerModel', name);
  registry.set(name, { factory, description });
}

/** Makes `alias` build the registered `target` too; aliases are not listed by `listModels`. */
export function registerModelAlias(alias: string, target: string): void {
  checkNewName('registerModelAlias', alias);
  if (!registry.has(target)) throw new Error(`registerModelAlias: '${alias}' names unknown model '${target}'`);
  aliases.set(alias, target);
}

/** [alias, registered name] pairs, sorted by alias. */
export function listModelAliases(): [string, string][] {
  return [...aliases.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** Builds a registered architecture (by its name or an alias). */
export function createModel(name: string, options: ModelOptions = {}): tf.LayersModel {
  const entry = registry.get(aliases.get(name) ?? name);
  if (!entry)
    throw new Error(`createModel: unknown model '${name}'; registered models: ${listModels().join(', ') || '(none)'}`);
  return entry.factory(options);
}

/** Registered names (without aliases), sorted. */
export function listModels(): string[] {
  return [...registry.keys()].sort();
}

/** The description given at registration ('' if none); an alias gives its target's. */
export function describeModel(name: string): string {
  const entry = registry.get(aliases.get(name) ?? name);
  if (!entry) throw new Error(`describeModel: unknown model '${name}'`);
  return entry.description;
}
