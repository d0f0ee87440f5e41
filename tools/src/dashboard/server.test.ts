import { SummaryWriter, svgToPng } from '@research/common';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDashboard, type Dashboard } from './server';

/** A raw request: the path is sent exactly as given (no client-side normalisation of '..'). */
function request(
  url: string,
  rawPath: string,
  method = 'GET',
): Promise<{ status: number; body: string; type?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: Buffer.concat(chunks).toString('utf8'),
          type: res.headers['content-type'],
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

let root: string;
let logDir: string;
let dashboard: Dashboard;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
  logDir = path.join(root, 'outputs');
  const run = path.join(logDir, 'proj', 'exp', '2026-01-01T00-00-00Z');
  const writer = new SummaryWriter(path.join(run, 'tensorboard'));
  [3, 2, 1.5].forEach((v, step) => writer.addScalar('epoch/train_loss', v, step));
  writer.addImage('sample', { data: new Uint8Array([0, 128, 255, 64]), width: 2, height: 2, channels: 1 }, 0);
  writer.close();
  fs.writeFileSync(path.join(run, 'config.yaml'), 'seed: 0\nmodel:\n  dim: 64\n');
  fs.writeFileSync(path.join(run, 'results.json'), JSON.stringify({ test_acc: 0.875 }));
  fs.writeFileSync(
    path.join(run, 'plot.png'),
    svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'),
  );
  const other = path.join(logDir, 'proj', 'exp', '2026-01-02T00-00-00Z');
  fs.mkdirSync(other, { recursive: true });
  fs.writeFileSync(path.join(other, 'config.yaml'), 'seed: 1\nmodel:\n  dim: 64\n  depth: 2\n');
  // Outside the log directory: a secret, and symlinks pointing at it from inside.
  fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(run, 'leak.txt'));
  fs.symlinkSync(root, path.join(logDir, 'escape'));
  dashboard = await startDashboard({ logDir, port: 0 });
});
afterAll(async () => {
  await dashboard.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('dashboard API', () => {
  it('binds 127.0.0.1 by default and lists the runs with status and best metric', async () => {
    expect(new URL(dashboard.url).hostname).toBe('127.0.0.1');
    const runs = JSON.parse((await request(dashboard.url, '/api/runs')).body);
    expect(runs.map((r: { id: string }) => r.id).sort()).toEqual([
      'proj/exp/2026-01-01T00-00-00Z',
      'proj/exp/2026-01-02T00-00-00Z',
    ]);
    const first = runs.find((r: { name: string }) => r.name === '2026-01-01T00-00-00Z');
    expect(first).toMatchObject({
      project: 'proj',
      experiment: 'exp',
      status: 'finished',
      best: { name: 'test_acc', value: 0.875 },
    });
  });

  it('serves a run: scalars from the event file, images, config, results, PNGs; and a config diff', async () => {
    const run = JSON.parse((await request(dashboard.url, '/api/run?id=proj/exp/2026-01-01T00-00-00Z')).body);
    expect(run.scalars).toEqual([
      {
        tag: 'epoch/train_loss',
        points: [3, 2, 1.5].map((value, step) => ({ step, value, wallTime: expect.any(Number) })),
      },
    ]);
    expect(run.images.sample).toEqual([{ step: 0, wallTime: expect.any(Number), width: 2, height: 2 }]);
    expect(run.config).toEqual({ seed: 0, model: { dim: 64 } });
    expect(run.pngs).toEqual(['plot.png']);
    const image = await request(dashboard.url, '/api/image?id=proj/exp/2026-01-01T00-00-00Z&tag=sample&index=0');
    expect([image.status, image.type]).toEqual([200, 'image/png']);
    const diff = JSON.parse(
      (await request(dashboard.url, '/api/diff?a=proj/exp/2026-01-01T00-00-00Z&b=proj/exp/2026-01-02T00-00-00Z')).body,
    );
    expect(diff).toEqual([
      { key: 'model.depth', b: 2 },
      { key: 'seed', a: 0, b: 1 },
    ]);
    expect((await request(dashboard.url, '/files/proj/exp/2026-01-01T00-00-00Z/plot.png')).status).toBe(200);
    expect((await request(dashboard.url, '/static/vega-lite.min.js')).status).toBe(200);
  });

  it.each([
    ['/files/../secret.txt', 400],
    ['/files/proj/../../secret.txt', 400],
    ['/files/%2e%2e/secret.txt', 400],
    ['/files/%2E%2E%2Fsecret.txt', 400],
    ['/files/..%5csecret.txt', 400],
    ['/files//etc/passwd', 400],
    ['/files/%2fetc%2fpasswd', 400],
    ['/static/../../../../etc/passwd', 400],
    ['/api/run?id=../outputs', 400],
    ['/api/run?id=/etc', 400],
    ['/api/run?id=proj/%2e%2e/%2e%2e', 400],
    ['/files/proj/exp/2026-01-01T00-00-00Z/leak.txt', 404],
    ['/files/escape/secret.txt', 404],
    ['/files/etc/passwd', 404],
    ['/static/server.ts', 404],
  ])('refuses %s with %i', async (rawPath, status) => {
    const res = await request(dashboard.url, rawPath);
    expect(res.status).toBe(status);
    expect(res.body).not.toContain('TOP-SECRET-CONTENT');
  });

  it('is read-only: only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'])
      expect((await request(dashboard.url, '/api/runs', method)).status).toBe(405);
    const head = await request(dashboard.url, '/api/runs', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });
});
