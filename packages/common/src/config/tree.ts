// Plain-object trees addressed by dotted paths, and where each of their values came from.

export type ConfigTree = Record<string, unknown>;

export function isPlainObject(value: unknown): value is ConfigTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function splitPath(key: string): string[] {
  return key.split('.').filter((part) => part.length > 0);
}

export function getPath(tree: ConfigTree, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = tree;
  for (const part of path) {
    if (!isPlainObject(node) || !Object.prototype.hasOwnProperty.call(node, part)) return { found: false };
    node = node[part];
  }
  return { found: true, value: node };
}

/** Sets `path` to `value`, creating intermediate objects (and replacing non-objects on the way). */
export function setPath(tree: ConfigTree, path: string[], value: unknown): void {
  let node = tree;
  for (const part of path.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as ConfigTree;
  }
  node[path[path.length - 1]] = value;
}

export function deletePath(tree: ConfigTree, path: string[]): boolean {
  const parent = getPath(tree, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent.found || !isPlainObject(parent.value) || !(last in parent.value)) return false;
  delete parent.value[last];
  return true;
}

export function deepClone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepClone) as T;
  if (isPlainObject(value)) {
    const out: ConfigTree = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepClone(v);
    return out as T;
  }
  return value;
}

/**
 * Where values came from: a source (file or override) per dotted path. A lookup falls back to the nearest ancestor,
 * so a whole section merged from one file answers for every key inside it.
 */
export class Origins {
  private readonly sources = new Map<string, string>();

  record(path: string[], value: unknown, source: string): void {
    this.sources.set(path.join('.'), source);
    if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) this.record([...path, k], v, source);
  }

  of(path: string[]): string | undefined {
    for (let n = path.length; n > 0; n--) {
      const source = this.sources.get(path.slice(0, n).join('.'));
      if (source) return source;
    }
    return undefined;
  }
}

/** OmegaConf-style merge: objects merge key by key, anything else (arrays included) replaces. */
export function mergeInto(target: ConfigTree, source: ConfigTree, origins: Origins, at: string[], from: string): void {
  for (const [key, value] of Object.entries(source)) {
    const path = [...at, key];
    if (isPlainObject(value) && isPlainObject(target[key])) {
      mergeInto(target[key] as ConfigTree, value, origins, path, from);
    } else {
      target[key] = deepClone(value);
      origins.record(path, value, from);
    }
  }
}
