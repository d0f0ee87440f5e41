// The public surface of the io module, the floor of common: files every other module shares (atomic writes, fs errors
// that name the file and the fix, crash-test fault points, the workspace's asset paths, the safetensors format,
// loading ESM-only packages).
export { writeFileAtomic, writeJsonAtomic, removeStaleTempFiles } from './atomic';
export { describeFsError } from './fs-errors';
export { faultPoint, resetFaultCounts } from './faults';
export { workspaceRoot, assetsDir, datasetsDir, modelsDir, outputsDir } from './paths';
export {
  loadSafetensors,
  saveSafetensors,
  decodeSafetensors,
  encodeSafetensors,
  parseSafetensorsHeader,
} from './safetensors';
export type { SafetensorsContent, SafetensorsDtype, SafetensorsEntry } from './safetensors';
export { requireEsm } from './esm-require';
