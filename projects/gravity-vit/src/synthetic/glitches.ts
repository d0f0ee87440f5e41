// Time-frequency shapes of the 22 Gravity Spy classes, drawn in physical units so that every window shows the same
// glitch: t in seconds from the glitch's peak, u = log2(frequency / Hz) on the Omega scans' log axis (10-2048 Hz).
// Each class samples its own parameters per glitch and returns its energy E(t, u) (about 1 at the glitch's core).
// `dt` is a pixel's width in seconds: features narrower than a pixel are widened to it, so that a 20 ms blip still
// shows in the 4 s window (as the scans' tiling does) instead of falling between two pixel centres.
import type { Rng } from '@research/common';
import type { GravitySpyClass } from '../data';

export type Energy = (t: number, u: number, dt: number) => number;
export type GlitchFactory = (rng: Rng) => Energy;

const log2 = Math.log2;

function gauss(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  return Math.exp(-0.5 * z * z);
}

/** A Gaussian in time whose width is at least about half a pixel. */
function pulse(t: number, t0: number, sigma: number, dt: number): number {
  return gauss(t, t0, Math.hypot(sigma, 0.5 * dt));
}

/** 1 inside [lo, hi] (log2 Hz), with soft edges of `edge` octaves. */
function band(u: number, lo: number, hi: number, edge = 0.15): number {
  if (u < lo) return gauss(u, lo, edge);
  if (u > hi) return gauss(u, hi, edge);
  return 1;
}

/** A horizontal-ish line at frequency f (Hz) with a width in octaves. */
function line(u: number, f: number, width: number): number {
  return f > 0 ? gauss(u, log2(f), width) : 0;
}

/** A short broadband tear drop: wide in time at low frequency, narrow at the top. */
function tearDrop(
  t: number,
  u: number,
  dt: number,
  t0: number,
  lo: number,
  hi: number,
  sigmaLow: number,
  sigmaHigh: number,
): number {
  const frac = Math.min(1, Math.max(0, (u - lo) / (hi - lo)));
  return pulse(t, t0, sigmaLow + (sigmaHigh - sigmaLow) * frac, dt) * band(u, lo, hi, 0.2);
}

