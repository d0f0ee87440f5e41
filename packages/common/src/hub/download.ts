import { datasetInfo, listFiles, modelInfo, pathsInfo } from '@huggingface/hub';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectDatasetFiles } from '../data/hub-files';
import { checkContent, fetchHubFile, type RemoteFile } from './fetch-file';
import {
  checkAssetName,
  describeRepo,
  HubDownloadError,
  resolveHubAccess,
  toHubError,
  type HubAccess,
  type HubRepoType,
} from './hub-client';
import { readManifest, writeManifest, type HubManifest } from './manifest';
import { datasetsDir, modelsDir } from '../io/paths';
import { consoleProgress, silentProgress, type DownloadProgress } from './progress';

/** Options every download takes. */
export interface HubDownloadCommon {
  /** Branch, tag or commit; default "main". */
  revision?: string;
  /** A Hub mirror; default `$HF_ENDPOINT`, else https://huggingface.co. */
  hubUrl?: string;
  /** Default `$HF_TOKEN`. */
  token?: string;
  /** true (default): a bar in a terminal, lines otherwise; false: silent; or your own reporter. */
  progress?: boolean | DownloadProgress;
  /** How often a broken transfer is resumed within the call before giving up (default 2). */
  retries?: number;
  /** Wait before the first retry, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
}

export interface DownloadDatasetOptions extends HubDownloadCommon {
  /** The dataset repo id, e.g. "zalando-datasets/fashion_mnist". */
  name: string;
  /** Only the parquet files of this config (first folder of the Hub's parquet layout). */
  config?: string;
  /** Only the parquet files of this split ("train", "test", ...). */
  split?: string;
  /** The folder name under assets/datasets; default the repo id. */
  localName?: string;
}

export interface DownloadModelOptions extends HubDownloadCommon {
  /** The model repo id, e.g. "google/vit-base-patch16-224". */
  repoId: string;
  /** One file of the repo instead of all of them. */
  filename?: string;
}

export interface DownloadResult {
  /** The local folder: assets/datasets/<name> or assets/models/<repo-id>. */
  dir: string;
  /** The commit the revision resolved to. */
  commit: string;
  /** Repo paths fetched now, and those already present and verified. */
  downloaded: string[];
  upToDate: string[];
  /** Bytes of the files fetched now. */
  bytes: number;
}

/**
 * Downloads a Hub dataset (all of it, or the parquet files of one config/split) into `assets/datasets/<name>`.
 * A second call fetches nothing that is already there; an interrupted one continues where it stopped.
 */
export async function downloadDataset(opts: DownloadDatasetOptions): Promise<DownloadResult> {
  checkAssetName(opts.name, 'dataset');
  if (opts.localName !== undefined) checkAssetName(opts.localName, 'local dataset name');
  return syncRepo({
    type: 'dataset',
    id: opts.name,
    dir: datasetsDir(opts.localName ?? opts.name),
    select: (files) => selectDatasetFiles(files, opts, opts.name),
    opts,
  });
}

/** Downloads a Hub model repo (or one file of it) into `assets/models/<repo-id>`, like downloadDataset. */
export async function downloadModel(opts: DownloadModelOptions): Promise<DownloadResult> {
  checkAssetName(opts.repoId, 'model repo id');
  return syncRepo({ type: 'model', id: opts.repoId, dir: modelsDir(opts.repoId), onlyFile: opts.filename, opts });
}

interface SyncParams {
  type: HubRepoType;
  id: string;
  dir: string;
  opts: HubDownloadCommon;
  /** Picks the repo paths to fetch out of all of them. */
  select?: (files: string[]) => string[];
  /** Fetch this single file (looked up with paths-info instead of listing the whole repo). */
  onlyFile?: string;
}

