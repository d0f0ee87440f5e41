// A local HTTP server that imitates the Hugging Face Hub endpoints @huggingface/hub and the downloader use, for tests:
//   GET  /api/{models|datasets}/{id}/revision/{rev}       -> {id, sha, private}
//   GET  /api/{models|datasets}/{id}/tree/{rev}[/{dir}]   -> [{type, oid, size, path, lfs?}]
//   POST /api/{models|datasets}/{id}/paths-info/{rev}     -> the entries of the asked paths
//   GET  /[datasets/]{id}/resolve/{rev}/{path}            -> the bytes (Range -> 206); LFS files redirect to /cdn/...
// Private repos answer 401 without the right token, missing things 404 with the Hub's X-Error-Code, and a transfer can
// be cut after N bytes (the socket is destroyed) to test resuming.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeFiles = Record<string, Buffer>;

export interface FakeRepo {
  type: 'model' | 'dataset';
  id: string;
  private?: boolean;
  /** Commit sha -> files at that commit. */
  commits: Record<string, FakeFiles>;
  /** Branch/tag -> commit sha. */
  refs: Record<string, string>;
}

export interface FakeRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

export interface FakeHub {
  url: string;
  requests: FakeRequest[];
  /** Destroy the socket after `bytes` body bytes of the next `times` downloads of `file` (a repo path). */
  cutTransfer(file: string, bytes: number, times?: number): void;
  close(): Promise<void>;
}

/** Files of at least this size are served as LFS files (sha256 listed, redirected to a CDN path). */
const LFS_MIN_SIZE = 64;

/** A deterministic commit sha for a set of files. */
export function fakeCommitSha(files: FakeFiles): string {
  const h = createHash('sha1');
  for (const [p, b] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) h.update(p).update(b);
  return h.digest('hex');
}

/** A repo with one commit on `main`. */
export function fakeRepo(
  type: FakeRepo['type'],
  id: string,
  files: FakeFiles,
  opts: { private?: boolean } = {},
): FakeRepo {
  const sha = fakeCommitSha(files);
  return { type, id, private: opts.private, commits: { [sha]: files }, refs: { main: sha } };
}

/** Adds a commit to a repo and moves `main` to it. */
export function pushFakeCommit(repo: FakeRepo, files: FakeFiles): string {
  const sha = fakeCommitSha(files);
  repo.commits[sha] = files;
  repo.refs.main = sha;
  return sha;
}

