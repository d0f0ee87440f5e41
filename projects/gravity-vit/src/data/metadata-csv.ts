// The metadata CSV of the set (trainingset_v1d1_metadata.csv: gravityspy_id, label, sample_type, ifo, snr, ...):
// a small RFC 4180 reader (quoted fields, doubled quotes, CRLF) and the rows' link to the HDF5 samples.
import * as fs from 'node:fs';

/** Rows of a CSV file as string arrays (the header included). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export interface MetadataRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  id: string;
  label: string;
  split: string;
}

export interface MetadataFile {
  rows: MetadataRow[];
  columns: string[];
  /** Lines whose field count differs from the header's. */
  malformedLines: number[];
}

const REQUIRED = ['gravityspy_id', 'label', 'sample_type'];

export function readMetadataCsv(file: string): MetadataFile {
  const table = parseCsv(fs.readFileSync(file, 'utf8'));
  if (table.length === 0) throw new Error(`${file}: empty CSV`);
  const columns = table[0].map((c) => c.trim());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) throw new Error(`${file}: no column ${missing.join(', ')} (columns: ${columns.join(', ')})`);
  const [id, label, split] = REQUIRED.map((c) => columns.indexOf(c));
  const rows: MetadataRow[] = [];
  const malformedLines: number[] = [];
  table.slice(1).forEach((r, i) => {
    if (r.length !== columns.length) malformedLines.push(i + 2);
    else rows.push({ line: i + 2, id: r[id], label: r[label], split: r[split] });
  });
  return { rows, columns, malformedLines };
}
