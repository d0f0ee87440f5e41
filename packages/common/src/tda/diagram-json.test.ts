import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagramsToJson, parseDiagramsJson, readDiagramsFile, writeDiagramsFile } from './diagram-json';
import type { PersistenceDiagram } from './types';

const diagrams: PersistenceDiagram[] = [
  { dim: 0, pairs: [[0, 0.1 + 0.2], [0, Infinity]] },
  { dim: 1, pairs: [[1e-300, 1.7976931348623157e308], [0.5, 0.5]] },
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
    expect(() => parseDiagramsJson('{"diagrams": [{"dim": 0, "pairs": [[0, null]]}]}', 'd.json')).toThrow(/d.json: diagrams\[0\].pairs\[0\]: death must be a number or "inf", got null/);
    expect(() => parseDiagramsJson('{"diagrams": [{"dim": -1, "pairs": []}]}', 'd.json')).toThrow(/diagrams\[0\].dim must be a non-negative integer/);
    expect(() => parseDiagramsJson('[[0, 1]]', 'd.json')).toThrow(/d.json: expected an object \{"diagrams"/);
    expect(() => parseDiagramsJson('{"diagrams": [', 'd.json')).toThrow(/d.json: not valid JSON/);
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
