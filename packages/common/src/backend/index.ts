// The public surface of the backend module.
export {
  initBackend,
  activeBackend,
  describeBackend,
  resolveBackendPreference,
  BACKEND_PREFERENCES,
  BACKEND_ENV_VAR,
} from './init';
export type { BackendInfo, BackendPreference, InitBackendOptions } from './init';
export { registerWasmKernels, ADDED_WASM_KERNELS, REPLACED_WASM_KERNELS } from './kernels';
export { registerBatchNormGradient } from './batch-norm-grad';
export { fusedKernelsActive, fusedGelu, fusedLayerNorm, fusedAdamUpdate } from './fused-ops';
