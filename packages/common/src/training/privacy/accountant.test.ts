import golden from '../golden/privacy_rdp.json';
import { RdpAccountant, getNoiseMultiplier } from './accountant';
import { logErfc } from './log-erfc';
import { DEFAULT_RDP_ORDERS, computeRdp, logSub, privacySpent } from './rdp';

describe('RDP accountant (Opacus semantics)', () => {
  it("reproduces Opacus' unit test: q=0.04, sigma=1.5, 2250 steps, delta=1e-5 -> 7.32911117143", () => {
    const accountant = new RdpAccountant();
    for (let i = 0; i < Math.trunc(90 / 0.04); i++) accountant.step(1.5, 0.04);
    expect(accountant.history).toEqual([{ noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2250 }]);
    const spent = accountant.getPrivacySpent(1e-5);
    expect(Math.abs(spent.epsilon - 7.32911117143)).toBeLessThan(1e-9);
    expect(spent.bestOrder).toBe(3.9);
  });

  it('has the default orders 1.1 ... 10.9, 12 ... 63', () => {
    expect(DEFAULT_RDP_ORDERS).toHaveLength(151);
    expect(DEFAULT_RDP_ORDERS.slice(0, 3)).toEqual([1.1, 1.2, 1.3]);
    expect(DEFAULT_RDP_ORDERS[98]).toBe(10.9);
    expect(DEFAULT_RDP_ORDERS.slice(99, 101)).toEqual([12, 13]);
    expect(DEFAULT_RDP_ORDERS[150]).toBe(63);
  });

  it.each(golden.cases)(
    'epsilon, best order and RDP equal the scipy reference for q=$q sigma=$sigma steps=$steps',
    (c) => {
      const orders = Object.keys(c.rdp).map(Number);
      const rdp = computeRdp(c.q, c.sigma, c.steps, orders);
      Object.values(c.rdp).forEach((want, k) => {
        expect(Math.abs(rdp[k] - want)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want)));
      });
      const spent = privacySpent(DEFAULT_RDP_ORDERS, computeRdp(c.q, c.sigma, c.steps), c.delta);
      expect(Math.abs(spent.epsilon - c.epsilon)).toBeLessThan(1e-9 * Math.max(1, c.epsilon));
      expect(spent.bestOrder).toBe(c.best_order);
    },
  );

  it('log erfc matches scipy far into both tails', () => {
    for (const { x, log_erfc } of golden.log_erfc) {
      expect(Math.abs(logErfc(x) - log_erfc)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(log_erfc)));
    }
  });

  it('adds RDP over runs with different parameters, and merges equal consecutive steps', () => {
    const accountant = new RdpAccountant();
    for (let i = 0; i < 3; i++) accountant.step(1, 0.01);
    accountant.step(2, 0.01);
    accountant.step(1, 0.01);
    expect(accountant.history.map((h) => h.steps)).toEqual([3, 1, 1]);
    const second = computeRdp(0.01, 2, 1);
    const rdp = computeRdp(0.01, 1, 4).map((r, k) => r + second[k]);
    expect(accountant.getEpsilon(1e-5)).toBeCloseTo(privacySpent(DEFAULT_RDP_ORDERS, rdp, 1e-5).epsilon, 12);
    const copy = new RdpAccountant();
    copy.loadStateDict(JSON.parse(JSON.stringify(accountant.stateDict())));
    expect(copy.getEpsilon(1e-5)).toBe(accountant.getEpsilon(1e-5));
    expect(() => copy.loadStateDict([{ steps: 1 }])).toThrow(/noiseMultiplier, sampleRate, steps/);
  });

  it('handles the edge cases as Opacus: q=0 spends nothing, sigma=0 is infinite, all-NaN gives inf', () => {
    expect(computeRdp(0, 1, 10, [2, 3])).toEqual([0, 0]);
    expect(computeRdp(0.1, 0, 10, [2])).toEqual([Infinity]);
    expect(computeRdp(1, 2, 3, [2, 5])).toEqual([(3 * 2) / 8, (3 * 5) / 8]);
    expect(privacySpent([2, 3], [NaN, NaN], 1e-5)).toEqual({ epsilon: Infinity, bestOrder: NaN, atEdge: false });
    expect(privacySpent([2, 3], [NaN, 1], 1e-5).bestOrder).toBe(3);
    expect(() => logSub(0, 1)).toThrow(/non-negative/);
    expect(() => computeRdp(1.5, 1, 1)).toThrow(/sample rate must be in \[0, 1\], got 1.5/);
    expect(() => privacySpent([2], [1], 0)).toThrow(/delta must be in \(0, 1\), got 0/);
  });
});

describe('getNoiseMultiplier (Opacus bisection)', () => {
  it("gives Opacus' test values: 1.416 for 90 epochs, 1.3562 for 2000 steps (q=0.04, eps=8, delta=1e-5)", () => {
    expect(getNoiseMultiplier({ targetEpsilon: 8, targetDelta: 1e-5, sampleRate: 0.04, epochs: 90 })).toBeCloseTo(
      1.416,
      4,
    );
    expect(getNoiseMultiplier({ targetEpsilon: 8, targetDelta: 1e-5, sampleRate: 0.04, steps: 2000 })).toBeCloseTo(
      1.3562,
      4,
    );
  });

  it.each(golden.noise_multiplier)('equals the reference bisection for eps=$target_epsilon q=$q', (c) => {
    const sigma = getNoiseMultiplier({
      targetEpsilon: c.target_epsilon,
      targetDelta: c.delta,
      sampleRate: c.q,
      epochs: c.epochs,
      steps: c.steps,
    });
    expect(sigma).toBe(c.noise_multiplier);
    const steps = c.steps ?? Math.trunc((c.epochs as number) / c.q);
    const spent = privacySpent(DEFAULT_RDP_ORDERS, computeRdp(c.q, sigma, steps), c.delta).epsilon;
    expect(spent).toBeLessThanOrEqual(c.target_epsilon);
    expect(spent).toBeGreaterThan(c.target_epsilon - 0.01);
  });

  it('refuses both or neither of epochs/steps and an unreachable budget', () => {
    expect(() => getNoiseMultiplier({ targetEpsilon: 1, targetDelta: 1e-5, sampleRate: 0.1 })).toThrow(
      /either epochs or steps/,
    );
    expect(() => getNoiseMultiplier({ targetEpsilon: 1e-7, targetDelta: 1e-12, sampleRate: 1, steps: 1e6 })).toThrow(
      /too low/,
    );
  });
});
