// The files of a Zenodo record through Zenodo's REST API (https://developers.zenodo.org, "Records"):
// GET {api}/api/records/{id} -> {id, metadata: {title}, files: [{key, size, checksum: "md5:…", links: {self|content}}]}
// (InvenioRDM's Zenodo; the older API's `filename` and `links.download` are accepted too), then each file is fetched
// resumably and checked against its size and md5 with common's downloadUrlFile.
import * as path from 'node:path';
import { type DownloadProgress, type UrlFile, downloadUrlFile } from '@research/common';

export const ZENODO_URL = 'https://zenodo.org';
/** "Updated Gravity Spy Data Set" (trainingsetv1d1.h5, trainingset_v1d1_metadata.csv, the PNG images). */
export const GRAVITY_SPY_RECORD = '1476551';

export interface ZenodoRecord {
  id: string;
  title: string;
  files: UrlFile[];
}

interface RawFile {
  key?: string;
  filename?: string;
  size?: number;
  filesize?: number;
  checksum?: string;
  links?: { self?: string; content?: string; download?: string };
}

function parseChecksum(text: string | undefined, what: string): UrlFile['checksum'] {
  if (!text) return undefined;
  const m =
    /^(md5|sha1|sha256):([0-9a-fA-F]+)$/.exec(text) ?? (/^[0-9a-fA-F]{32}$/.test(text) ? [text, 'md5', text] : null);
  if (!m) throw new Error(`Zenodo: ${what} has checksum '${text}', expected 'md5:<hex>'`);
  return { algorithm: m[1] as 'md5' | 'sha1' | 'sha256', hex: m[2].toLowerCase() };
}

function offlineMessage(url: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return (
    `cannot reach ${url} (${cause?.code ?? (err as Error).message}): no network here? ` +
    `Fetch the files by hand from https://zenodo.org/records/${GRAVITY_SPY_RECORD} into assets/datasets/gravity-spy/, or set ZENODO_URL to a mirror`
  );
}

export async function zenodoRecord(
  recordId: string,
  opts: { apiUrl?: string; fetch?: typeof fetch } = {},
): Promise<ZenodoRecord> {
  const base = (opts.apiUrl ?? ZENODO_URL).replace(/\/+$/, '');
  const url = `${base}/api/records/${recordId}`;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new Error(offlineMessage(base, err), { cause: err });
  }
  if (!res.ok)
    throw new Error(`Zenodo: GET ${url} answered HTTP ${res.status}${res.status === 404 ? ' (no such record)' : ''}`);
  const body = (await res.json()) as {
    id?: number | string;
    metadata?: { title?: string };
    files?: RawFile[] | { entries?: RawFile[] };
  };
  const raw = Array.isArray(body.files) ? body.files : (body.files?.entries ?? []);
  if (raw.length === 0) throw new Error(`Zenodo: record ${recordId} lists no files (${url})`);
  const files = raw.map((f): UrlFile => {
    const name = f.key ?? f.filename;
    const size = f.size ?? f.filesize;
    const link = f.links?.content ?? f.links?.self ?? f.links?.download;
    if (!name || typeof size !== 'number' || !link)
      throw new Error(
        `Zenodo: record ${recordId} has a file entry without key, size or link: ${JSON.stringify(f).slice(0, 200)}`,
      );
    if (name.includes('/') || name.includes('..')) throw new Error(`Zenodo: refusing file name '${name}'`);
    return { name, size, url: link, checksum: parseChecksum(f.checksum, name) };
  });
  return { id: String(body.id ?? recordId), title: body.metadata?.title ?? '', files };
}

/** The HDF5 file and the metadata CSV; with the PNG images, every file of the record. */
export function selectFiles(files: UrlFile[], includePng: boolean): UrlFile[] {
  return includePng ? files : files.filter((f) => /\.(h5|hdf5|csv)$/i.test(f.name));
}

export interface DownloadReport {
  dir: string;
  files: { name: string; size: number; status: 'downloaded' | 'present' }[];
}

export async function downloadGravitySpy(opts: {
  dir: string;
  includePng?: boolean;
  apiUrl?: string;
  recordId?: string;
  progress?: DownloadProgress;
  fetch?: typeof fetch;
  retryDelayMs?: number;
}): Promise<DownloadReport> {
  const record = await zenodoRecord(opts.recordId ?? GRAVITY_SPY_RECORD, { apiUrl: opts.apiUrl, fetch: opts.fetch });
  const chosen = selectFiles(record.files, opts.includePng ?? false);
  if (chosen.length === 0)
    throw new Error(
      `Zenodo record ${record.id} has no .h5/.csv file (files: ${record.files.map((f) => f.name).join(', ')})`,
    );
  const report: DownloadReport = { dir: opts.dir, files: [] };
  for (const file of chosen) {
    let status: 'downloaded' | 'present';
    try {
      status = await downloadUrlFile(file, path.join(opts.dir, file.name), {
        progress: opts.progress,
        fetch: opts.fetch,
        retryDelayMs: opts.retryDelayMs,
      });
    } catch (err) {
      if ((err as Error).message.includes('fetch failed'))
        throw new Error(offlineMessage(new URL(file.url).origin, err), { cause: err });
      throw err;
    }
    report.files.push({ name: file.name, size: file.size, status });
  }
  return report;
}
