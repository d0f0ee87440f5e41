// Lists the kernels the cpu backend has and the wasm backend lacks, and which of them our kernels now provide.
// Usage: npx tsx packages/common/scripts/kernel-diff.ts
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ADDED_WASM_KERNELS, registerWasmKernels } from '../src/backend';

const names = (backend: string) => new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
const cpu = names('cpu');
const missing = [...cpu].filter((k) => !names('wasm').has(k)).sort();
console.log(`cpu has ${cpu.size} kernels; wasm lacks ${missing.length}: ${missing.join(' ')}`);
registerWasmKernels();
const stillMissing = [...cpu].filter((k) => !names('wasm').has(k)).sort();
console.log(
  `after registerWasmKernels (adds ${Object.keys(ADDED_WASM_KERNELS).join(', ')}): wasm lacks ${stillMissing.join(' ')}`,
);
