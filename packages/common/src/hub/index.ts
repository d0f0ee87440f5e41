// The public surface of the hub module.
export { workspaceRoot, assetsDir, datasetsDir, modelsDir, outputsDir } from './paths';
export { downloadDataset, downloadModel } from './download';
export { downloadUrlFile, checkUrlFile, UrlDownloadError, type UrlFile, type UrlDownloadOptions } from './fetch-url';
export type { DownloadDatasetOptions, DownloadModelOptions, DownloadResult, HubDownloadCommon } from './download';
export { DEFAULT_HUB_URL, HubDownloadError, resolveHubAccess } from './hub-client';
export type { HubAccess, HubRepoType } from './hub-client';
export { MANIFEST_NAME, readManifest } from './manifest';
export type { HubManifest, ManifestEntry } from './manifest';
export { barProgress, consoleProgress, lineProgress, silentProgress, formatBytes } from './progress';
export type { DownloadProgress } from './progress';
export { parquetConfigSplit, selectDatasetFiles } from './dataset-files';
export { loadSafetensors, saveSafetensors, decodeSafetensors, encodeSafetensors, parseSafetensorsHeader } from './safetensors';
export type { SafetensorsContent, SafetensorsDtype, SafetensorsEntry } from './safetensors';
export { ensureSymlink, importDataset, linkAsset } from './links';
export type { ImportResult, LinkResult } from './links';
