// Opacus' RDPAccountant: the history of (noise multiplier, sample rate, steps) and the epsilon it spends; and
// get_noise_multiplier, the bisection that finds the noise for a privacy budget.
import { DEFAULT_RDP_ORDERS, type PrivacySpent, computeRdp, privacySpent } from './rdp';

export interface MechanismSteps {
  noiseMultiplier: number;
  sampleRate: number;
  steps: number;
}

export class RdpAccountant {
  /** Runs of identical steps, in order (consecutive steps with the same parameters are merged, as Opacus does). */
  history: MechanismSteps[] = [];

  /** Records one noisy optimizer step. */
  step(noiseMultiplier: number, sampleRate: number): void {
    const last = this.history[this.history.length - 1];
    if (last && last.noiseMultiplier === noiseMultiplier && last.sampleRate === sampleRate) last.steps++;
    else this.history.push({ noiseMultiplier, sampleRate, steps: 1 });
  }

  get steps(): number {
    return this.history.reduce((n, h) => n + h.steps, 0);
  }

  getPrivacySpent(delta: number, orders: readonly number[] = DEFAULT_RDP_ORDERS): PrivacySpent {
    const rdp = new Array<number>(orders.length).fill(0);
    for (const h of this.history) {
      computeRdp(h.sampleRate, h.noiseMultiplier, h.steps, orders).forEach((r, k) => (rdp[k] += r));
    }
    return privacySpent(orders, rdp, delta);
  }

  getEpsilon(delta: number, orders?: readonly number[]): number {
    return this.getPrivacySpent(delta, orders).epsilon;
  }

  stateDict(): MechanismSteps[] {
    return this.history.map((h) => ({ ...h }));
  }

  loadStateDict(state: unknown): void {
    const ok = (h: unknown): h is MechanismSteps =>
      typeof h === 'object' &&
      h !== null &&
      ['noiseMultiplier', 'sampleRate', 'steps'].every((k) => typeof (h as Record<string, unknown>)[k] === 'number');
    if (!Array.isArray(state) || !state.every(ok)) {
      throw new Error(
        `RdpAccountant: expected a list of {noiseMultiplier, sampleRate, steps}, got ${JSON.stringify(state)}`,
      );
    }
    this.history = state.map((h) => ({ ...h }));
  }
}

export interface NoiseMultiplierOptions {
  targetEpsilon: number;
  targetDelta: number;
  sampleRate: number;
  /** Either epochs (steps = floor(epochs / sampleRate)) or steps. */
  epochs?: number;
  steps?: number;
  /** Stop when the epsilon of the returned noise is within this of the target (default 0.01). */
  epsilonTolerance?: number;
  orders?: readonly number[];
}

/** Noise above which Opacus declares the budget unreachable. */
const MAX_NOISE_MULTIPLIER = 1e6;

/**
 * The noise multiplier whose epsilon after the planned steps is at most `targetEpsilon` and within the tolerance of
 * it (Opacus' get_noise_multiplier: double an upper bound from 10 until it satisfies the budget, then bisect).
 */
export function getNoiseMultiplier(o: NoiseMultiplierOptions): number {
  if ((o.epochs === undefined) === (o.steps === undefined)) {
    throw new Error('getNoiseMultiplier: give either epochs or steps (exactly one)');
  }
  if (!(o.targetEpsilon > 0)) throw new Error(`getNoiseMultiplier: targetEpsilon must be > 0, got ${o.targetEpsilon}`);
  if (!(o.sampleRate > 0 && o.sampleRate <= 1))
    throw new Error(`getNoiseMultiplier: sampleRate must be in (0, 1], got ${o.sampleRate}`);
  const tolerance = o.epsilonTolerance ?? 0.01;
  if (!(tolerance > 0)) throw new Error(`getNoiseMultiplier: epsilonTolerance must be > 0, got ${tolerance}`);
  const steps = o.steps ?? Math.trunc((o.epochs as number) / o.sampleRate);
  if (!(Number.isInteger(steps) && steps > 0))
    throw new Error(`getNoiseMultiplier: the number of steps must be a positive integer, got ${steps}`);
  const epsilonAt = (sigma: number) => {
    const accountant = new RdpAccountant();
    accountant.history = [{ noiseMultiplier: sigma, sampleRate: o.sampleRate, steps }];
    return accountant.getEpsilon(o.targetDelta, o.orders);
  };
  let sigmaLow = 0;
  let sigmaHigh = 10;
  let epsHigh = Infinity;
  while (epsHigh > o.targetEpsilon) {
    sigmaHigh *= 2;
    epsHigh = epsilonAt(sigmaHigh);
    if (sigmaHigh > MAX_NOISE_MULTIPLIER) {
      throw new Error(
        `getNoiseMultiplier: the privacy budget epsilon=${o.targetEpsilon}, delta=${o.targetDelta} is too low for ${steps} steps at sample rate ${o.sampleRate}`,
      );
    }
  }
  while (o.targetEpsilon - epsHigh > tolerance) {
    const sigma = (sigmaLow + sigmaHigh) / 2;
    const eps = epsilonAt(sigma);
    if (eps < o.targetEpsilon) {
      sigmaHigh = sigma;
      epsHigh = eps;
    } else sigmaLow = sigma;
  }
  return sigmaHigh;
}
