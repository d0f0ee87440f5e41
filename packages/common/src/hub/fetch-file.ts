import { fileDownloadInfo } from '@huggingface/hub';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  describeRepo,
  hubStatusError,
  HubDownloadError,
  networkReason,
  toHubError,
  type HubAccess,
  type HubRepoType,
} from './hub-client';
import { streamResponseToPart, TransferInterrupted } from './part-file';
import type { DownloadProgress } from './progress';

/** A file as the Hub lists it. */
export interface RemoteFile {
  path: string;
  size: number;
  /** The content id: the sha256 of an LFS file, else the git blob sha1. */
  oid: string;
  /** The sha256 of the content, for LFS files. */
  sha256?: string;
}

export interface FetchFileParams {
  repo: { type: HubRepoType; name: string };
  file: RemoteFile;
  /** The final path; the bytes arrive in `<dest>.part` first. */
  dest: string;
  /** The commit to fetch from (and the name used in errors). */
  revision: string;
  access: HubAccess;
  progress: DownloadProgress;
  /** Resumed attempts after a transfer breaks off, within this call. */
  retries: number;
  retryDelayMs: number;
}

/**
 * Downloads one file of a Hub repo to `dest`: appends to `<dest>.part` (continuing a previous partial download with a
 * Range request), checks the size and the hash the Hub gives, then renames it to `dest`. Returns the server's ETag.
 */
export async function fetchHubFile(p: FetchFileParams): Promise<{ etag: string }> {
  const what = `file "${p.file.path}" of ${describeRepo(p.repo.type, p.repo.name)}`;
  let info: Awaited<ReturnType<typeof fileDownloadInfo>>;
  try {
    info = await fileDownloadInfo({
      repo: p.repo,
      path: p.file.path,
      revision: p.revision,
      hubUrl: p.access.hubUrl,
      accessToken: p.access.token,
    });
  } catch (err) {
    throw toHubError(err, what, p.access, p.revision);
  }
  if (!info) throw hubStatusError(404, what, p.access, p.revision);
  if (info.size !== p.file.size) {
    throw new HubDownloadError(`${what}: the listing says ${p.file.size} bytes but the file server has ${info.size}`);
  }

  fs.mkdirSync(path.dirname(p.dest), { recursive: true });
  const part = `${p.dest}.part`;
  for (let attempt = 0; ; attempt++) {
    try {
      await appendToPart(info.url, part, p, what);
      break;
    } catch (err) {
      if (!(err instanceof TransferInterrupted)) throw err;
      const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
      if (attempt >= p.retries) {
        throw new HubDownloadError(
          `transfer of ${what} broke off at ${have} of ${p.file.size} bytes (${err.message}); ` +
            `the bytes so far are kept in ${part}: run the same command again to resume`,
        );
      }
      await new Promise((r) => setTimeout(r, p.retryDelayMs * 2 ** attempt));
    }
  }

  const problem = await checkContent(part, p.file);
  if (problem) {
    fs.rmSync(part, { force: true });
    throw new HubDownloadError(`${what} is corrupt after download (${problem}); it was removed: run again`);
  }
  fs.renameSync(part, p.dest);
  return { etag: info.etag };
}

/** One HTTP transfer of the bytes missing from `part`. */
async function appendToPart(url: string, part: string, p: FetchFileParams, what: string): Promise<void> {
  const total = p.file.size;
  let offset = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (offset > total) {
    fs.rmSync(part);
    offset = 0;
  }
  p.progress.start(p.file.path, total, offset);
  try {
    if (offset === total) {
      // An empty file, or a part that is complete but was never renamed: nothing to transfer.
      fs.closeSync(fs.openSync(part, 'a'));
      return;
    }
    const headers: Record<string, string> = {};
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    // fetch drops this header itself when the Hub redirects to another origin (its CDN).
    if (p.access.token) headers.Authorization = `Bearer ${p.access.token}`;
    let res: Response;
    try {
      res = await fetch(url, { headers });
    } catch (err) {
      throw new TransferInterrupted(networkReason(err));
    }
    if (!res.ok) throw hubStatusError(res.status, what, p.access, p.revision);
    await streamResponseToPart(
      res,
      part,
      offset,
      total,
      what,
      (n) => p.progress.update(n),
      (m) => new HubDownloadError(m),
    );
  } finally {
    p.progress.stop();
  }
}

/**
 * Checks a local file against what the Hub lists: its size, and the sha256 (LFS) or git blob sha1 (plain files).
 * Returns what is wrong, or undefined when it matches.
 */
export async function checkContent(file: string, remote: RemoteFile): Promise<string | undefined> {
  const size = fs.statSync(file).size;
  if (size !== remote.size) return `size ${size}, expected ${remote.size}`;
  let expected: string;
  let hash: ReturnType<typeof createHash>;
  if (remote.sha256) {
    expected = remote.sha256;
    hash = createHash('sha256');
  } else if (/^[0-9a-f]{40}$/.test(remote.oid)) {
    expected = remote.oid;
    hash = createHash('sha1').update(`blob ${size}\0`); // git's id of a blob
  } else {
    return undefined; // the Hub gave no hash to check against
  }
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  return actual === expected ? undefined : `${remote.sha256 ? 'sha256' : 'git sha1'} ${actual}, expected ${expected}`;
}
