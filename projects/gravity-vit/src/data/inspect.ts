// What `gravity-vit:data` prints: samples per class and split, the view shape, and every malformed entry of the
// HDF5 file and of the metadata CSV (a row without its image, an image without its row, a row whose label or
// sample_type disagrees with the file, a line with the wrong number of fields).
import { GRAVITY_SPY_CLASSES, type Split } from './classes';
import type { LayoutProblem } from './gravity-spy-file';
import { GravitySpyDataset } from './gravity-spy-dataset';
import { readMetadataCsv } from './metadata-csv';

export interface InspectReport {
  h5: string;
  csv?: string;
  samples: number;
  view_shape: readonly number[] | null;
  dtypes: { uint8: number; float: number };
  per_split: Record<Split, number>;
  per_class: Record<string, Record<Split, number>>;
  classes_missing: string[];
  problems: LayoutProblem[];
}

export async function inspectGravitySpy(h5: string, csv?: string): Promise<InspectReport> {
  const ds = await GravitySpyDataset.open(h5);
  try {
    const problems: LayoutProblem[] = [...ds.problems];
    const perClass: Record<string, Record<Split, number>> = {};
    const perSplit = { train: 0, validation: 0, test: 0 } as Record<Split, number>;
    for (const s of ds.samples) {
      perClass[s.label] ??= { train: 0, validation: 0, test: 0 };
      perClass[s.label][s.split]++;
      perSplit[s.split]++;
    }
    if (csv) problems.push(...csvProblems(csv, ds));
    return {
      h5,
      csv,
      samples: ds.samples.length,
      view_shape: ds.viewShape ?? null,
      dtypes: { uint8: ds.samples.filter((s) => s.uint8).length, float: ds.samples.filter((s) => !s.uint8).length },
      per_split: perSplit,
      per_class: Object.fromEntries(GRAVITY_SPY_CLASSES.filter((c) => perClass[c]).map((c) => [c, perClass[c]])),
      classes_missing: GRAVITY_SPY_CLASSES.filter((c) => !perClass[c]),
      problems,
    };
  } finally {
    ds.close();
  }
}

function csvProblems(csv: string, ds: GravitySpyDataset): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const meta = readMetadataCsv(csv);
  for (const line of meta.malformedLines) {
    problems.push({
      kind: 'csv_malformed',
      path: `csv:${line}`,
      message: `${csv} line ${line}: not ${meta.columns.length} fields`,
    });
  }
  const byId = new Map(ds.samples.map((s) => [s.id, s]));
  const seen = new Set<string>();
  for (const row of meta.rows) {
    seen.add(row.id);
    const sample = byId.get(row.id);
    if (!sample) {
      const broken = ds.problems.find((p) => p.path.includes(`/${row.id}`));
      problems.push({
        kind: 'csv_without_image',
        path: `csv:${row.line}`,
        message: `${csv} line ${row.line}: ${row.id} (${row.label}, ${row.split}) has no ${broken ? 'well-formed ' : ''}image in ${ds.file}${broken ? ` (${broken.kind})` : ''}`,
      });
    } else if (sample.label !== row.label || sample.split !== row.split) {
      problems.push({
        kind: 'csv_mismatch',
        path: `csv:${row.line}`,
        message: `${csv} line ${row.line}: ${row.id} is ${row.label}/${row.split} in the CSV but ${sample.label}/${sample.split} in the file`,
      });
    }
  }
  for (const s of ds.samples) {
    if (!seen.has(s.id))
      problems.push({ kind: 'image_without_csv', path: s.path, message: `${s.path} has no row in ${csv}` });
  }
  return problems;
}