export const GLITCHES: Record<GravitySpyClass, GlitchFactory> = {
  // A persistent line at 1080 Hz (and a weaker 1080 x 1.03 partner) whose loudness comes and goes.
  '1080Lines': (rng) => {
    const phase = rng.uniform(0, 2 * Math.PI);
    const period = rng.uniform(0.4, 0.9);
    return (t, u) =>
      (0.5 + 0.5 * Math.sin((2 * Math.PI * t) / period + phase) ** 2) *
      (line(u, 1080, 0.03) + 0.5 * line(u, 1112, 0.03));
  },
  // Short blobs around 1400 Hz, a few in a row.
  '1400Ripples': (rng) => {
    const spacing = rng.uniform(0.12, 0.3);
    const f = rng.uniform(1350, 1450);
    const sigma = rng.uniform(0.02, 0.04);
    return (t, u, dt) => {
      let e = 0;
      for (let k = -1; k <= 1; k++) e += pulse(t, k * spacing, sigma, dt) * (k === 0 ? 1 : 0.6);
      return e * gauss(u, log2(f), 0.12);
    };
  },
  // A broad hum near 50 Hz with its first harmonic, slowly pumping.
  Air_Compressor: (rng) => {
    const f0 = rng.uniform(45, 55);
    const period = rng.uniform(0.8, 1.6);
    return (t, u) =>
      (0.6 + 0.4 * Math.cos((2 * Math.PI * t) / period)) * (line(u, f0, 0.09) + 0.5 * line(u, 2 * f0, 0.07));
  },
  // A very short broadband spike, 30 Hz to a few hundred Hz.
  Blip: (rng) => {
    const top = log2(rng.uniform(300, 700));
    const s = rng.uniform(0.004, 0.008);
    return (t, u, dt) => tearDrop(t, u, dt, 0, log2(30), top, 2 * s, s);
  },
  // An inspiral-like upward sweep ending at the peak time: f = f_end (1 - t/tau)^(-3/8) for t <= 0.
  Chirp: (rng) => {
    const fEnd = rng.uniform(250, 600);
    const tau = rng.uniform(0.005, 0.02);
    return (t, u, dt) => {
      if (t > 0.5 * dt) return 0;
      const f = fEnd * Math.pow(1 - Math.min(t, 0) / tau, -3 / 8);
      return line(u, f, 0.07) * Math.exp(Math.min(t, 0) / 0.6);
    };
  },
  // Saturating energy over the whole band for most of a second.
  Extremely_Loud: (rng) => {
    const sigma = rng.uniform(0.15, 0.35);
    const top = log2(rng.uniform(1000, 2000));
    return (t, u, dt) => 2.5 * pulse(t, 0, sigma, dt) * band(u, log2(10), top, 0.5);
  },
  // Two intertwined strands whose frequency oscillates: a helix seen side on.
  Helix: (rng) => {
    const f0 = rng.uniform(150, 350);
    const period = rng.uniform(0.25, 0.45);
    const depth = rng.uniform(0.6, 1.0);
    return (t, u) => {
      const w = (2 * Math.PI * t) / period;
      const envelope = gauss(t, 0, 1.2);
      return (
        envelope * (line(u, f0 * 2 ** (depth * Math.sin(w)), 0.08) + line(u, f0 * 2 ** (-depth * Math.sin(w)), 0.08))
      );
    };
  },
  // A big broadband blob with a wide low-frequency body and a narrow head: longer and louder than a Blip.
  Koi_Fish: (rng) => {
    const top = log2(rng.uniform(600, 1100));
    const s = rng.uniform(0.02, 0.035);
    return (t, u, dt) => 1.6 * tearDrop(t, u, dt, 0, log2(15), top, 3 * s, 0.5 * s);
  },
  // A comb of short low-frequency bursts at a fixed rate.
  Light_Modulation: (rng) => {
    const rate = rng.uniform(4, 7);
    const top = log2(rng.uniform(60, 120));
    return (t, u, dt) => {
      const k = Math.round(t * rate);
      return gauss(t, 0, 1.5) * pulse(t, k / rate, 0.02, dt) * band(u, log2(10), top, 0.2);
    };
  },
  // A low-frequency hump lasting about a second, its upper edge arching over time.
  Low_Frequency_Burst: (rng) => {
    const sigma = rng.uniform(0.2, 0.4);
    const top = rng.uniform(35, 60);
    return (t, u, dt) =>
      pulse(t, 0, sigma, dt) * band(u, log2(10), log2(10 + (top - 10) * gauss(t, 0, 1.5 * sigma)), 0.15);
  },
  // Two or three steady lines below 30 Hz.
  Low_Frequency_Lines: (rng) => {
    const count = 2 + rng.int(2);
    const fs = Array.from({ length: count }, (_, i) => 12 + i * rng.uniform(5, 7));
    return (_t, u) => fs.reduce((e, f) => e + line(u, f, 0.05), 0);
  },
  // Background only.
  No_Glitch: () => () => 0,
  // Something unlike the other classes: a tilted ellipse somewhere in the plane.
  None_of_the_Above: (rng) => {
    const t0 = rng.uniform(-0.4, 0.4);
    const u0 = rng.uniform(log2(20), log2(1500));
    const st = rng.uniform(0.05, 0.3);
    const su = rng.uniform(0.3, 1.2);
    const tilt = rng.uniform(-3, 3);
    return (t, u, dt) => pulse(t, t0 + (u - u0) / tilt / 10, st, dt) * gauss(u, u0, su);
  },
  // Two mirrored arcs side by side in 30-150 Hz.
  Paired_Doves: (rng) => {
    const w = rng.uniform(0.12, 0.25);
    const f0 = rng.uniform(30, 50);
    const rise = rng.uniform(1.2, 1.8);
    return (t, u) => {
      let e = 0;
      for (const tk of [-w, w]) {
        const x = Math.abs(t - tk) / w;
        if (x < 1) e += line(u, f0 * 2 ** (rise * (1 - x * x)), 0.08);
      }
      return e;
    };
  },
  // The mains line: 60 Hz and weaker harmonics, constant.
  Power_Line: () => (_t, u) => line(u, 60, 0.035) + 0.5 * line(u, 120, 0.035) + 0.25 * line(u, 180, 0.035),
  // Blips at a steady rhythm.
  Repeating_Blips: (rng) => {
    const spacing = rng.uniform(0.22, 0.45);
    const top = log2(rng.uniform(200, 400));
    const s = rng.uniform(0.004, 0.008);
    return (t, u, dt) => {
      let e = 0;
      for (let k = -4; k <= 4; k++) e += tearDrop(t, u, dt, k * spacing, log2(30), top, 2 * s, s);
      return e;
    };
  },
  // Stacked arches below ~120 Hz: f_k(t) = k f_max |cos(pi t / T)|.
  Scattered_Light: (rng) => {
    const period = rng.uniform(2, 3.5);
    const fMax = rng.uniform(18, 35);
    return (t, u) => {
      const c = Math.abs(Math.cos((Math.PI * t) / period));
      let e = 0;
      for (let k = 1; k <= 3; k++) if (k * fMax * c > 9) e += line(u, k * fMax * c, 0.07) / k ** 0.5;
      return e;
    };
  },
  // A ragged band of short scratches between ~40 and 300 Hz.
  Scratchy: (rng) => {
    const phase = rng.uniform(0, 2 * Math.PI);
    const lo = log2(rng.uniform(35, 60));
    const hi = log2(rng.uniform(200, 350));
    return (t, u) =>
      gauss(t, 0, 1.8) * band(u, lo, hi, 0.2) * (0.5 + 0.5 * Math.sin(2 * Math.PI * (9 * t + 1.7 * u) + phase)) ** 6;
  },
  // A short low-frequency triangle (a "gnome's hat"), below ~100 Hz.
  Tomte: (rng) => {
    const top = log2(rng.uniform(70, 120));
    const s = rng.uniform(0.02, 0.04);
    return (t, u, dt) => tearDrop(t, u, dt, 0, log2(12), top, s, 0.2 * s);
  },
  // The suspension's violin modes: a thin line near 500 Hz and its harmonic at 1 kHz.
  Violin_Mode: (rng) => {
    const f0 = rng.uniform(490, 510);
    return (_t, u) => line(u, f0, 0.025) + 0.4 * line(u, 2 * f0, 0.025);
  },
  // A high line that drifts slowly up and down.
  Wandering_Line: (rng) => {
    const f0 = rng.uniform(700, 1500);
    const period = rng.uniform(2.5, 5);
    const phase = rng.uniform(0, 2 * Math.PI);
    return (t, u) => line(u, f0 * 2 ** (0.35 * Math.sin((2 * Math.PI * t) / period + phase)), 0.04);
  },
  // A rising arc: a thin U-shaped sweep at high frequency.
  Whistle: (rng) => {
    const fMin = rng.uniform(300, 600);
    const curvature = rng.uniform(40, 120);
    return (t, u) => {
      const f = fMin * 2 ** (curvature * t * t);
      return f < 2048 ? line(u, f, 0.06) * gauss(t, 0, 0.2) : 0;
    };
  },
};
