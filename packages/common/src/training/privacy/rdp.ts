// Rényi differential privacy of the sampled Gaussian mechanism (Mironov, Talwar & Zhang 2019, section 3.3) and its
// conversion to (epsilon, delta) (Balle et al. 2020, theorem 21): the formulas of Opacus'
// accountants/analysis/rdp.py (itself from TF Privacy), in double precision.
import { logErfc } from './log-erfc';

// Module-level aliases: looking `Math` up on every call is ~40x slower inside vm contexts (jest's test realm).
const { log, log1p, exp, expm1, abs, max, min, SQRT2 } = Math;
/** Opacus' RDPAccountant.DEFAULT_ALPHAS: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, k) => 1 + (k + 1) / 10),
  ...Array.from({ length: 52 }, (_, k) => 12 + k),
]);

/** log(e^x + e^y). */
export function logAdd(logx: number, logy: number): number {
  const a = min(logx, logy);
  const b = max(logx, logy);
  if (a === -Infinity) return b;
  return log1p(exp(a - b)) + b;
}

/** log(e^x - e^y), x >= y. */
export function logSub(logx: number, logy: number): number {
  if (logx < logy)
    throw new Error(`logSub: the result of a subtraction must be non-negative (log x = ${logx} < log y = ${logy})`);
  if (logy === -Infinity) return logx;
  if (logx === logy) return -Infinity;
  const diff = expm1(logx - logy);
  return diff === Infinity ? logx : log(diff) + logy;
}

/** log A_alpha for an integer order: the binomial expansion sum_i C(alpha, i) q^i (1-q)^(alpha-i) e^{(i^2-i)/(2 sigma^2)}. */
function logAIntegerOrder(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let binom = 1; // C(alpha, i), updated multiplicatively
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) binom = (binom * (alpha - i + 1)) / i;
    const logCoef = log(binom) + i * log(q) + (alpha - i) * log(1 - q);
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma ** 2));
  }
  return logA;
}

/**
 * log A_alpha for a fractional order: the two integrals over (-inf, z0] and [z0, inf) as series in i whose
 * binomial coefficients C(alpha, i) change sign once i > alpha; summed until both terms fall below e^-30.
 */
function logAFractionalOrder(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma ** 2 * log(1 / q - 1) + 0.5;
  let coef = 1; // C(alpha, i) for real alpha
  for (let i = 0; ; i++) {
    if (i > 0) coef = (coef * (alpha - i + 1)) / i;
    const logCoef = log(abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * log(q) + j * log(1 - q);
    const logT1 = logCoef + j * log(q) + i * log(1 - q);
    const logE0 = log(0.5) + logErfc((i - z0) / (SQRT2 * sigma));
    const logE1 = log(0.5) + logErfc((z0 - j) / (SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma ** 2) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma ** 2) + logE1;
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

/** RDP at order `alpha` of one step of the Gaussian mechanism (noise multiplier `sigma`) with Poisson sampling rate `q`. */
export function rdpOfSampledGaussian(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity; // no noise, no privacy
  if (q === 1) return alpha / (2 * sigma ** 2);
  if (alpha === Infinity) return Infinity;
  const logA = Number.isInteger(alpha) ? logAIntegerOrder(q, sigma, alpha) : logAFractionalOrder(q, sigma, alpha);
  return logA / (alpha - 1);
}

function checkMechanism(q: number, sigma: number, steps: number): void {
  if (!(q >= 0 && q <= 1)) throw new Error(`RDP: the sample rate must be in [0, 1], got ${q}`);
  if (!(sigma >= 0 && Number.isFinite(sigma)))
    throw new Error(`RDP: the noise multiplier must be a finite number >= 0, got ${sigma}`);
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`RDP: steps must be an integer >= 0, got ${steps}`);
}

/** RDP at each order of `steps` compositions of the sampled Gaussian mechanism (Opacus' compute_rdp). */
export function computeRdp(
  q: number,
  sigma: number,
  steps: number,
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): number[] {
  checkMechanism(q, sigma, steps);
  for (const a of orders) if (!(a > 1)) throw new Error(`RDP: orders must be > 1, got ${a}`);
  return orders.map((alpha) => rdpOfSampledGaussian(q, sigma, alpha) * steps);
}

export interface PrivacySpent {
  epsilon: number;
  /** The order whose bound is the tightest (NaN when no order gives a finite bound). */
  bestOrder: number;
  /** Whether the best order is the smallest or the largest of `orders` (Opacus warns: widen the orders). */
  atEdge: boolean;
}

/**
 * The smallest epsilon over the orders for `delta` (Opacus' get_privacy_spent, Balle et al. 2020 thm 21):
 * eps(alpha) = rdp - (log delta + log alpha) / (alpha - 1) + log((alpha - 1) / alpha); NaN orders are ignored.
 */
export function privacySpent(orders: readonly number[], rdp: readonly number[], delta: number): PrivacySpent {
  if (orders.length !== rdp.length)
    throw new Error(`privacySpent: ${orders.length} orders but ${rdp.length} RDP values`);
  if (!(delta > 0 && delta < 1)) throw new Error(`privacySpent: delta must be in (0, 1), got ${delta}`);
  let best = -1;
  let bestEps = NaN;
  orders.forEach((a, k) => {
    const eps = rdp[k] - (log(delta) + log(a)) / (a - 1) + log((a - 1) / a);
    if (!Number.isNaN(eps) && (best < 0 || eps < bestEps)) {
      best = k;
      bestEps = eps;
    }
  });
  if (best < 0) return { epsilon: Infinity, bestOrder: NaN, atEdge: false };
  return { epsilon: bestEps, bestOrder: orders[best], atEdge: best === 0 || best === orders.length - 1 };
}
