import * as path from 'node:path';

/** A parquet file's place in the Hub's layouts: `<config>/<split>-*.parquet`, `data/<split>-*.parquet`, or the
 * converted branch's `<config>/<split>/NNNN.parquet`. `config` is undefined for files at the top level. */
export function parquetConfigSplit(file: string): { config?: string; split: string } {
  const parts = file.split('/');
  const base = path.posix.basename(file, '.parquet');
  const config = parts.length > 1 ? parts[0] : undefined;
  if (parts.length >= 3) return { config, split: parts[parts.length - 2] };
  return { config, split: base.split(/[-.]/)[0] };
}

/**
 * The files of a dataset repo to download for `--config`/`--split`: every file when neither is given, else the
 * matching parquet files plus the top-level README.md (the dataset card, with its licence). Config "default" also
 * matches the `data/` folder, which is where the Hub puts a dataset's only config. Throws, listing what exists, when
 * nothing matches or when a split without a config is ambiguous.
 */
export function selectDatasetFiles(files: string[], sel: { config?: string; split?: string }, repo: string): string[] {
  if (!sel.config && !sel.split) return files;
  const parquet = files.filter((f) => f.endsWith('.parquet'));
  const matches = parquet.filter((f) => {
    const { config, split } = parquetConfigSplit(f);
    const configOk = !sel.config || config === sel.config || (sel.config === 'default' && config === 'data');
    return configOk && (!sel.split || split === sel.split);
  });
  const available = [...new Set(parquet.map((f) => describe(parquetConfigSplit(f))))].sort();
  const asked = [sel.config && `config "${sel.config}"`, sel.split && `split "${sel.split}"`].filter(Boolean).join(' ');
  if (matches.length === 0) {
    throw new Error(
      `dataset "${repo}" has no parquet files for ${asked}; ` +
        (available.length ? `available (config/split): ${available.join(', ')}` : 'it has no parquet files at all'),
    );
  }
  const configs = new Set(matches.map((f) => parquetConfigSplit(f).config));
  if (!sel.config && configs.size > 1) {
    throw new Error(
      `split "${sel.split}" of dataset "${repo}" exists in several configs (${[...configs].join(', ')}): choose one with --config`,
    );
  }
  return files.includes('README.md') ? ['README.md', ...matches] : matches;
}

function describe(cs: { config?: string; split: string }): string {
  return cs.config ? `${cs.config}/${cs.split}` : cs.split;
}
