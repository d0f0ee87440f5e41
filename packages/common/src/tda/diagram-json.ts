// Persistence diagrams as JSON: {"diagrams": [{"dim": 0, "pairs": [[0, 0.5], [0, "inf"]]}, ...]}.
// JSON has no Infinity (JSON.stringify(Infinity) is null), so an infinite death is the string "inf".
// Also read, as GUDHI and persim users write them from Python (json.dump writes inf as a bare Infinity):
// a plain list of pairs `[[birth, death], ...]` (one diagram, given dimension 0) and GUDHI's `persistence()` list
// `[[dim, [birth, death]], ...]`.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io';
import type { PersistenceDiagram, PersistencePair } from './types';

const encode = (x: number): number | string => (x === Infinity ? 'inf' : x);

export function diagramsToJson(diagrams: readonly PersistenceDiagram[]): string {
  const body = diagrams.map(
    (d) => `{"dim":${d.dim},"pairs":${JSON.stringify(d.pairs.map(([b, e]) => [encode(b), encode(e)]))}}`,
  );
  return `{"diagrams":[\n${body.join(',\n')}\n]}\n`;
}

/** Parses and checks diagrams JSON; `source` (e.g. the file name) starts every error message. */
export function parseDiagramsJson(text: string, source = 'diagrams JSON'): PersistenceDiagram[] {
  let doc: unknown;
  try {
    // Python's json.dump writes infinity as a bare Infinity token; read it as our "inf".
    doc = JSON.parse(text.replace(/(?<=[[,:\s])Infinity(?=\s*[\],}])/g, '"inf"'));
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (Array.isArray(doc)) return parseDiagramList(doc, source);
  const list = (doc as { diagrams?: unknown } | null)?.diagrams;
  if (!Array.isArray(list)) {
    throw new Error(
      `${source}: expected {"diagrams": [{"dim": <int>, "pairs": [[birth, death], ...]}, ...]}, a list of pairs ` +
        `[[birth, death], ...] or GUDHI's persistence() list [[dim, [birth, death]], ...]`,
    );
  }
  return list.map((entry: unknown, k) => {
    const where = `${source}: diagrams[${k}]`;
    const { dim, pairs } = (entry ?? {}) as { dim?: unknown; pairs?: unknown };
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0)
      throw new Error(`${where}.dim must be a non-negative integer, got ${JSON.stringify(dim)}`);
    if (!Array.isArray(pairs)) throw new Error(`${where}.pairs must be an array of [birth, death] pairs`);
    return { dim, pairs: pairs.map((p: unknown, i) => parsePair(p, `${where}.pairs[${i}]`)) };
  });
}

/** A plain list of pairs (one diagram, dimension 0) or GUDHI's `[[dim, [birth, death]], ...]` (one diagram per dim). */
function parseDiagramList(list: unknown[], source: string): PersistenceDiagram[] {
  const gudhi = list.length > 0 && list.every((e) => Array.isArray(e) && e.length === 2 && Array.isArray(e[1]));
  if (!gudhi) return [{ dim: 0, pairs: list.map((p, i) => parsePair(p, `${source}: [${i}]`)) }];
  const byDim = new Map<number, PersistencePair[]>();
  list.forEach((entry, i) => {
    const [dim, pair] = entry as [unknown, unknown];
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0)
      throw new Error(
        `${source}: [${i}][0] (the dimension) must be a non-negative integer, got ${JSON.stringify(dim)}`,
      );
    if (!byDim.has(dim)) byDim.set(dim, []);
    byDim.get(dim)!.push(parsePair(pair, `${source}: [${i}][1]`));
  });
  return [...byDim.keys()].sort((a, b) => a - b).map((dim) => ({ dim, pairs: byDim.get(dim)! }));
}

function parsePair(p: unknown, where: string): PersistencePair {
  if (!Array.isArray(p) || p.length !== 2)
    throw new Error(`${where} must be a [birth, death] pair, got ${JSON.stringify(p)}`);
  const [b, d] = p;
  if (typeof b !== 'number' || !Number.isFinite(b))
    throw new Error(`${where}: birth must be a finite number, got ${JSON.stringify(b)}`);
  const death = d === 'inf' ? Infinity : d;
  if (typeof death !== 'number' || Number.isNaN(death))
    throw new Error(`${where}: death must be a number or "inf", got ${JSON.stringify(d)}`);
  if (death < b) throw new Error(`${where} [${b}, ${death}] lies below the diagonal (death < birth)`);
  return [b, death];
}

export function readDiagramsFile(path: string): PersistenceDiagram[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as Error).message})`, { cause: err });
  }
  return parseDiagramsJson(text, path);
}

/** Writes the diagrams JSON through a temporary file and a rename, so a failure leaves no partial file. */
export function writeDiagramsFile(path: string, diagrams: readonly PersistenceDiagram[]): void {
  writeFileAtomic(path, diagramsToJson(diagrams));
}
