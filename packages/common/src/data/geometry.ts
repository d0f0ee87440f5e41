// 3x3 matrices on pixel coordinates (x = column, y = row, pixel centres at integers) for image warps, and the
// conversion to tf.image.transform's 8 coefficients, which map each *output* pixel to the *input* point it samples.

export type Matrix3 = [number, number, number, number, number, number, number, number, number];

export function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0) as Matrix3;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] += a[3 * i + k] * b[3 * k + j];
  return out;
}

export function invert(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) throw new Error('geometry: the transform is singular (e.g. a scale of 0)');
  return [
    A,
    -(b * i - c * h),
    b * f - c * e,
    B,
    a * i - c * g,
    -(a * f - c * d),
    C,
    -(a * h - b * g),
    a * e - b * d,
  ].map((v) => v / det) as Matrix3;
}

export const translation = (tx: number, ty: number): Matrix3 => [1, 0, tx, 0, 1, ty, 0, 0, 1];

/**
 * Forward affine map about the image centre, torchvision's RandomAffine order: translate ∘ rotate ∘ shear ∘ scale.
 * Positive `degrees` turn the picture counter-clockwise as seen on screen (y points down).
 */
export function affineAboutCentre(
  height: number,
  width: number,
  p: { degrees?: number; translate?: [number, number]; scale?: number; shear?: [number, number] },
): Matrix3 {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const t = ((p.degrees ?? 0) * Math.PI) / 180;
  const [tx, ty] = p.translate ?? [0, 0];
  const s = p.scale ?? 1;
  const [shx, shy] = (p.shear ?? [0, 0]).map((d) => Math.tan((d * Math.PI) / 180));
  const rotate: Matrix3 = [Math.cos(t), Math.sin(t), 0, -Math.sin(t), Math.cos(t), 0, 0, 0, 1];
  const shear: Matrix3 = [1, shx, 0, shy, 1, 0, 0, 0, 1];
  const scale: Matrix3 = [s, 0, 0, 0, s, 0, 0, 0, 1];
  return [translation(cx + tx, cy + ty), rotate, shear, scale, translation(-cx, -cy)].reduce(multiply);
}

/** tf.image.transform's row for a forward map: the inverse (output -> input), normalised so its last entry is 1. */
export function transformRow(forward: Matrix3): number[] {
  const inverse = invert(forward);
  return inverse.slice(0, 8).map((v) => v / inverse[8]);
}

/** Solves a dense linear system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-12) throw new Error('geometry: degenerate perspective corners');
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= factor * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * tf.image.transform's row for the perspective warp that moves the 4 `start` corners (input) to `end` (output):
 * solves for the homography from output to input points.
 */
export function perspectiveRow(start: [number, number][], end: [number, number][]): number[] {
  const a: number[][] = [];
  const b: number[] = [];
  for (let k = 0; k < 4; k++) {
    const [x, y] = start[k];
    const [u, v] = end[k];
    a.push([u, v, 1, 0, 0, 0, -u * x, -v * x]);
    b.push(x);
    a.push([0, 0, 0, u, v, 1, -u * y, -v * y]);
    b.push(y);
  }
  return solve(a, b);
}
