// Typed access to the committed GUDHI golden files (made by packages/common/scripts/golden/tda_golden.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PersistencePair } from '../types';

type Encoded = number | 'inf';

export interface RipsGoldenCase {
  name: string;
  points?: number[][];
  distanceMatrix?: number[][];
  h0: PersistencePair[];
  h1: PersistencePair[];
}

export interface DistanceGoldenCase {
  name: string;
  a: PersistencePair[];
  b: PersistencePair[];
  bottleneck: number;
  wasserstein1: number;
  wasserstein2: number;
}

const decode = (x: Encoded): number => (x === 'inf' ? Infinity : x);
const decodePairs = (pairs: Encoded[][]): PersistencePair[] => pairs.map(([b, d]) => [decode(b), decode(d)]);

function load(name: string): { cases: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(join(__dirname, name), 'utf8'));
}

export function ripsGolden(): RipsGoldenCase[] {
  return load('rips.json').cases.map((c) => ({
    ...(c as unknown as RipsGoldenCase),
    h0: decodePairs(c.h0 as Encoded[][]),
    h1: decodePairs(c.h1 as Encoded[][]),
  }));
}

export function distanceGolden(): DistanceGoldenCase[] {
  return load('distances.json').cases.map((c) => ({
    name: c.name as string,
    a: decodePairs(c.a as Encoded[][]),
    b: decodePairs(c.b as Encoded[][]),
    bottleneck: decode(c.bottleneck as Encoded),
    wasserstein1: decode(c.wasserstein1 as Encoded),
    wasserstein2: decode(c.wasserstein2 as Encoded),
  }));
}

/** Relative closeness with an absolute floor for values near 0; equal infinities are close. */
export function close(actual: number, expected: number, rtol = 1e-9, atol = 1e-12): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}
