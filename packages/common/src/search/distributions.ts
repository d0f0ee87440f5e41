// Parameter distributions with Optuna's semantics: FloatDistribution (log or step), IntDistribution (log or step),
// CategoricalDistribution. Internal representation (what trial_params.param_value stores) is the float value for
// numbers and the choice index for categoricals; distribution_json is byte-identical to optuna's distribution_to_json.
import { pythonJsonDumps, pythonJsonLoads, PyFloat } from './py-json';

export type CategoricalChoice = string | number | boolean | null;

export interface FloatDistribution {
  kind: 'float';
  low: number;
  high: number;
  log: boolean;
  step: number | null;
}

export interface IntDistribution {
  kind: 'int';
  low: number;
  high: number;
  log: boolean;
  step: number;
}

export interface CategoricalDistribution {
  kind: 'categorical';
  choices: CategoricalChoice[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;
export type ParamValue = number | CategoricalChoice;

/** Decimal places of x as Python's str(x) shows it, for the exact step arithmetic Optuna does with Decimal. */
function decimals(x: number): number {
  const s = x.toExponential();
  const [m, e] = s.split('e');
  const frac = m.split('.')[1]?.length ?? 0;
  return Math.max(0, frac - Number(e));
}

/** high moved down onto the grid low + k*step (Optuna's _adjust_discrete_uniform_high, in exact decimals). */
function adjustFloatHigh(low: number, high: number, step: number): number {
  const d = Math.max(decimals(low), decimals(high), decimals(step));
  const scale = 10n ** BigInt(d);
  const toInt = (x: number): bigint => BigInt(Math.round(x * 10 ** d));
  if (d > 15) return high; // beyond exact decimal handling in doubles: keep as given
  const [l, h, s] = [toInt(low), toInt(high), toInt(step)];
  const r = h - l;
  if (r % s === 0n) return high;
  const adjusted = (r / s) * s + l;
  return Number(adjusted) / Number(scale);
}

export function floatDistribution(
  low: number,
  high: number,
  opts: { log?: boolean; step?: number | null } = {},
): FloatDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? null;
  if (log && step !== null) throw new Error('FloatDistribution: `step` is not supported when `log` is true');
  if (!(low <= high)) throw new Error(`FloatDistribution: low (${low}) must be <= high (${high})`);
  if (log && low <= 0) throw new Error(`FloatDistribution: low (${low}) must be > 0 for a log distribution`);
  if (step !== null && step <= 0) throw new Error(`FloatDistribution: step (${step}) must be > 0`);
  return { kind: 'float', low, high: step !== null ? adjustFloatHigh(low, high, step) : high, log, step };
}

export function intDistribution(
  low: number,
  high: number,
  opts: { log?: boolean; step?: number } = {},
): IntDistribution {
  const log = opts.log ?? false;
  const step = opts.step ?? 1;
  if (!Number.isInteger(low) || !Number.isInteger(high) || !Number.isInteger(step)) {
    throw new Error(`IntDistribution: low, high and step must be integers (got ${low}, ${high}, ${step})`);
  }
  if (log && step !== 1) throw new Error('IntDistribution: `step` must be 1 when `log` is true');
  if (low > high) throw new Error(`IntDistribution: low (${low}) must be <= high (${high})`);
  if (log && low < 1) throw new Error(`IntDistribution: low (${low}) must be >= 1 for a log distribution`);
  if (step <= 0) throw new Error(`IntDistribution: step (${step}) must be > 0`);
  return { kind: 'int', low, high: high - ((high - low) % step), log, step };
}

export function categoricalDistribution(choices: CategoricalChoice[]): CategoricalDistribution {
  if (choices.length === 0) throw new Error('CategoricalDistribution: choices must not be empty');
  return { kind: 'categorical', choices: [...choices] };
}

/** True when the distribution holds a single value. */
export function isSingle(d: Distribution): boolean {
  if (d.kind === 'categorical') return d.choices.length === 1;
  if (d.kind === 'int') return d.low === d.high;
  if (d.low === d.high) return true;
  return d.step !== null && d.high - d.low < d.step;
}

function choiceEquals(a: CategoricalChoice, b: CategoricalChoice): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** The value stored in trial_params.param_value. */
export function toInternalRepr(d: Distribution, value: ParamValue): number {
  if (d.kind !== 'categorical') {
    if (typeof value !== 'number') throw new Error(`expected a number for a ${d.kind} distribution, got ${value}`);
    return value;
  }
  const index = d.choices.findIndex((c) => choiceEquals(c, value as CategoricalChoice));
  if (index < 0) throw new Error(`value ${JSON.stringify(value)} is not one of ${JSON.stringify(d.choices)}`);
  return index;
}

export function toExternalRepr(d: Distribution, internal: number): ParamValue {
  if (d.kind === 'categorical') {
    const index = Math.trunc(internal);
    if (index < 0 || index >= d.choices.length) {
      throw new Error(`choice index ${internal} is outside the ${d.choices.length} choices`);
    }
    return d.choices[index];
  }
  return d.kind === 'int' ? Math.round(internal) : internal;
}

export function contains(d: Distribution, internal: number): boolean {
  if (d.kind === 'categorical') return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
  if (internal < d.low || internal > d.high) return false;
  if (d.kind === 'int') return (internal - d.low) % d.step === 0;
  if (d.step === null) return true;
  const k = (internal - d.low) / d.step;
  return Math.abs(k - Math.round(k)) < 1e-8;
}

/** optuna.distributions.distribution_to_json, key order included. */
export function distributionToJson(d: Distribution): string {
  if (d.kind === 'float') {
    return pythonJsonDumps({
      name: 'FloatDistribution',
      attributes: {
        step: d.step === null ? null : new PyFloat(d.step),
        low: new PyFloat(d.low),
        high: new PyFloat(d.high),
        log: d.log,
      },
    });
  }
  if (d.kind === 'int') {
    return pythonJsonDumps({
      name: 'IntDistribution',
      attributes: { log: d.log, step: d.step, low: d.low, high: d.high },
    });
  }
  return pythonJsonDumps({ name: 'CategoricalDistribution', attributes: { choices: d.choices } });
}

/** optuna.distributions.json_to_distribution, including the pre-3.0 names and the abbreviated form. */
export function jsonToDistribution(json: string): Distribution {
  const parsed = pythonJsonLoads(json) as {
    name?: string;
    attributes?: Record<string, unknown>;
    type?: string;
  } & Record<string, unknown>;
  const a = (parsed.attributes ?? parsed) as Record<string, unknown>;
  const num = (k: string): number => {
    const v = a[k];
    if (typeof v !== 'number') throw new Error(`distribution_json ${json}: "${k}" must be a number`);
    return v;
  };
  const name = parsed.name ?? parsed.type;
  switch (name) {
    case 'FloatDistribution':
    case 'float':
      return floatDistribution(num('low'), num('high'), { log: Boolean(a.log), step: (a.step as number) ?? null });
    case 'IntDistribution':
    case 'int':
      return intDistribution(num('low'), num('high'), { log: Boolean(a.log), step: (a.step as number) ?? 1 });
    case 'CategoricalDistribution':
    case 'categorical':
      return categoricalDistribution(a.choices as CategoricalChoice[]);
    case 'UniformDistribution':
      return floatDistribution(num('low'), num('high'));
    case 'LogUniformDistribution':
      return floatDistribution(num('low'), num('high'), { log: true });
    case 'DiscreteUniformDistribution':
      return floatDistribution(num('low'), num('high'), { step: num('q') });
    case 'IntUniformDistribution':
      return intDistribution(num('low'), num('high'), { step: (a.step as number) ?? 1 });
    case 'IntLogUniformDistribution':
      return intDistribution(num('low'), num('high'), { log: true });
    default:
      throw new Error(`distribution_json ${json}: unknown distribution "${String(name)}"`);
  }
}

/** optuna.distributions.check_distribution_compatibility. */
export function checkDistributionCompatibility(oldD: Distribution, newD: Distribution, param = ''): void {
  const what = param ? ` for parameter "${param}"` : '';
  if (oldD.kind !== newD.kind) {
    throw new Error(
      `Cannot set different distribution kind to the same parameter name${what} ` +
        `(${oldD.kind} before, ${newD.kind} now)`,
    );
  }
  if (oldD.kind !== 'categorical' && newD.kind !== 'categorical' && oldD.log !== newD.log) {
    throw new Error(`Cannot set different log configuration to the same parameter name${what}`);
  }
  if (oldD.kind === 'categorical' && newD.kind === 'categorical') {
    const same =
      oldD.choices.length === newD.choices.length && oldD.choices.every((c, i) => choiceEquals(c, newD.choices[i]));
    if (!same) throw new Error(`CategoricalDistribution does not support dynamic value space${what}`);
  }
}

export function distributionsEqual(a: Distribution, b: Distribution): boolean {
  return distributionToJson(a) === distributionToJson(b);
}
