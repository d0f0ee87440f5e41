// A program whose backend start never settles and holds nothing alive, as a stalled pthread worker leaves it.
// argv[2] = 'guarded': awaits it through startWithin (200 ms); otherwise awaits it bare.
import { startWithin } from '../start-timeout';

const never = new Promise<boolean>(() => undefined);
void (async () => {
  await (process.argv[2] === 'guarded' ? startWithin(never, 'the test backend', 'the hint', 200) : never);
  console.log('started');
})().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
