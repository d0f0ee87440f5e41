// Dropping events from a run's TensorBoard files, for a resumed run: the events a killed process wrote after its last
// checkpoint are written again by the resumed one, and TensorBoard would show both.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io';
import { isEventFile } from './event-reader';
import { decodeEvent, encodeEvent } from './protos';
import { encodeTfRecord, maskedCrc32c } from './tfrecord';

/** Whether an event value survives: its tag and step. */
export type KeepEvent = (tag: string, step: number) => boolean;

/** One event file's whole records (a record cut short by a kill ends the list) and whether one was cut short. */
function readRecords(file: string): { records: Buffer[]; cutShort: boolean } {
  const bytes = fs.readFileSync(file);
  const records: Buffer[] = [];
  let at = 0;
  while (at + 12 <= bytes.length) {
    const length = Number(bytes.readBigUInt64LE(at));
    const end = at + 12 + length + 4;
    if (bytes.readUInt32LE(at + 8) !== maskedCrc32c(bytes.subarray(at, at + 8)) || end > bytes.length) break;
    if (bytes.readUInt32LE(at + 12 + length) !== maskedCrc32c(bytes.subarray(at + 12, at + 12 + length))) break;
    records.push(bytes.subarray(at, end));
    at = end;
  }
  return { records, cutShort: at !== bytes.length };
}

/**
 * Rewrites the event files under `dir` (and its subfolders, addScalars' runs) without the summary values `keep`
 * refuses, each file through a temporary name and a rename: a kill during the purge leaves every file either as it
 * was or purged. Events without summaries (the file_version header) stay; a record cut short by a kill is dropped.
 * Files with nothing to drop are not touched. Returns the rewritten files with the number of values dropped.
 */
export function purgeEvents(dir: string, keep: KeepEvent): { file: string; dropped: number }[] {
  const rewritten: { file: string; dropped: number }[] = [];
  if (!fs.existsSync(dir)) return rewritten;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !isEventFile(entry.name) || /\.tmp-\d+-\d+$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { records, cutShort } = readRecords(file);
    const kept: Buffer[] = [];
    let dropped = 0;
    for (const record of records) {
      const event = decodeEvent(record.subarray(12, record.length - 4));
      const values = event.summary?.value;
      if (!values) {
        kept.push(record);
        continue;
      }
      const step = Number(event.step ?? 0);
      const survivors = values.filter((v) => keep(v.tag, step));
      dropped += values.length - survivors.length;
      if (survivors.length === values.length) kept.push(record);
      else if (survivors.length > 0)
        kept.push(encodeTfRecord(encodeEvent({ ...event, summary: { value: survivors } })));
    }
    if (dropped === 0 && !cutShort) continue;
    writeFileAtomic(file, Buffer.concat(kept));
    rewritten.push({ file, dropped });
  }
  return rewritten;
}
