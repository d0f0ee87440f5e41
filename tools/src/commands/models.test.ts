import { Command } from 'commander';
import { formatModelRows, register } from './models';

describe('tools models', () => {
  let out: string[];
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['models', ...args], { from: 'user' });
  };

  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it("lists every registered architecture, sorted, with torchvision's parameter counts at --num-classes", async () => {
    await run('--num-classes', '10', '--json');
    const rows = JSON.parse(out.join('\n')) as { name: string; parameters: number; description: string }[];
    const names = rows.map((r) => r.name);
    expect(names).toEqual([...names].sort());
    const count = (name: string) => rows.find((r) => r.name === name)?.parameters;
    // torchvision 0.14 at 10 classes (scripts/golden/torchvision_zoo.py, src/models/zoo/golden/*.json)
    expect(count('resnet18')).toBe(11_181_642);
    expect(count('resnet50')).toBe(23_528_522);
    expect(count('mobilenet_v3_small')).toBe(1_528_106);
    expect(count('efficientnet_b0')).toBe(4_020_358);
    expect(count('convnext_tiny')).toBe(27_827_818);
    expect(count('simple_cnn')).toBe(140_458);
    // vit_b_16 at 10 classes: 1000 classes minus 990 x (768 + 1) head parameters.
    expect(count('vit_b_16')).toBe(86_567_656 - 990 * 769);
    expect(count('reference-cnn')).toBe(225_034);
    // The official cls_hrnet.py at 1000 classes (common's models/hrnet/golden/hrnet_params.json) minus 990 x 2049.
    expect(count('hrnet_w18_small_v1')).toBe(13_187_464 - 990 * 2049);
    expect(count('hrnet_w64')).toBe(128_059_944 - 990 * 2049);
    // The triplet-VAE ViT is torch_reference.py's ViT; multitask: + mu and logvar (64 -> 32), classifier 32 -> 10.
    expect(count('triplet_vae_vit')).toBe(count('vit-tiny'));
    expect(count('triplet_vae_vit_multitask')).toBe(count('vit-tiny')! - 65 * 10 + 2 * (64 * 32 + 32) + 33 * 10);
    expect(names).not.toContain('hrnet_w18_small');
    expect(rows.every((r) => r.description.length > 0)).toBe(true);
  }, 180_000);

  it('formats an aligned table', () => {
    expect(
      formatModelRows([
        { name: 'a', parameters: 1234567, description: 'd' },
        { name: 'longer_name', parameters: 5, description: 'e' },
      ]),
    ).toEqual(['name         parameters  description', 'a             1,234,567  d', 'longer_name           5  e']);
    expect(formatModelRows([], [['x_small', 'x_small_v1']]).pop()).toBe('aliases: x_small = x_small_v1');
  });

  it('rejects a bad --num-classes before building anything', async () => {
    await expect(run('--num-classes', 'ten')).rejects.toThrow("--num-classes: expected a positive integer, got 'ten'");
    await expect(run('--num-classes', '0')).rejects.toThrow("--num-classes: expected a positive integer, got '0'");
  });
});
