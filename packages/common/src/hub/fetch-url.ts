// Resumable, verified download of one file from a plain URL (a Zenodo record's file, a release asset), the way the
// Hub downloads work: bytes arrive in `<dest>.part`, an interrupted transfer continues with a Range request, and the
// size and checksum are checked before the file is renamed into place. A file already in place with the right size
// and checksum is not fetched again.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { networkReason } from './hub-client';
import { streamResponseToPart, TransferInterrupted } from './part-file';
import { type DownloadProgress, silentProgress } from './progress';

export interface UrlFile {
  url: string;
  /** Name in messages and progress lines. */
  name: string;
  size: number;
  /** e.g. {algorithm: 'md5', hex: '…'} from Zenodo's "md5:…". */
  checksum?: { algorithm: 'md5' | 'sha1' | 'sha256'; hex: string };
}

export interface UrlDownloadOptions {
  progress?: DownloadProgress;
  /** Resumed attempts after a transfer breaks off (default 3). */
  retries?: number;
  retryDelayMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export class UrlDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UrlDownloadError';
  }
}

/** What is wrong with a local copy (size, then checksum), or undefined when it matches. */
export async function checkUrlFile(file: string, remote: UrlFile): Promise<string | undefined> {
  const size = fs.statSync(file).size;
  if (size !== remote.size) return `size ${size}, expected ${remote.size}`;
  if (!remote.checksum) return undefined;
  const hash = createHash(remote.checksum.algorithm);
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  return actual === remote.checksum.hex.toLowerCase()
    ? undefined
    : `${remote.checksum.algorithm} ${actual}, expected ${remote.checksum.hex}`;
}

/** Downloads `remote` to `dest`; returns whether it was fetched or already there. */
export async function downloadUrlFile(
  remote: UrlFile,
  dest: string,
  opts: UrlDownloadOptions = {},
): Promise<'downloaded' | 'present'> {
  if (fs.existsSync(dest) && (await checkUrlFile(dest, remote)) === undefined) return 'present';
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await appendToPart(remote, part, opts);
      break;
    } catch (err) {
      if (!(err instanceof TransferInterrupted)) throw err;
      const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
      if (attempt >= retries) {
        throw new UrlDownloadError(
          `transfer of ${remote.name} from ${remote.url} broke off at ${have} of ${remote.size} bytes (${err.message}); the bytes so far are kept in ${part}: run the same command again to resume`,
        );
      }
      await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 1000) * 2 ** attempt));
    }
  }
  const problem = await checkUrlFile(part, remote);
  if (problem) {
    fs.rmSync(part, { force: true });
    throw new UrlDownloadError(`${remote.name} is corrupt after download (${problem}); it was removed: run again`);
  }
  fs.renameSync(part, dest);
  return 'downloaded';
}

async function appendToPart(remote: UrlFile, part: string, opts: UrlDownloadOptions): Promise<void> {
  const progress = opts.progress ?? silentProgress;
  let offset = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (offset > remote.size) {
    fs.rmSync(part);
    offset = 0;
  }
  progress.start(remote.name, remote.size, offset);
  try {
    if (offset === remote.size) {
      fs.closeSync(fs.openSync(part, 'a'));
      return;
    }
    const headers: Record<string, string> = { ...opts.headers };
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(remote.url, { headers });
    } catch (err) {
      throw new TransferInterrupted(networkReason(err));
    }
    if (!res.ok)
      throw new UrlDownloadError(`${remote.name}: GET ${remote.url} answered HTTP ${res.status} ${res.statusText}`);
    await streamResponseToPart(
      res,
      part,
      offset,
      remote.size,
      remote.name,
      (n) => progress.update(n),
      (m) => new UrlDownloadError(m),
    );
  } finally {
    progress.stop();
  }
}
