import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagramsToJson, parseDiagramsJson, readDiagramsFile, writeDiagramsFile } from './diagram-json';
import type { PersistenceDiagram } from './types';

const diagrams: PersistenceDiagram[] = [
  {
    dim: 0,
    pairs: [
      [0, 0.1 + 0.2],
      [0, Infinity],
    ],
  },
  {
    dim: 1,
    pairs: [
      [1e-300, 1.7976931348623157e308],
      [0.5, 0.5],
    ],
  },
  { dim: 2, pairs: [] },
];

describe('diagram JSON', () => {
  it('writes infinity as "inf" and round-trips every double exactly', () => {
    const text = diagramsToJson(diagrams);
    expect(text).toContain('[0,"inf"]');
    expect(text).not.toContain('null');
    expect(parseDiagramsJson(text)).toEqual(diagrams);
  });

  it('names the source and the offending entry in errors', () => {
    expect(() => parseDiagramsJson('{"diagrams": [{"dim": 1, "pairs": [[0, 1], [2, 1]]}]}', 'd.json')).toThrow(
      'd.json: diagrams[0].pairs[1] [2, 1] lies below the diagonal (death < birth)',
    );
    expect(() => parseDiagramsJson('{"diagrams": [{"dim": 0, "pairs": [[0, null]]}]}', 'd.json')).toThrow(
      /d.json: diagrams\[0\].pairs\[0\]: death must be a number or "inf", got null/,
    );
    expect(() => parseDiagramsJson('{"diagrams": [{"dim": -1, "pairs": []}]}', 'd.json')).toThrow(
      /diagrams\[0\].dim must be a non-negative integer/,
    );
    expect(() => parseDiagramsJson('{"pairs": [[0, 1]]}', 'd.json')).toThrow(/d.json: expected \{"diagrams"/);
    expect(() => parseDiagramsJson('[[0, [1, 0.5]]]', 'd.json')).toThrow(
      'd.json: [0][1] [1, 0.5] lies below the diagonal',
    );
    expect(() => parseDiagramsJson('{"diagrams": [', 'd.json')).toThrow(/d.json: not valid JSON/);
  });

  it('reads the lists GUDHI and persim users write from Python (json.dumps, bare Infinity)', () => {
    // /usr/bin/python3: a 4-point square through gudhi.RipsComplex(max_edge_length=3), create_simplex_tree(max_dimension=2):
    // json.dumps(st.persistence()) and json.dumps(st.persistence_intervals_in_dimension(0).tolist()).
    const persistence =
      '[[1, [1.0, 1.4142135623730951]], [0, [0.0, Infinity]], [0, [0.0, 1.0]], [0, [0.0, 1.0]], [0, [0.0, 1.0]]]';
    const intervals = '[[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [0.0, Infinity]]';
    expect(parseDiagramsJson(persistence)).toEqual([
      {
        dim: 0,
        pairs: [
          [0, Infinity],
          [0, 1],
          [0, 1],
          [0, 1],
        ],
      },
      { dim: 1, pairs: [[1, Math.SQRT2]] },
    ]);
    expect(parseDiagramsJson(intervals)).toEqual([
      {
        dim: 0,
        pairs: [
          [0, 1],
          [0, 1],
          [0, 1],
          [0, Infinity],
        ],
      },
    ]);
  });

  it('writes files atomically and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tda-json-'));
    try {
      const path = join(dir, 'd.json');
      writeDiagramsFile(path, diagrams);
      expect(readdirSync(dir)).toEqual(['d.json']);
      expect(readFileSync(path, 'utf8')).toBe(diagramsToJson(diagrams));
      expect(readDiagramsFile(path)).toEqual(diagrams);
      expect(() => readDiagramsFile(join(dir, 'missing.json'))).toThrow(/missing.json: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
