// The optional `search:` section of a framework config (Optuna-style hyper-parameter search), checked structurally;
// `tools search` runs it (search-run.ts). `tools train` ignores it.
import { ConfigError } from '../config';
import { isPlainObject } from '../config/tree';
import { PRUNER_NAMES, SAMPLER_NAMES, type PrunerName, type SamplerName } from '../search';

export type SearchDistribution =
  | { type: 'loguniform' | 'uniform'; low: number; high: number }
  | { type: 'int'; low: number; high: number; step?: number; log?: boolean }
  | { type: 'categorical'; choices: Array<string | number | boolean> };

export interface SearchSection {
  study_name: string;
  /** An Optuna storage URL (sqlite:///..., postgresql://...); null: sqlite:///<runs>/optuna_studies/<study>/study.db. */
  storage: string | null;
  n_trials: number;
  direction: 'minimize' | 'maximize';
  metric: string;
  sampler: SamplerName;
  pruner: PrunerName;
  /**
   * The distributions, nested like the config (`optimizer: {lr: {type: loguniform, ...}}` searches optimizer.lr):
   * a mapping whose `type` is a distribution name is a distribution, any other mapping a section.
   */
  search_space: SearchSpaceTree;
  /** Optional keys (Optuna's constructor arguments and optimize settings), null or absent for the defaults. */
  /** Seeds the sampler (worker i of `--workers` adds i); null: unseeded, as Optuna. */
  seed?: number | null;
  /** The sampler's keyword arguments by Optuna's names (`n_startup_trials: 5`). */
  sampler_options?: Record<string, unknown> | null;
  /** The pruner's keyword arguments by Optuna's names (`n_warmup_steps: 2`, `percentile: 25`). */
  pruner_options?: Record<string, unknown> | null;
  /** Seconds between heartbeats of a running trial (Optuna's heartbeat_interval); null: no heartbeats. */
  heartbeat_interval?: number | null;
  /** Seconds without a heartbeat after which a RUNNING trial is failed (Optuna's grace_period; null: 2 x interval). */
  grace_period?: number | null;
  /** Re-run a trial failed by its heartbeat up to this many times (Optuna's RetryFailedTrialCallback(max_retry)). */
  failed_trial_max_retry?: number | null;
}

export interface SearchSpaceTree {
  [key: string]: SearchDistribution | SearchSpaceTree;
}

const DISTRIBUTIONS = ['loguniform', 'uniform', 'int', 'categorical'];

function isDistribution(node: unknown): boolean {
  return isPlainObject(node) && typeof node.type === 'string' && DISTRIBUTIONS.includes(node.type);
}

/**
 * Nests the dotted keys of a config tree's `search.search_space` (`optimizer.lr: {...}`, the reference's layout) as
 * the config itself is nested (`optimizer: {lr: {...}}`), so both spellings name the same parameters. Two spellings
 * of one key are an error.
 */
export function nestSearchSpaceKeys(tree: Record<string, unknown>): void {
  const search = tree.search;
  if (!isPlainObject(search) || !isPlainObject(search.search_space)) return;
  const nested: Record<string, unknown> = {};
  // `done`: the key's parts already placed (for the error message), `at`: the parts still to place.
  const insert = (target: Record<string, unknown>, done: string[], at: string[], node: unknown): void => {
    const [head, ...rest] = at;
    if (rest.length > 0) {
      if (!isPlainObject(target[head])) target[head] = {};
      insert(target[head] as Record<string, unknown>, [...done, head], rest, node);
    } else if (!(head in target)) {
      target[head] = node;
    } else if (isPlainObject(node) && !isDistribution(node) && !isDistribution(target[head])) {
      for (const [key, child] of Object.entries(node))
        insert(target[head] as Record<string, unknown>, [...done, head], [key], child);
    } else {
      throw new ConfigError(`search.search_space: '${[...done, head].join('.')}' is given twice (dotted and nested)`);
    }
  };
  for (const [key, node] of Object.entries(search.search_space)) insert(nested, [], key.split('.'), node);
  search.search_space = nested;
}

/** The search space as `[dotted config key, distribution]` pairs, in file order. */
export function searchSpaceEntries(space: SearchSpaceTree, at: string[] = []): Array<[string, SearchDistribution]> {
  return Object.entries(space).flatMap(
    ([key, node]): Array<[string, SearchDistribution]> =>
      isDistribution(node)
        ? [[[...at, key].join('.'), node as SearchDistribution]]
        : searchSpaceEntries(node as SearchSpaceTree, [...at, key]),
  );
}