export const gitBlobSha1 = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
export const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function entryOf(p: string, b: Buffer) {
  if (b.length < LFS_MIN_SIZE) return { type: 'file', oid: gitBlobSha1(b), size: b.length, path: p };
  const oid = sha256Hex(b);
  const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${b.length}\n`);
  return {
    type: 'file',
    oid: gitBlobSha1(pointer),
    size: b.length,
    path: p,
    lfs: { oid, size: b.length, pointerSize: pointer.length },
  };
}

export interface FakeHubOptions {
  /** The token that opens private repos. */
  token?: string;
  /** Answer ranged downloads with the whole file (200), as a CDN without Range support does; the 1-byte size probe
   * (`bytes=0-0`) is still answered with 206. */
  ignoreRange?: boolean;
}

export async function startFakeHub(repos: FakeRepo[], opts: FakeHubOptions = {}): Promise<FakeHub> {
  const requests: FakeRequest[] = [];
  const cuts = new Map<string, { bytes: number; times: number }>();
  const lfsStore = new Map<string, { file: string; bytes: Buffer }>();

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: http.ServerResponse, code: string, message: string) =>
    json(res, 404, { error: message }, { 'X-Error-Code': code });

  /** Finds the repo whose id starts `rest` ("owner/name/tree/main" -> repo, "tree/main"). */
  const findRepo = (type: string, rest: string) => {
    const repo = repos.find((r) => r.type === type && rest.startsWith(`${r.id}/`));
    return repo
      ? {
          repo,
          tail: rest
            .slice(repo.id.length + 1)
            .split('/')
            .map(decodeURIComponent),
        }
      : undefined;
  };
  const authorized = (repo: FakeRepo, req: http.IncomingMessage) =>
    !repo.private || (opts.token !== undefined && req.headers.authorization === `Bearer ${opts.token}`);
  const filesAt = (repo: FakeRepo, rev: string) => repo.commits[repo.refs[rev] ?? rev];

  const sendBytes = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    file: string,
    bytes: Buffer,
    etag: string,
  ) => {
    const probe = req.headers.range === 'bytes=0-0';
    const range = opts.ignoreRange && !probe ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = bytes.length - 1;
    if (range) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(end, Number(range[2]));
      if (start >= bytes.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
        return res.end();
      }
    }
    const body = bytes.subarray(start, end + 1);
    res.writeHead(range ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.length),
      'Accept-Ranges': 'bytes',
      ETag: `"${etag}"`,
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
    });
    const cut = cuts.get(file);
    if (cut && cut.times > 0 && body.length > 1) {
      cut.times--;
      res.write(body.subarray(0, cut.bytes), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
    const api = /^\/api\/(models|datasets)\/(.+)$/.exec(url.pathname);
    if (api) {
      const found = findRepo(api[1].slice(0, -1), api[2]);
      if (!found) return notFound(res, 'RepoNotFound', 'Repository not found');
      const { repo, tail } = found;
      if (!authorized(repo, req)) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
      const [op, rev, ...dir] = tail;
      const files = filesAt(repo, rev);
      if (!files) return notFound(res, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const sha = repo.refs[rev] ?? rev;
      if (op === 'revision' && req.method === 'GET')
        return json(res, 200, { _id: `id-${repo.id}`, id: repo.id, sha, private: !!repo.private });
      if (op === 'tree' && req.method === 'GET') {
        const prefix = dir.length ? `${dir.join('/')}/` : '';
        const recursive = url.searchParams.get('recursive') === 'true';
        const paths = Object.keys(files).filter((p) => p.startsWith(prefix));
        const dirs = new Set<string>();
        for (const p of paths) {
          const parts = p.slice(prefix.length).split('/');
          for (let i = 1; i < parts.length; i++) dirs.add(prefix + parts.slice(0, i).join('/'));
        }
        const depth = (p: string) => p.slice(prefix.length).split('/').length;
        const entries = [
          ...[...dirs].map((d) => ({ type: 'directory', oid: gitBlobSha1(Buffer.from(d)), size: 0, path: d })),
          ...paths.map((p) => entryOf(p, files[p])),
        ].filter((e) => recursive || depth(e.path) === 1);
        return json(res, 200, entries);
      }
      if (op === 'paths-info' && req.method === 'POST') {
        const asked = (JSON.parse(body || '{}') as { paths?: string[] }).paths ?? [];
        return json(
          res,
          200,
          asked.filter((p) => files[p]).map((p) => entryOf(p, files[p])),
        );
      }
      return json(res, 400, { error: `unsupported ${req.method} ${url.pathname}` });
    }

    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdn) {
      const stored = lfsStore.get(cdn[1]);
      if (!stored) return notFound(res, 'EntryNotFound', 'no such object');
      return sendBytes(req, res, stored.file, stored.bytes, cdn[1]);
    }

    const resolve = /^\/(datasets\/)?(.+)$/.exec(url.pathname);
    const found = resolve && findRepo(resolve[1] ? 'dataset' : 'model', resolve[2]);
    if (!found || found.tail[0] !== 'resolve') return notFound(res, 'RepoNotFound', 'Repository not found');
    const { repo, tail } = found;
    if (!authorized(repo, req)) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
    const [, rev, ...rest] = tail;
    const files = filesAt(repo, rev);
    if (!files) return notFound(res, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const file = rest.join('/');
    const bytes = files[file];
    if (!bytes) return notFound(res, 'EntryNotFound', `${file} does not exist on "${rev}"`);
    const entry = entryOf(file, bytes);
    if (entry.lfs) {
      // Like the Hub: LFS content is served by a CDN the resolve URL redirects to.
      lfsStore.set(entry.lfs.oid, { file, bytes });
      res.writeHead(302, {
        Location: `/cdn/${entry.lfs.oid}`,
        'X-Linked-Etag': `"${entry.lfs.oid}"`,
        'X-Linked-Size': String(bytes.length),
      });
      return res.end();
    }
    return sendBytes(req, res, file, bytes, entry.oid);
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutTransfer(file, bytes, times = 1) {
      cuts.set(file, { bytes, times });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
