import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadGravitySpy, selectFiles, zenodoRecord } from './zenodo';

/**
 * A local server following Zenodo's documented records API: GET /api/records/{id} lists the files (key, size,
 * checksum "md5:…", links.self = …/files/{key}/content) and GET …/content serves the bytes (Range -> 206).
 * `cutAfter` ends the next transfer of a file after that many bytes, to test resuming.
 */
async function fakeZenodo(files: Record<string, Buffer>, opts: { badChecksum?: string } = {}) {
  const cutAfter = new Map<string, number>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/api/records/1476551') {
      const entries = Object.entries(files).map(([key, bytes]) => ({
        id: `id-${key}`,
        key,
        size: bytes.length,
        checksum: `md5:${key === opts.badChecksum ? '0'.repeat(32) : createHash('md5').update(bytes).digest('hex')}`,
        links: { self: `${base}/api/records/1476551/files/${key}/content` },
      }));
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ id: 1476551, metadata: { title: 'Updated Gravity Spy Data Set' }, files: entries }));
      return;
    }
    const m = /^\/api\/records\/1476551\/files\/([^/]+)\/content$/.exec(url.pathname);
    const bytes = m ? files[decodeURIComponent(m[1])] : undefined;
    if (!bytes) {
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ status: 404, message: 'not found' }));
      return;
    }
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = bytes.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'Content-Length': body.length,
      ...(start > 0 ? { 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    const cut = cutAfter.get(m![1]);
    if (cut !== undefined) {
      cutAfter.delete(m![1]);
      res.write(body.subarray(0, cut), () => res.destroy());
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    cutAfter,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FILES = {
  'trainingsetv1d1.h5': Buffer.from(Array.from({ length: 50000 }, (_, i) => (i * 7) % 251)),
  'trainingset_v1d1_metadata.csv': Buffer.from('gravityspy_id,label,sample_type\nabc,Blip,train\n'),
  'TrainingSet.tar.gz': Buffer.from('png archive bytes'),
};

describe("download-data against a local server following Zenodo's records API", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zenodo-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the record, fetches the .h5 and .csv (and the PNGs with --include-png), checked and resumable', async () => {
    const server = await fakeZenodo(FILES);
    try {
      const record = await zenodoRecord('1476551', { apiUrl: server.url });
      expect(record.title).toBe('Updated Gravity Spy Data Set');
      expect(selectFiles(record.files, false).map((f) => f.name)).toEqual([
        'trainingsetv1d1.h5',
        'trainingset_v1d1_metadata.csv',
      ]);
      expect(record.files[0].checksum).toEqual({
        algorithm: 'md5',
        hex: createHash('md5').update(FILES['trainingsetv1d1.h5']).digest('hex'),
      });

      server.cutAfter.set('trainingsetv1d1.h5', 20000); // the first transfer breaks off: the retry continues from 20000
      const first = await downloadGravitySpy({ dir, apiUrl: server.url, retryDelayMs: 1 });
      expect(first.files.map((f) => f.status)).toEqual(['downloaded', 'downloaded']);
      expect(server.requests).toContain('GET /api/records/1476551/files/trainingsetv1d1.h5/content bytes=20000-');
      expect(fs.readFileSync(path.join(dir, 'trainingsetv1d1.h5')).equals(FILES['trainingsetv1d1.h5'])).toBe(true);
      expect(fs.existsSync(path.join(dir, 'TrainingSet.tar.gz'))).toBe(false);

      const again = await downloadGravitySpy({ dir, apiUrl: server.url, includePng: true });
      expect(again.files.map((f) => `${f.name} ${f.status}`)).toEqual([
        'trainingsetv1d1.h5 present',
        'trainingset_v1d1_metadata.csv present',
        'TrainingSet.tar.gz downloaded',
      ]);
    } finally {
      await server.close();
    }
  });

  it('removes a file whose md5 does not match, and says clearly when Zenodo cannot be reached', async () => {
    const server = await fakeZenodo(FILES, { badChecksum: 'trainingset_v1d1_metadata.csv' });
    try {
      await expect(downloadGravitySpy({ dir, apiUrl: server.url })).rejects.toThrow(
        /trainingset_v1d1_metadata\.csv is corrupt after download \(md5 [0-9a-f]{32}, expected 0{32}\); it was removed/,
      );
      expect(fs.existsSync(path.join(dir, 'trainingset_v1d1_metadata.csv.part'))).toBe(false);
      await expect(zenodoRecord('999', { apiUrl: server.url })).rejects.toThrow(/HTTP 404 \(no such record\)/);
    } finally {
      await server.close();
    }
    await expect(downloadGravitySpy({ dir, apiUrl: server.url })).rejects.toThrow(
      /cannot reach http:\/\/127\.0\.0\.1:\d+ \([A-Z_]+\): no network here\?/,
    );
  });
});
