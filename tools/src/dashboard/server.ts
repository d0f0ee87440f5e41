// The experiment dashboard: a read-only HTTP server over a log directory (node:http, no framework) with a JSON API
// and a static front end; charts by vega/vega-lite, served from node_modules (no CDN, works offline).
import {
  diffConfigs,
  findRunDirs,
  findRuns,
  latestWrite,
  listRunPngs,
  readRunConfig,
  readRunImages,
  readRunResults,
  readRunScalars,
  summarizeRun,
  vegaBrowserBuilds,
} from '@research/common';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { decodeRelative, decodeSegments, HttpError, resolveInside } from './safe-path';

/**
 * An extra JSON endpoint under /api/ (the extension point for views this server does not know, e.g. search studies
 * from an Optuna SQLite file): `handle` gets the query and the log directory and returns what to send as JSON.
 */
export interface ApiRoute {
  /** The name after /api/, e.g. 'studies'. */
  name: string;
  handle(query: URLSearchParams, logDir: string): unknown;
  /**
   * A stamp of what the route shows (polled with the runs while a page listens): when it changes, the live stream
   * sends an event named after the route, and the page reloads that view.
   */
  watch?(logDir: string): Promise<string> | string;
  /** Called when the dashboard closes (e.g. to close database connections). */
  close?(): Promise<void> | void;
}

export interface DashboardOptions {
  logDir: string;
  /** Default 6006; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Milliseconds between checks for changed runs (live updates), default 1000. */
  pollMs?: number;
  routes?: ApiRoute[];
}

export interface Dashboard {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

const STATIC_DIR = path.join(__dirname, 'static');

/** The only static files served: fixed names to fixed paths, never a path from the URL. */
function staticFiles(): Record<string, { file: string; type: string }> {
  const vega = vegaBrowserBuilds();
  return {
    'index.html': { file: path.join(STATIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
    'app.js': { file: path.join(STATIC_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
    'app.css': { file: path.join(STATIC_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
    'vega.min.js': { file: vega.vega, type: 'text/javascript; charset=utf-8' },
    'vega-lite.min.js': { file: vega.vegaLite, type: 'text/javascript; charset=utf-8' },
  };
}

const FILE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.yaml': 'text/plain; charset=utf-8',
  '.csv': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** The run folder of an id from /api/runs; '' is the log directory itself when it is one run (--run_dir). */
function runDirOf(root: string, id: string | null): string {
  const dir = id === '' ? root : resolveInside(root, decodeRelative(id, 'run id'));
  if (!fs.statSync(dir).isDirectory()) throw new HttpError(404, 'not a run folder');
  return dir;
}

function runDetails(root: string, dir: string): unknown {
  const images = readRunImages(dir);
  return {
    summary: summarizeRun(root, dir),
    config: readRunConfig(dir) ?? null,
    results: readRunResults(dir) ?? null,
    scalars: readRunScalars(dir),
    images: Object.fromEntries(
      Object.entries(images).map(([tag, list]) => [
        tag,
        list.map(({ step, wallTime, width, height }) => ({ step, wallTime, width, height })),
      ]),
    ),
    pngs: listRunPngs(dir),
  };
}

/** Every run's last write (file mtimes only, no file read): the live stream sends the runs whose stamp changed. */
function runStamps(root: string): Map<string, number> {
  return new Map(
    findRunDirs(root).map((dir) => [path.relative(root, dir).split(path.sep).join('/'), latestWrite(dir)]),
  );
}

export function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const root = fs.realpathSync(options.logDir);
  const files = staticFiles();
  const routes = new Map((options.routes ?? []).map((r) => [r.name, r]));
  const pollMs = options.pollMs ?? 1000;
  const streams = new Set<http.ServerResponse>();
  let stamps = runStamps(root);
  const routeStamps = new Map<string, string>();
  let watching = false;

  /** Sends an event to the routes' views whose stamp changed (one check at a time: a check may query a database). */
  const watchRoutes = async () => {
    if (watching) return;
    watching = true;
    try {
      for (const route of routes.values()) {
        if (!route.watch) continue;
        let stamp: string;
        try {
          stamp = await route.watch(root);
        } catch (err) {
          stamp = `error: ${(err as Error).message}`;
        }
        const before = routeStamps.get(route.name);
        routeStamps.set(route.name, stamp);
        if (before !== undefined && before !== stamp)
          streams.forEach((res) => res.write(`event: ${route.name}\ndata: {}\n\n`));
      }
    } finally {
      watching = false;
    }
  };

  const poll = setInterval(() => {
    if (streams.size === 0) return;
    const next = runStamps(root);
    const changed = [...next].filter(([id, t]) => stamps.get(id) !== t).map(([id]) => id);
    const removed = [...stamps.keys()].filter((id) => !next.has(id));
    stamps = next;
    if (changed.length || removed.length) {
      const message = `event: runs\ndata: ${JSON.stringify({ changed, removed })}\n\n`;
      streams.forEach((res) => res.write(message));
    }
    void watchRoutes();
  }, pollMs);
  poll.unref();

  const sendJson = (res: http.ServerResponse, body: unknown, head: boolean) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(head ? undefined : text);
  };
  const sendFile = (res: http.ServerResponse, file: string, type: string, head: boolean) => {
    const bytes = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, 'x-content-type-options': 'nosniff' });
    res.end(head ? undefined : bytes);
  };

  const sendError = (res: http.ServerResponse, err: unknown) => {
    const status = err instanceof HttpError ? err.status : 500;
    if (!res.headersSent) {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        ...(status === 405 ? { allow: 'GET, HEAD' } : {}),
      });
    }
    res.end(status === 500 ? `internal error: ${(err as Error).message}\n` : `${(err as Error).message}\n`);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `${req.method} not allowed: this server is read-only`);
    const head = req.method === 'HEAD';
    // The raw target, not `new URL(...)`: URL parsing would resolve '..' before we could refuse it.
    const raw = req.url ?? '/';
    const queryAt = raw.indexOf('?');
    const rawPath = queryAt < 0 ? raw : raw.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : raw.slice(queryAt + 1));
    if (!rawPath.startsWith('/')) throw new HttpError(400, 'the request target must be a path');
    const segments = rawPath === '/' ? [] : decodeSegments(rawPath.slice(1).split('/'));
    const [first, ...rest] = segments;

