// `${a.b}` interpolation, resolved on the composed tree. A value that is exactly `${a.b}` takes the referenced value
// with its type; inside a longer string the reference is formatted as text. `\${` is a literal `${`.
import { ConfigError, showValue } from './errors';
import { getPath, isPlainObject, setPath, splitPath, type ConfigTree } from './tree';

const reference = /(\\?)\$\{([^{}]*)\}/g;
const wholeReference = /^\$\{([^{}]*)\}$/;

export function resolveInterpolations(tree: ConfigTree): void {
  const resolved = new Set<string>();

  const resolveKey = (path: string[], chain: string[], from: string[]): unknown => {
    const key = path.join('.');
    const cycleStart = chain.indexOf(key);
    if (cycleStart >= 0)
      throw new ConfigError(`interpolation cycle: ${[...chain.slice(cycleStart), key].join(' -> ')}`);
    const found = getPath(tree, path);
    if (!found.found) {
      throw new ConfigError(`interpolation \${${key}} at ${from.join('.')}: no key '${key}' in the config`);
    }
    if (resolved.has(key)) return found.value;
    const value = resolveValue(found.value, path, [...chain, key]);
    setPath(tree, path, value);
    resolved.add(key);
    return value;
  };

  const resolveValue = (value: unknown, path: string[], chain: string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, [...path, String(i)], chain));
    if (isPlainObject(value)) {
      for (const k of Object.keys(value)) value[k] = resolveValue(value[k], [...path, k], chain);
      return value;
    }
    if (typeof value !== 'string' || !value.includes('${')) return value;
    const whole = wholeReference.exec(value);
    if (whole) return resolveKey(splitPath(whole[1].trim()), chain, path);
    return value.replace(reference, (_match, escape: string, key: string) => {
      if (escape) return `\${${key}}`;
      const target = resolveKey(splitPath(key.trim()), chain, path);
      if (target !== null && typeof target === 'object') {
        throw new ConfigError(
          `interpolation \${${key}} inside the string ${showValue(value)} at ${path.join('.')} refers to an object; only whole-value references can`,
        );
      }
      return String(target);
    });
  };

  for (const key of Object.keys(tree)) resolveKey([key], [], [key]);
}
