// Precision plugins: float32, and mixed precision (float16 / bfloat16) with torch's GradScaler; half rounding that
// emulates half-precision numerics on backends without half arithmetic.
export { type PrecisionPlugin, float32Precision } from './plugin';
export { MixedPrecision, type MixedPrecisionOptions } from './mixed-precision';
export { GradScaler, type GradScalerOptions, type GradScalerState } from './grad-scaler';
export {
  type HalfDtype,
  HALF_DTYPES,
  FLOAT16_MAX,
  roundToFloat16,
  roundToBfloat16,
  roundHalfArray,
  roundHalfTensor,
  castToHalf,
} from './half-round';