    if (first === undefined) return sendFile(res, files['index.html'].file, files['index.html'].type, head);
    if (first === 'static' && rest.length === 1 && files[rest[0]])
      return sendFile(res, files[rest[0]].file, files[rest[0]].type, head);
    if (first === 'files' && rest.length > 0) {
      const file = resolveInside(root, rest);
      const type = FILE_TYPES[path.extname(file).toLowerCase()];
      if (!type || !fs.statSync(file).isFile()) throw new HttpError(404, 'not found');
      return sendFile(res, file, type, head);
    }
    if (first === 'api' && rest.length === 1) {
      const name = rest[0];
      if (name === 'runs') return sendJson(res, findRuns(root), head);
      if (name === 'run') return sendJson(res, runDetails(root, runDirOf(root, query.get('id'))), head);
      if (name === 'diff') {
        const a = readRunConfig(runDirOf(root, query.get('a')));
        const b = readRunConfig(runDirOf(root, query.get('b')));
        return sendJson(res, diffConfigs(a ?? {}, b ?? {}), head);
      }
      if (name === 'image') {
        const list = readRunImages(runDirOf(root, query.get('id')))[query.get('tag') ?? ''];
        const index = Number(query.get('index'));
        if (!list || !Number.isInteger(index) || !list[index]) throw new HttpError(404, 'no such image');
        res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'max-age=3600' });
        return res.end(head ? undefined : list[index].png);
      }
      if (name === 'events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': live updates of run folders\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      const route = routes.get(name);
      if (route) {
        const body = route.handle(query, root);
        if (!(body instanceof Promise)) return sendJson(res, body, head);
        return body.then(
          (value) => sendJson(res, value, head),
          (err) => sendError(res, err),
        );
      }
    }
    throw new HttpError(404, 'not found');
  };

  const server = http.createServer((req, res) => {
    try {
      void handle(req, res);
    } catch (err) {
      sendError(res, err);
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 6006, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(poll);
            streams.forEach((res) => res.end());
            server.close(() =>
              Promise.all([...routes.values()].map(async (r) => r.close?.())).then(
                () => done(),
                () => done(),
              ),
            );
            server.closeAllConnections();
          }),
      });
    });
  });
}
