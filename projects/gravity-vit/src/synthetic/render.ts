// Renders one glitch as the four Omega-scan windows: columns are time (the window centred on the glitch), rows are
// log frequency from 2048 Hz (top) to 10 Hz (bottom); grey = background noise + amplitude x energy, clipped to [0, 1].
import type { Rng } from '@research/common';
import { DURATIONS, VIEW_HEIGHT, VIEW_WIDTH } from '../data';
import type { Energy } from './glitches';

export const F_MIN = 10;
export const F_MAX = 2048;

/** Pixel intensity of a glitch of this SNR: faint near 7.5 (the catalogue's threshold), bright above ~100. */
export function amplitudeOfSnr(snr: number): number {
  return Math.min(0.9, 0.2 + 0.36 * Math.log10(snr / 7.5));
}

/** The four views, uint8 [4][140 * 170], of one glitch with its own noise. */
export function renderViews(energy: Energy, amplitude: number, rng: Rng): Uint8Array[] {
  const uMin = Math.log2(F_MIN);
  const uMax = Math.log2(F_MAX);
  const rows = Float64Array.from({ length: VIEW_HEIGHT }, (_, y) => uMax - ((y + 0.5) / VIEW_HEIGHT) * (uMax - uMin));
  return DURATIONS.map((d) => {
    const duration = Number(d);
    const dt = duration / VIEW_WIDTH;
    const out = new Uint8Array(VIEW_HEIGHT * VIEW_WIDTH);
    for (let x = 0; x < VIEW_WIDTH; x++) {
      const t = ((x + 0.5) / VIEW_WIDTH - 0.5) * duration;
      for (let y = 0; y < VIEW_HEIGHT; y++) {
        // Omega scans' normalised energy of Gaussian noise is exponentially distributed.
        const noise = 0.06 - 0.04 * Math.log(1 - rng.next());
        const value = noise + amplitude * energy(t, rows[y], dt);
        out[y * VIEW_WIDTH + x] = Math.round(255 * Math.min(1, Math.max(0, value)));
      }
    }
    return out;
  });
}
