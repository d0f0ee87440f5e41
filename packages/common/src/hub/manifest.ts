import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io';
import type { HubRepoType } from './hub-client';

/** What was downloaded for one file; a later run skips the file when the Hub still lists the same oid and size. */
export interface ManifestEntry {
  size: number;
  /** The Hub's id of the content: the git blob sha1, or the sha256 for LFS files. */
  oid: string;
  /** sha256 of the content, when the Hub gives it (LFS files) and it was checked. */
  sha256?: string;
  /** The ETag the resolve endpoint gave. */
  etag?: string;
}

/** `.hub-manifest.json` in a downloaded folder: where it came from and what each file is. */
export interface HubManifest {
  repo: string;
  type: HubRepoType;
  hubUrl: string;
  /** The revision asked for (branch, tag or commit) and the commit it resolved to. */
  revision: string;
  commit: string;
  files: Record<string, ManifestEntry>;
}

export const MANIFEST_NAME = '.hub-manifest.json';

/**
 * The manifest of `dir`, or undefined when there is none or it is unreadable: it is only a cache of what was verified,
 * and files without an entry are verified again by their hash.
 */
export function readManifest(dir: string): HubManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_NAME), 'utf8')) as HubManifest;
    return m && typeof m.files === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(dir: string, manifest: HubManifest): void {
  writeFileAtomic(path.join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}
