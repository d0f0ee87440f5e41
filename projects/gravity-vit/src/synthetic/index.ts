// The synthetic Gravity Spy set: class-shaped time-frequency glitches at the four windows, written in the real layout.
export { GLITCHES, type Energy, type GlitchFactory } from './glitches';
export { renderViews, amplitudeOfSnr, F_MIN, F_MAX } from './render';
export {
  writeSyntheticGravitySpy,
  SYNTHETIC_H5,
  SYNTHETIC_CSV,
  DEFAULT_PER_CLASS,
  type SyntheticOptions,
  type SyntheticResult,
} from './write-synthetic';