/** Problems of a search_space tree: every leaf must be a well-formed distribution. */
function checkSpace(node: unknown, at: string[]): string[] {
  if (!isPlainObject(node) || Object.keys(node).length === 0) {
    return [
      `search_space${at.length ? '.' + at.join('.') : ''} must be a non-empty mapping of config keys to distributions`,
    ];
  }
  return Object.entries(node).flatMap(([key, child]) => {
    const looksLikeDistribution = isPlainObject(child) && 'type' in child && !isPlainObject(child.type);
    return looksLikeDistribution ? checkDistribution([...at, key].join('.'), child) : checkSpace(child, [...at, key]);
  });
}

const KEYS = ['study_name', 'storage', 'n_trials', 'direction', 'metric', 'sampler', 'pruner', 'search_space'];
const OPTIONAL_KEYS = [
  'seed',
  'sampler_options',
  'pruner_options',
  'heartbeat_interval',
  'grace_period',
  'failed_trial_max_retry',
];

function checkDistribution(key: string, d: unknown): string[] {
  const at = `search_space.${key}`;
  if (!isPlainObject(d)) return [`${at} must be a mapping with a 'type'`];
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  switch (d.type) {
    case 'loguniform':
    case 'uniform':
    case 'int': {
      if (!finite(d.low) || !finite(d.high) || !((d.low as number) < (d.high as number)))
        return [`${at}: needs numbers low < high`];
      if (d.type === 'loguniform' && !((d.low as number) > 0)) return [`${at}: loguniform needs low > 0`];
      if (d.type === 'int' && !(Number.isInteger(d.low) && Number.isInteger(d.high)))
        return [`${at}: int needs integer low and high`];
      return [];
    }
    case 'categorical':
      if (
        !Array.isArray(d.choices) ||
        d.choices.length === 0 ||
        !d.choices.every((c) => ['string', 'number', 'boolean'].includes(typeof c))
      ) {
        return [`${at}: categorical needs a non-empty list of choices (strings, numbers or booleans)`];
      }
      return [];
    default:
      return [`${at}: type must be ${DISTRIBUTIONS.join(', ')}, got ${JSON.stringify(d.type)}`];
  }
}

/** Every problem of a `search:` section, one line each (empty when it is well-formed). */
export function checkSearchSection(value: unknown): string[] {
  if (!isPlainObject(value)) return ['it must be a mapping'];
  const problems: string[] = [];
  for (const key of Object.keys(value))
    if (!KEYS.includes(key) && !OPTIONAL_KEYS.includes(key))
      problems.push(`unknown key '${key}' (allowed: ${[...KEYS, ...OPTIONAL_KEYS].join(', ')})`);
  for (const key of KEYS) if (!(key in value)) problems.push(`missing '${key}'`);
  const v = value as Record<string, unknown>;
  if ('study_name' in v && (typeof v.study_name !== 'string' || v.study_name === ''))
    problems.push('study_name must be a non-empty string');
  if ('storage' in v && v.storage !== null && typeof v.storage !== 'string')
    problems.push('storage must be a URL string or null');
  if ('n_trials' in v && !(Number.isInteger(v.n_trials) && (v.n_trials as number) > 0))
    problems.push('n_trials must be a positive integer');
  if ('direction' in v && !['minimize', 'maximize'].includes(v.direction as string))
    problems.push("direction must be 'minimize' or 'maximize'");
  if ('metric' in v && typeof v.metric !== 'string') problems.push('metric must be a string (e.g. val_acc)');
  if ('sampler' in v && !(SAMPLER_NAMES as readonly unknown[]).includes(v.sampler))
    problems.push(`sampler must be ${SAMPLER_NAMES.join(', ')}`);
  if ('pruner' in v && !(PRUNER_NAMES as readonly unknown[]).includes(v.pruner))
    problems.push(`pruner must be ${PRUNER_NAMES.join(', ')}`);
  if ('search_space' in v) problems.push(...checkSpace(v.search_space, []));
  const optional = (key: string, ok: (x: unknown) => boolean, expected: string) => {
    if (v[key] !== undefined && v[key] !== null && !ok(v[key])) problems.push(`${key} must be ${expected} or null`);
  };
  optional('seed', (x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < 2 ** 32, 'an integer >= 0');
  optional('sampler_options', isPlainObject, "a mapping of the sampler's arguments");
  optional('pruner_options', isPlainObject, "a mapping of the pruner's arguments");
  optional('heartbeat_interval', (x) => typeof x === 'number' && x > 0, 'a number of seconds > 0');
  optional('grace_period', (x) => typeof x === 'number' && x > 0, 'a number of seconds > 0');
  optional('failed_trial_max_retry', (x) => Number.isInteger(x) && (x as number) >= 0, 'an integer >= 0');
  return problems;
}
