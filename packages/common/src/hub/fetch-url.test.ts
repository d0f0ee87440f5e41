import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkUrlFile, downloadUrlFile } from './fetch-url';

const BYTES = Buffer.from(Array.from({ length: 30000 }, (_, i) => (i * 13) % 256));
const sha256 = createHash('sha256').update(BYTES).digest('hex');

describe('downloadUrlFile', () => {
  let dir: string;
  let server: http.Server;
  let url: string;
  const ranges: (string | undefined)[] = [];
  let cut: number | undefined;
  let ignoreRange = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      ranges.push(req.headers.range);
      const start = ignoreRange ? 0 : Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const body = BYTES.subarray(start);
      res.writeHead(start > 0 ? 206 : 200, {
        'Content-Length': body.length,
        ...(start > 0 ? { 'Content-Range': `bytes ${start}-${BYTES.length - 1}/${BYTES.length}` } : {}),
      });
      if (cut !== undefined) {
        const n = cut;
        cut = undefined;
        res.write(body.subarray(0, n), () => res.destroy());
      } else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.bin`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-url-'));
    ranges.length = 0;
    ignoreRange = false;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resumes a broken transfer with a Range request, checks sha256, then keeps the intact file', async () => {
    const remote = {
      url,
      name: 'file.bin',
      size: BYTES.length,
      checksum: { algorithm: 'sha256' as const, hex: sha256 },
    };
    const dest = path.join(dir, 'file.bin');
    cut = 12000;
    expect(await downloadUrlFile(remote, dest, { retryDelayMs: 1 })).toBe('downloaded');
    expect(ranges).toEqual([undefined, 'bytes=12000-']);
    expect(fs.readFileSync(dest).equals(BYTES)).toBe(true);
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
    expect(await downloadUrlFile(remote, dest)).toBe('present');
    expect(ranges).toHaveLength(2);
  });

  it('starts over when the server ignores the Range, and keeps the part when retries run out', async () => {
    const remote = { url, name: 'file.bin', size: BYTES.length };
    const dest = path.join(dir, 'file.bin');
    fs.writeFileSync(`${dest}.part`, BYTES.subarray(0, 5000));
    ignoreRange = true;
    await downloadUrlFile(remote, dest);
    expect(fs.readFileSync(dest).equals(BYTES)).toBe(true);
    const other = path.join(dir, 'other.bin');
    cut = 7000;
    await expect(downloadUrlFile({ ...remote, name: 'other.bin' }, other, { retries: 0 })).rejects.toThrow(
      /broke off at 7000 of 30000 bytes .* kept in .*other\.bin\.part: run the same command again to resume/,
    );
    expect(await checkUrlFile(`${other}.part`, remote)).toBe('size 7000, expected 30000');
  });
});
