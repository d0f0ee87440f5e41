import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { register } from './tda';

describe('tools tda', () => {
  let tmp: string;
  let out: string[];
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['tda', ...args], { from: 'user' });
  };
  const file = (name: string, text: string): string => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-tda-'));
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('computes the diagrams of a square and writes them with "inf"', async () => {
    const points = file('square.csv', 'x,y\n0,0\n1,0\n1,1\n0,1\n');
    const target = path.join(tmp, 'd.json');
    await run('diagram', '--points', points, '--max-dim', '1', '--out', target);
    expect(out[0]).toMatch(/d\.json: 4 points in 2-D -> H0 4 pairs, H1 1 pairs/);
    expect(JSON.parse(fs.readFileSync(target, 'utf8'))).toEqual({
      diagrams: [
        {
          dim: 0,
          pairs: [
            [0, 1],
            [0, 1],
            [0, 1],
            [0, 'inf'],
          ],
        },
        { dim: 1, pairs: [[1, Math.SQRT2]] },
      ],
    });
    expect(fs.readdirSync(tmp).sort()).toEqual(['d.json', 'square.csv']);
  });

  it('prints bottleneck and Wasserstein distances per dimension, as text or JSON', async () => {
    const a = file(
      'a.json',
      '{"diagrams": [{"dim": 0, "pairs": [[0, 1], [0, "inf"]]}, {"dim": 1, "pairs": [[1, 3]]}]}',
    );
    const b = file('b.json', '{"diagrams": [{"dim": 0, "pairs": [[0, 1.5], [0, "inf"]]}]}');
    await run('distance', a, b, '--metric', 'bottleneck');
    expect(out).toEqual(['H0\t0.5', 'H1\t1']);
    await run('distance', a, b, '--metric', 'wasserstein', '--dim', '0');
    expect(out[2]).toBe('0.5');
    const c = file('c.json', '{"diagrams": [{"dim": 0, "pairs": [[0, 1]]}]}');
    await run('distance', a, c, '--json', '--dim', '0');
    expect(JSON.parse(out[3])).toEqual({ metric: 'bottleneck', distances: [{ dim: 0, value: 'inf' }] });
  });

  it('takes diagrams as GUDHI and persim users write them: plain pair lists and persistence() lists', async () => {
    const plain = file('plain.json', '[[0.0, 1.0], [0.0, Infinity]]');
    const gudhi = file('gudhi.json', '[[0, [0.0, 1.5]], [0, [0.0, Infinity]], [1, [1.0, 3.0]]]');
    await run('distance', plain, gudhi, '--metric', 'bottleneck');
    expect(out).toEqual(['H0\t0.5', 'H1\t1']);
  });

  it('fails with the file name and the problem, leaving no output file', async () => {
    const bad = file('bad.csv', '0,0\n1,zero\n');
    const target = path.join(tmp, 'd.json');
    await expect(run('diagram', '--points', bad, '--out', target)).rejects.toThrow(
      `${bad}: line 2 column 2: 'zero' is not a finite number`,
    );
    expect(fs.existsSync(target)).toBe(false);
    const below = file('below.json', '{"diagrams": [{"dim": 1, "pairs": [[2, 1]]}]}');
    const ok = file('ok.json', '{"diagrams": []}');
    await expect(run('distance', ok, below)).rejects.toThrow(
      `${below}: diagrams[0].pairs[0] [2, 1] lies below the diagonal (death < birth)`,
    );
    await expect(run('distance', ok, ok, '--metric', 'manhattan')).rejects.toThrow(
      /--metric: expected 'bottleneck' or 'wasserstein'/,
    );
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