async function syncRepo(s: SyncParams): Promise<DownloadResult> {
  const access = resolveHubAccess(s.opts);
  const revision = s.opts.revision ?? 'main';
  const progress =
    s.opts.progress === false
      ? silentProgress
      : typeof s.opts.progress === 'object'
        ? s.opts.progress
        : consoleProgress();
  const repo = { type: s.type, name: s.id };

  const commit = await resolveCommit(s.type, s.id, revision, access);
  const listed = s.onlyFile
    ? await lookUpFile(s.type, s.id, s.onlyFile, commit, access)
    : await listRepo(s.type, s.id, commit, access);
  const byPath = new Map(listed.map((f) => [f.path, f]));
  const wanted = s.select ? s.select([...byPath.keys()]) : [...byPath.keys()];

  const previous = readManifest(s.dir);
  if (!previous && isSymlink(s.dir)) {
    // An imported folder (import-dataset): downloading would write into the folder it links to.
    throw new Error(
      `${s.dir} is a link to ${fs.realpathSync(s.dir)} (imported, not downloaded): choose another local name`,
    );
  }
  if (previous && (previous.repo !== s.id || previous.type !== s.type)) {
    throw new Error(`${s.dir} holds ${describeRepo(previous.type, previous.repo)}, not ${describeRepo(s.type, s.id)}`);
  }
  const manifest: HubManifest = {
    repo: s.id,
    type: s.type,
    hubUrl: access.hubUrl,
    revision,
    commit,
    files: { ...previous?.files },
  };
  const result: DownloadResult = { dir: s.dir, commit, downloaded: [], upToDate: [], bytes: 0 };

  for (const repoPath of wanted) {
    const file = byPath.get(repoPath)!;
    const dest = localPath(s.dir, repoPath);
    const known = manifest.files[repoPath];
    const present = fs.existsSync(dest) ? fs.statSync(dest).size : -1;
    if (known && known.oid === file.oid && known.size === file.size && present === file.size) {
      result.upToDate.push(repoPath);
      continue;
    }
    // A file from elsewhere (or an older manifest): keep it if its hash says it is the same content.
    if (present === file.size && !(await checkContent(dest, file))) {
      manifest.files[repoPath] = { size: file.size, oid: file.oid, sha256: file.sha256 };
      writeManifest(s.dir, manifest);
      result.upToDate.push(repoPath);
      continue;
    }
    const { etag } = await fetchHubFile({
      repo,
      file,
      dest,
      revision: commit,
      access,
      progress,
      retries: s.opts.retries ?? 2,
      retryDelayMs: s.opts.retryDelayMs ?? 1000,
    });
    manifest.files[repoPath] = { size: file.size, oid: file.oid, sha256: file.sha256, etag };
    writeManifest(s.dir, manifest);
    result.downloaded.push(repoPath);
    result.bytes += file.size;
  }
  writeManifest(s.dir, manifest);
  return result;
}

/** The commit a branch/tag/commit name points to (also where a missing or private repo shows up). */
async function resolveCommit(type: HubRepoType, id: string, revision: string, access: HubAccess): Promise<string> {
  const params = { name: id, revision, hubUrl: access.hubUrl, accessToken: access.token };
  let sha: unknown;
  try {
    const info =
      type === 'model'
        ? await modelInfo({ ...params, additionalFields: ['sha'] })
        : await datasetInfo({ ...params, additionalFields: ['sha'] });
    sha = info.sha;
  } catch (err) {
    throw toHubError(err, describeRepo(type, id), access, revision);
  }
  if (typeof sha !== 'string' || !sha) {
    throw new HubDownloadError(`the Hub gave no commit for ${describeRepo(type, id)} at revision "${revision}"`);
  }
  return sha;
}

type HubEntry = { type: string; path: string; size: number; oid?: string; lfs?: { oid: string; size: number } };

function toRemoteFile(e: HubEntry): RemoteFile {
  return { path: e.path, size: e.lfs?.size ?? e.size, oid: e.lfs?.oid ?? e.oid ?? '', sha256: e.lfs?.oid };
}

async function listRepo(type: HubRepoType, id: string, commit: string, access: HubAccess): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  try {
    for await (const e of listFiles({
      repo: { type, name: id },
      recursive: true,
      revision: commit,
      hubUrl: access.hubUrl,
      accessToken: access.token,
    })) {
      if (e.type === 'file') files.push(toRemoteFile(e));
    }
  } catch (err) {
    throw toHubError(err, `the file list of ${describeRepo(type, id)}`, access, commit);
  }
  return files;
}

async function lookUpFile(
  type: HubRepoType,
  id: string,
  file: string,
  commit: string,
  access: HubAccess,
): Promise<RemoteFile[]> {
  let found: HubEntry[];
  try {
    found = await pathsInfo({
      repo: { type, name: id },
      paths: [file],
      revision: commit,
      hubUrl: access.hubUrl,
      accessToken: access.token,
    });
  } catch (err) {
    throw toHubError(err, `file "${file}" of ${describeRepo(type, id)}`, access, commit);
  }
  const entry = found.find((e) => e.path === file && e.type === 'file');
  if (!entry)
    throw new HubDownloadError(
      `not found: file "${file}" in ${describeRepo(type, id)} at commit ${commit} on ${access.hubUrl}`,
      404,
    );
  return [toRemoteFile(entry)];
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The local path of a repo path, refusing listings that would escape the folder ("../x"). */
function localPath(dir: string, repoPath: string): string {
  const dest = path.resolve(dir, ...repoPath.split('/'));
  if (!dest.startsWith(path.resolve(dir) + path.sep))
    throw new HubDownloadError(`refusing repo path "${repoPath}": it leaves ${dir}`);
  return dest;
}
