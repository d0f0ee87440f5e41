// Every results table the README quotes is a committed file under results/, so a figure can be traced to its run.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

it('each per-arm row of a README results table is in a committed results/*.md', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => /^\| (baseline|topology-guided) \| 3 \(seeds/.test(line));
  expect(rows.length).toBeGreaterThan(0);
  const committed = fs
    .readdirSync(path.join(ROOT, 'results'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => fs.readFileSync(path.join(ROOT, 'results', f), 'utf8'));
  for (const row of rows) expect([row, committed.some((text) => text.includes(row))]).toEqual([row, true]);
});
