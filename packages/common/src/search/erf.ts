// Error functions as Optuna's TPE evaluates them: `libmErf`/`libmErfc` follow fdlibm's s_erf.c (what CPython's
// math.erf/erfc call through the C library), `optunaErf` follows optuna/samplers/_tpe/_erf.py, the same rational
// approximations without fdlibm's low-word split. Coefficients are fdlibm's.

const erx = 8.45062911510467529297e-1;
const efx = 1.28379167095512586316e-1;
const pp = [
  1.28379167095512558561e-1, -3.2504210724700149937e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3,
  -2.37630166566501626084e-5,
];
const qq = [
  1, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4,
  -3.9602282787753681232e-6,
];
const pa = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1,
  -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.166375594868790843e-3,
];
const qa = [
  1, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1,
  1.36370839120290507362e-2, 1.1984499846799107417e-2,
];
const ra = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1,
  -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592,
];
const sa = [
  1, 1.96512716674392571292e1, 1.376577541435190426e2, 4.34565877475229228821e2, 6.45387271733267880336e2,
  4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2,
];
const rb = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2,
  -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2,
];
const sb = [
  1, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3,
  2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1,
];

/** Horner evaluation of c[0] + s*c[1] + s^2*c[2] + ... */
function poly(c: number[], s: number): number {
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = c[i] + s * r;
  return r;
}

const scratch = new DataView(new ArrayBuffer(8));
/** x with the low 32 bits of its mantissa cleared (fdlibm's SET_LOW_WORD(z, 0)). */
function clearLowWord(x: number): number {
  scratch.setFloat64(0, x);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/** exp(-x^2 - 0.5625 + R/S) / x for x >= 1.25: the tail shared by erf and erfc. */
function tail(x: number, exact: boolean): number {
  const s = 1 / (x * x);
  const [R, S] = x < 1 / 0.35 ? [poly(ra, s), poly(sa, s)] : [poly(rb, s), poly(sb, s)];
  if (!exact) return (Math.exp(-x * x - 0.5625) * Math.exp(R / S)) / x;
  const z = clearLowWord(x);
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - x) * (z + x) + R / S)) / x;
}

function erfImpl(x: number, exact: boolean): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  const a = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  if (a < 0.84375) {
    if (a < 2 ** -28) return x + efx * x;
    const z = x * x;
    return x + x * (poly(pp, z) / poly(qq, z));
  }
  if (a < 1.25) {
    const s = a - 1;
    return sign * (erx + poly(pa, s) / poly(qa, s));
  }
  if (a >= 6) return sign;
  return sign * (1 - tail(a, exact));
}

export function libmErf(x: number): number {
  return erfImpl(x, true);
}

export function optunaErf(x: number): number {
  return erfImpl(x, false);
}

export function libmErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  const a = Math.abs(x);
  if (a < 0.84375) {
    if (a < 2 ** -56) return 1 - x;
    const z = x * x;
    const y = poly(pp, z) / poly(qq, z);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (a < 1.25) {
    const s = a - 1;
    const pq = poly(pa, s) / poly(qa, s);
    return x >= 0 ? 1 - erx - pq : 1 + (erx + pq);
  }
  if (a < 28) {
    if (x < -6) return 2;
    const r = tail(a, true);
    return x > 0 ? r : 2 - r;
  }
  return x > 0 ? 0 : 2;
}
