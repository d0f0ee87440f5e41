// Differential privacy for training (Opacus is the anchor): the RDP accountant of the sampled Gaussian mechanism
// and get_noise_multiplier, Poisson sampling, per-example gradients of a whole batch, the module validator, and
// DP-SGD as a gradient strategy the Trainer calls.
export { DEFAULT_RDP_ORDERS, computeRdp, privacySpent, rdpOfSampledGaussian, type PrivacySpent } from './rdp';
export { RdpAccountant, getNoiseMultiplier, type MechanismSteps, type NoiseMultiplierOptions } from './accountant';
export {
  perExampleGradients,
  PER_EXAMPLE_LAYERS,
  type ParamGradients,
  type PerExampleStep,
  type PerExampleOptions,
} from './per-example-grads';
export { dpModuleProblems, assertDpCompatible } from './module-validator';
export {
  PrivateBatchSource,
  imageExamples,
  indexedImageExamples,
  type IndexedExamples,
  type PrivateBatchSourceOptions,
} from './private-sampler';
export { DpSgdStrategy, resolveNoiseMultiplier, type DpSgdOptions, type DpConfig } from './dp-sgd';
