// The deterministic weights and inputs of the golden test, bit for bit as scripts/golden/torchvision_zoo.py makes
// them: u = lowbias32(fnv1a(name) ^ lowbias32(index)) / 2^32, then a value by the kind of tensor (see fillValue).

// A module-level alias: under jest's vm context every `Math.` lookup inside a hot loop goes through the sandbox's
// global object, which made 10M hashes take ~25 s instead of ~0.1 s.
const imul = Math.imul;

function fnv1a(name: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(name, 'utf8')) h = imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Every element (row-major) of the state-dict entry `name` of torch shape `shape`: with r = 2u - 1 in [-1, 1),
 * running_var 0.5 + u, running_mean 0.2 r, a weight of rank >= 2 sqrt(3 / fan_in) r (variance 1 / fan_in), a rank-1
 * weight 1 + 0.2 r, a bias 0.1 r, anything else 0.2 r. Each is computed as c0 + c1 * r, which gives the same doubles
 * as the script's expressions (u has 32 significant bits, so 0.5 + u = 1 + 0.5 r exactly).
 */
export function fillValues(name: string, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  let c0 = 0;
  let c1 = 0.2;
  if (name.endsWith('running_var')) [c0, c1] = [1, 0.5];
  else if (name.endsWith('running_mean')) [c0, c1] = [0, 0.2];
  else if (shape.length >= 2 && name.endsWith('weight')) [c0, c1] = [0, Math.sqrt(3 / (n / shape[0]))];
  else if (name.endsWith('weight')) [c0, c1] = [1, 0.2];
  else if (name.endsWith('bias')) [c0, c1] = [0, 0.1];
  const seed = fnv1a(name);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = c0 + c1 * (2 * (mix((seed ^ mix(i)) >>> 0) / 4294967296) - 1);
  return out;
}
