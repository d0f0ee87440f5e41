import { Command } from 'commander';
import { register } from './privacy';

describe('tools privacy', () => {
  let out: string[];
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['privacy', ...args], { from: 'user' });
  };
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it("prints epsilon and the best order of Opacus' test case", async () => {
    await run('--sample-rate', '0.04', '--noise-multiplier', '1.5', '--steps', '2250', '--delta', '1e-5');
    expect(out[0]).toMatch(/^epsilon: 7\.3291111714/);
    expect(out[1]).toBe('best order: 3.9');
  });

  it('prints the noise multiplier for a target epsilon over planned epochs', async () => {
    await run('--target-epsilon', '8', '--epochs', '90', '--sample-rate', '0.04', '--delta', '1e-5');
    expect(out[0]).toBe('noise multiplier: 1.416015625');
    expect(out[1]).toMatch(/after 2250 steps/);
  });

  it.each([
    [
      ['--sample-rate', '1.5', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'],
      /--sample-rate: expected a number in \(0, 1\], got '1.5'/,
    ],
    [
      ['--sample-rate', '0.1', '--noise-multiplier', '-1', '--steps', '10', '--delta', '1e-5'],
      /--noise-multiplier: expected a number in \[0, inf\), got '-1'/,
    ],
    [
      ['--sample-rate', '0.1', '--noise-multiplier', '1', '--steps', '2.5', '--delta', '1e-5'],
      /--steps: expected an integer/,
    ],
    [
      ['--sample-rate', '0.1', '--noise-multiplier', '1', '--steps', '10', '--delta', '1'],
      /--delta: expected a number in \(0, 1\), got '1'/,
    ],
    [['--sample-rate', '0.1', '--steps', '10', '--delta', '1e-5'], /--noise-multiplier is required/],
    [['--sample-rate', '0.1', '--target-epsilon', '2', '--delta', '1e-5'], /exactly one of --epochs or --steps/],
    [
      ['--sample-rate', '0.1', '--target-epsilon', '0', '--epochs', '1', '--delta', '1e-5'],
      /--target-epsilon: expected a number in \(0, inf\)/,
    ],
  ])('refuses out-of-range values clearly (%#)', async (args, message) => {
    await expect(run(...args)).rejects.toThrow(message);
  });
});
