import { showValue } from './errors';
import { asLeaf, checkLeaf, isBranch, type ConfigSchema } from './schema';
import { isPlainObject, type ConfigTree, type Origins } from './tree';

/** Edit distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The candidate nearest to `word` by edit distance, if any is near enough to be a likely misspelling; ties go to the
 * longer common prefix (`embed_dim` -> `embedding_dim` rather than `mlp_dim`).
 */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  let bestPrefix = -1;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    const prefix = commonPrefix(word, candidate);
    if (d < bestDistance || (d === bestDistance && best !== undefined && prefix > bestPrefix))
      [best, bestDistance, bestPrefix] = [candidate, d, prefix];
  }
  return best;
}

/** Dotted paths of every leaf of a schema (`train.optimizer.lr`, ...). */
export function schemaLeafPaths(schema: ConfigSchema<ConfigTree>, at: string[] = []): string[] {
  const out: string[] = [];
  for (const [key, node] of Object.entries(schema)) {
    if (isBranch(node)) out.push(...schemaLeafPaths(node, [...at, key]));
    else out.push([...at, key].join('.'));
  }
  return out;
}

/** The declared key nearest to a misspelt dotted key (`model.embed_dim` -> `model.embedding_dim`). */
export function nearestKey(schema: ConfigSchema<ConfigTree>, key: string): string | undefined {
  const paths = schemaLeafPaths(schema);
  const byPath = closest(key, paths);
  if (byPath) return byPath;
  // A long path can be off by more than the whole-path threshold allows; compare the last segment among siblings.
  const parent = key.split('.').slice(0, -1).join('.');
  const siblings = paths
    .filter((p) => p.split('.').slice(0, -1).join('.') === parent)
    .map((p) => p.split('.').pop() as string);
  const leaf = closest(key.split('.').pop() as string, siblings);
  return leaf ? (parent ? `${parent}.${leaf}` : leaf) : undefined;
}

/**
 * Strict check of a tree against a convict schema: every key declared, every value of the declared type and range.
 * Returns one line per problem naming the key, the value, where it came from and what was expected.
 */
export function findProblems(
  tree: ConfigTree,
  schema: ConfigSchema<ConfigTree>,
  origins?: Origins,
  at: string[] = [],
): string[] {
  const problems: string[] = [];
  const where = (path: string[]) => {
    const source = origins?.of(path);
    return source ? ` (from ${source})` : '';
  };
  for (const [key, value] of Object.entries(tree)) {
    const path = [...at, key];
    const name = path.join('.');
    const node = (schema as ConfigTree)[key];
    if (!Object.prototype.hasOwnProperty.call(schema, key)) {
      const known = Object.keys(schema);
      const hint = closest(key, known);
      problems.push(
        `${name} = ${showValue(value)}${where(path)}: unknown key` +
          (hint ? `; did you mean '${[...at, hint].join('.')}'?` : '') +
          ` Keys allowed ${at.length ? `in '${at.join('.')}'` : 'at the top level'}: ${known.join(', ')}` +
          ` (add a key the schema lacks with +${name}=...)`,
      );
    } else if (isBranch(node)) {
      if (isPlainObject(value)) problems.push(...findProblems(value, node, origins, path));
      else
        problems.push(
          `${name} = ${showValue(value)}${where(path)}: expected a section with keys ${Object.keys(node).join(', ')}`,
        );
    } else {
      const expected = checkLeaf(asLeaf(node), value);
      if (expected !== undefined) problems.push(`${name} = ${showValue(value)}${where(path)}: expected ${expected}`);
    }
  }
  return problems;
}
