// The public surface of the hub module.
export { workspaceRoot, assetsDir, datasetsDir, modelsDir, outputsDir } from './paths';
