// The public surface of the hub module.
export { downloadDataset, downloadModel } from './download';
export { downloadUrlFile, checkUrlFile, UrlDownloadError, type UrlFile, type UrlDownloadOptions } from './fetch-url';
export type { DownloadDatasetOptions, DownloadModelOptions, DownloadResult, HubDownloadCommon } from './download';
export { DEFAULT_HUB_URL, HubDownloadError, resolveHubAccess } from './hub-client';
export type { HubAccess, HubRepoType } from './hub-client';
export { MANIFEST_NAME, readManifest } from './manifest';
export type { HubManifest, ManifestEntry } from './manifest';
export { barProgress, consoleProgress, lineProgress, silentProgress, formatBytes } from './progress';
export type { DownloadProgress } from './progress';
export { ensureSymlink, importDataset, linkAsset } from './links';
export type { ImportResult, LinkResult } from './links';
