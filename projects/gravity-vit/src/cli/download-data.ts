// npx nx run gravity-vit:download-data [-- --include-png] [--to <dir>] [--api-url <zenodo mirror>]
// Fetches Zenodo record 1476551 ("Updated Gravity Spy Data Set") into assets/datasets/gravity-spy/: resumable
// (.part + Range), size and md5 checked; files already in place are kept. ZENODO_URL selects a mirror too.
import { parseArgs } from 'node:util';
import { consoleProgress, datasetsDir, formatBytes } from '@research/common';
import { REAL_DATA_DIR_NAME } from '../build';
import { GRAVITY_SPY_RECORD, ZENODO_URL, downloadGravitySpy } from '../download/zenodo';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'include-png': { type: 'boolean' }, to: { type: 'string' }, 'api-url': { type: 'string' } },
  });
  const dir = values.to ?? datasetsDir(REAL_DATA_DIR_NAME);
  const apiUrl = values['api-url'] ?? process.env.ZENODO_URL ?? ZENODO_URL;
  console.log(
    `Zenodo record ${GRAVITY_SPY_RECORD} from ${apiUrl} into ${dir}${values['include-png'] ? ' (with the PNG images)' : ''}`,
  );
  const report = await downloadGravitySpy({
    dir,
    includePng: values['include-png'],
    apiUrl,
    progress: consoleProgress(),
  });
  for (const f of report.files)
    console.log(
      `${f.status === 'present' ? 'present   ' : 'downloaded'} ${f.name} (${formatBytes(f.size)}, size and checksum checked)`,
    );
}

main().catch((err: unknown) => {
  console.error(`download-data: ${(err as Error).message}`);
  process.exit(1);
});
