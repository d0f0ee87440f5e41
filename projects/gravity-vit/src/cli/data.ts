// npx nx run gravity-vit:data -- --h5 <file> [--csv <metadata>]
// Prints, as JSON, the samples per class and split, the view shape and every malformed entry (exit code 1 when the
// file cannot be read at all; malformed entries are listed, not fatal).
import { parseArgs } from 'node:util';
import { inspectGravitySpy } from '../data';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { h5: { type: 'string' }, csv: { type: 'string' } } });
  if (!values.h5) {
    console.error('usage: npx nx run gravity-vit:data -- --h5 <file.h5> [--csv <metadata.csv>]');
    return 2;
  }
  const report = await inspectGravitySpy(values.h5, values.csv);
  console.log(JSON.stringify(report, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.log(JSON.stringify({ error: (err as Error).message }, null, 2));
    process.exit(1);
  },
);
