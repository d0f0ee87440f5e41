// log(erfc(x)) in double precision for every real x, without underflow for large x: the RDP of the sampled
// Gaussian mechanism at fractional orders needs it far into the tail (Opacus computes it with scipy's log_ndtr).

// Module-level aliases: looking `Math` up on every call is ~40x slower inside vm contexts (jest's test realm).
const { log, exp, abs, sqrt } = Math;
const SQRT_PI = sqrt(Math.PI);
const LOG_SQRT_PI = 0.5 * log(Math.PI);

/**
 * erf(x) for x >= 0 from the all-positive series erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!
 * (Abramowitz & Stegun 7.1.6): no cancellation, so full relative precision; used for x < 2.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / SQRT_PI) * exp(-x2) * sum;
}

/**
 * K(x) with erfc(x) = e^{-x^2} / sqrt(pi) * K(x) for x >= 2, from the continued fraction
 * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))) (A&S 7.1.14) evaluated by the modified Lentz method.
 */
function erfcScaledFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = f;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/** erfc(x) (underflows to 0 beyond x ~ 26.5; use logErfc there). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  return (exp(-x * x) / SQRT_PI) * erfcScaledFraction(x);
}

/** log(erfc(x)); finite for every finite x (about -x^2 for large x). */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x < 2) return log(erfc(x));
  return -x * x - LOG_SQRT_PI + log(erfcScaledFraction(x));
}
