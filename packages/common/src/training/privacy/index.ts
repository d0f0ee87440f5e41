// Differential privacy for training: the RDP accountant of the sampled Gaussian mechanism (Opacus' RDPAccountant,
// get_noise_multiplier), Poisson sampling, per-example gradients, and the DP-SGD gradient strategy.
export { DEFAULT_RDP_ORDERS, computeRdp, privacySpent, rdpOfSampledGaussian, type PrivacySpent } from './rdp';
export { RdpAccountant, getNoiseMultiplier, type MechanismSteps, type NoiseMultiplierOptions } from './accountant';
