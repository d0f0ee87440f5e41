// The truncated normal distribution as optuna/samplers/_tpe/_truncnorm.py computes it (SciPy's algorithms: log of
// the Gaussian mass of an interval evaluated in the left tail, the quantile by bisection on log Phi).
import { libmErf, libmErfc, optunaErf } from './erf';

const LOG_SQRT_2PI = Math.log(Math.sqrt(2 * Math.PI));
const SQRT2 = Math.SQRT2;

function ndtrSingle(a: number): number {
  const x = a / SQRT2;
  if (x < -1 / SQRT2) return 0.5 * libmErfc(-x);
  if (x < 1 / SQRT2) return 0.5 + 0.5 * libmErf(x);
  return 1 - 0.5 * libmErfc(x);
}

/** Phi(a) through Optuna's array erf (used for the central interval). */
function ndtr(a: number): number {
  return 0.5 + 0.5 * optunaErf(a / SQRT2);
}

export function logNdtr(a: number): number {
  if (a > 6) return -ndtrSingle(-a);
  if (a > -20) return Math.log(ndtrSingle(a));
  // Asymptotic series for the far left tail.
  const logLhs = -0.5 * a * a - Math.log(-a) - 0.5 * Math.log(2 * Math.PI);
  let lastTotal = 0;
  let rhs = 1;
  let numerator = 1;
  let denomFactor = 1;
  const denomCons = 1 / (a * a);
  let sign = 1;
  let i = 0;
  while (Math.abs(lastTotal - rhs) > Number.EPSILON) {
    i += 1;
    lastTotal = rhs;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rhs += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rhs);
}

function logDiff(logP: number, logQ: number): number {
  return logP + Math.log1p(-Math.exp(logQ - logP));
}

function logAddExp(x: number, y: number): number {
  if (x === y) return x + Math.LN2;
  const m = Math.max(x, y);
  return m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

/** log of the standard Gaussian's mass on [a, b]. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

function ndtriExp(y: number): number {
  // Bisection on [-100, 100] for log Phi(x) = y, 100 halvings as Optuna.
  let lo = -100;
  let hi = 100;
  if (logNdtr(lo) > y) [lo, hi] = [hi, lo];
  let m = 0;
  for (let k = 0; k < 100; k++) {
    m = (lo + hi) / 2;
    if (logNdtr(m) < y) lo = m;
    else hi = m;
  }
  return m;
}

/** Quantile q of the standard normal truncated to [a, b]. */
export function truncnormPpf(q: number, a: number, b: number): number {
  if (a === b) return NaN;
  if (q === 0) return a;
  if (q === 1) return b;
  if (a < 0) return ndtriExp(logAddExp(logNdtr(a), Math.log(q) + logGaussMass(a, b)));
  return -ndtriExp(logAddExp(logNdtr(-b), Math.log1p(-q) + logGaussMass(a, b)));
}

/**
 * log density at x of N(loc, scale) truncated to [loc + a*scale, loc + b*scale]. `omitLogScale` reproduces Optuna
 * 3.0-3.1, whose density left out the -log(scale) term (fixed in later releases). `logMass` may pass a precomputed
 * logGaussMass(a, b) (the same for every x of one kernel).
 */
export function truncnormLogPdf(
  x: number,
  a: number,
  b: number,
  loc: number,
  scale: number,
  omitLogScale = false,
  logMass = logGaussMass(a, b),
): number {
  const z = (x - loc) / scale;
  if (a === b) return NaN;
  if (z < a || z > b) return -Infinity;
  return -(z * z) / 2 - LOG_SQRT_2PI - logMass - (omitLogScale ? 0 : Math.log(scale));
}
