// Resampling a ViT's learned absolute positional embedding to another patch grid, as timm's
// resample_abs_pos_embed: the prefix (class) token is kept, the grid is resized with PyTorch's
// F.interpolate(mode='bicubic', align_corners=False, antialias=False).

/** PyTorch's cubic convolution kernel (A = -0.75). */
const A = -0.75;
function cubic1(x: number): number {
  return ((A + 2) * x - (A + 3)) * x * x + 1;
}
function cubic2(x: number): number {
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

/** Source index and the 4 tap weights of output index `i` (upsample_bicubic2d, align_corners=False). */
function taps(i: number, inSize: number, outSize: number): { base: number; w: [number, number, number, number] } {
  const scale = inSize / outSize;
  const real = scale * (i + 0.5) - 0.5; // not clamped for cubic, as PyTorch
  const base = Math.floor(real);
  const t = real - base;
  return { base, w: [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)] };
}

/**
 * Bicubic resize of a [h, w, dim] grid (row-major, channels last) to [outH, outW, dim]; reads beyond the border take
 * the edge value, as PyTorch.
 */
export function bicubicResize(
  grid: Float32Array,
  [h, w]: readonly [number, number],
  [outH, outW]: readonly [number, number],
  dim: number,
): Float32Array {
  if (grid.length !== h * w * dim) throw new Error(`bicubicResize: ${grid.length} values for a ${h}x${w}x${dim} grid`);
  const out = new Float32Array(outH * outW * dim);
  const clampY = (y: number) => Math.min(h - 1, Math.max(0, y));
  const clampX = (x: number) => Math.min(w - 1, Math.max(0, x));
  const rows = Array.from({ length: outH }, (_, y) => taps(y, h, outH));
  const cols = Array.from({ length: outW }, (_, x) => taps(x, w, outW));
  for (let oy = 0; oy < outH; oy++) {
    const ry = rows[oy];
    for (let ox = 0; ox < outW; ox++) {
      const rx = cols[ox];
      const o = (oy * outW + ox) * dim;
      for (let j = 0; j < 4; j++) {
        const sy = clampY(ry.base - 1 + j);
        for (let i = 0; i < 4; i++) {
          const weight = ry.w[j] * rx.w[i];
          const s = (sy * w + clampX(rx.base - 1 + i)) * dim;
          for (let c = 0; c < dim; c++) out[o + c] += weight * grid[s + c];
        }
      }
    }
  }
  return out;
}

/**
 * A positional embedding [prefix + oldH * oldW, dim] (flattened) for a new grid: the first `numPrefixTokens` rows
 * unchanged, the grid resized bicubically.
 */
export function resampleAbsPosEmbed(
  posEmbed: Float32Array,
  opts: {
    oldGrid: readonly [number, number];
    newGrid: readonly [number, number];
    dim: number;
    numPrefixTokens?: number;
  },
): Float32Array {
  const prefix = opts.numPrefixTokens ?? 1;
  const [oh, ow] = opts.oldGrid;
  const expected = (prefix + oh * ow) * opts.dim;
  if (posEmbed.length !== expected) {
    throw new Error(
      `resampleAbsPosEmbed: ${posEmbed.length / opts.dim} tokens of dim ${opts.dim}, expected ${prefix} + ${oh}x${ow}`,
    );
  }
  const head = posEmbed.subarray(0, prefix * opts.dim);
  const resized = bicubicResize(posEmbed.subarray(prefix * opts.dim), opts.oldGrid, opts.newGrid, opts.dim);
  const out = new Float32Array(head.length + resized.length);
  out.set(head);
  out.set(resized, head.length);
  return out;
}
