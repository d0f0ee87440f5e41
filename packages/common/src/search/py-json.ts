// JSON text as Python's json.dumps writes it (", " and ": " separators, ASCII escapes, floats in repr form such as
// 1.0 and 1e-05), so that strings we store (distribution_json, value_json) are byte-identical to Optuna's.

/** A float as Python's repr writes it: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart === '' ? '0' : fracPart}`;
}

/** A value marked as a Python float, so that integral numbers print as 1.0. */
export class PyFloat {
  constructor(readonly value: number) {}
}

function dumpString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || (code >= 0x7f && code <= 0xffff)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code > 0xffff) {
      const hi = Math.floor((code - 0x10000) / 0x400) + 0xd800;
      const lo = ((code - 0x10000) % 0x400) + 0xdc00;
      out += `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
    } else out += ch;
  }
  return `${out}"`;
}

/**
 * json.dumps. JS numbers that are integers print as Python ints; wrap a number in PyFloat to print it as a float.
 * Non-finite numbers print as NaN/Infinity like Python's default allow_nan=True.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (typeof value === 'string') return dumpString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${dumpString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  throw new Error(`pythonJsonDumps: cannot serialise a ${typeof value}`);
}

/** JSON.parse that also accepts Python's NaN, Infinity and -Infinity tokens outside strings. */
export function pythonJsonLoads(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const replaced = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (m, str: string | undefined) =>
      str !== undefined ? str : JSON.stringify(`__pyjson_${m}__`),
    );
    return JSON.parse(replaced, (_k, v: unknown) => {
      if (v === '__pyjson_NaN__') return NaN;
      if (v === '__pyjson_Infinity__') return Infinity;
      if (v === '__pyjson_-Infinity__') return -Infinity;
      return v;
    });
  }
}
