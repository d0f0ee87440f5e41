import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import paperGenerator, { renderPaperFiles, writePaper } from '../../generators/paper/generator';

const WORKSPACE = path.resolve(__dirname, '../../..');

describe('new-paper generator', () => {
  it('renders the paper files with the name substituted', () => {
    const files = renderPaperFiles('my-paper');
    expect([...files.keys()].sort()).toEqual([
      '.gitignore',
      'README.md',
      'configs/config.yaml',
      'configs/model/reference-cnn.yaml',
      'configs/model/vit-tiny.yaml',
      'configs/recipe/smoke.yaml',
      'jest.config.js',
      'project.json',
      'src/app.ts',
      'src/config.test.ts',
      'src/config.ts',
      'src/data.ts',
      'src/main.ts',
      'tsconfig.json',
    ]);
    const project = JSON.parse(files.get('project.json')!) as {
      name: string;
      targets: Record<string, { options: { command: string } }>;
    };
    expect(project.name).toBe('my-paper');
    expect(project.targets.train.options.command).toBe('tsx papers/my-paper/src/main.ts train');
    expect(project.targets.evaluate.options.command).toBe('tsx papers/my-paper/src/main.ts evaluate');
    for (const [file, text] of files) expect([file, text.includes('__PAPER__')]).toEqual([file, false]);
  });

  it('writes the same files through the Nx generator (npx nx g @research/tools:paper)', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await paperGenerator(tree, { name: 'nx-paper' });
    for (const [rel, text] of renderPaperFiles('nx-paper'))
      expect(tree.read(`papers/nx-paper/${rel}`, 'utf8')).toBe(text);
    await expect(paperGenerator(tree, { name: 'nx-paper' })).rejects.toThrow('papers/nx-paper already exists');
  });

  it('refuses bad names, existing folders and taken project names', () => {
    expect(() => renderPaperFiles('My_Paper')).toThrow(/must be lowercase letters and digits/);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'new-paper-'));
    try {
      fs.mkdirSync(path.join(root, 'papers', 'taken'), { recursive: true });
      expect(() => writePaper(root, 'taken', path.join(root, 'datasets'))).toThrow(/already exists/);
      fs.mkdirSync(path.join(root, 'tools'));
      fs.writeFileSync(path.join(root, 'tools', 'project.json'), '{"name": "tools"}');
      expect(() => writePaper(root, 'tools', path.join(root, 'datasets'))).toThrow(
        'an Nx project named "tools" already exists',
      );
      expect(fs.readdirSync(path.join(root, 'papers'))).toEqual(['taken']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('generates a paper that trains one short epoch on the embedded default and evaluates its checkpoint', () => {
    // A scratch workspace outside the repository: the paper's imports resolve through NODE_PATH, its outputs go to
    // RESEARCH_ASSETS_DIR, and nothing is left in the repository.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'new-paper-e2e-'));
    try {
      const assets = path.join(root, 'assets');
      const paper = writePaper(root, 'demo', path.join(assets, 'datasets'));
      expect(fs.realpathSync(path.join(paper.dir, 'data'))).toBe(fs.realpathSync(path.join(assets, 'datasets')));

      const env: NodeJS.ProcessEnv = {
        ...process.env,
        RESEARCH_ASSETS_DIR: assets,
        NODE_PATH: path.join(WORKSPACE, 'node_modules'),
        CI: 'true',
      };
      delete env.RESEARCH_BACKEND; // the default backend choice
      const tsx = path.join(WORKSPACE, 'node_modules', '.bin', 'tsx');
      const run = (args: string[]) =>
        spawnSync(tsx, [path.join(paper.dir, 'src', 'main.ts'), ...args], { cwd: root, env, encoding: 'utf8' });

      const train = run(['train', 'train.epochs=1', 'data.train_limit=256', 'data.batch_size=64', '--no-progress']);
      expect({ status: train.status, stderr: train.status ? train.stderr : '' }).toEqual({ status: 0, stderr: '' });
      expect(train.stdout).toMatch(
        /data: fashion-mnist \(sample, .*\): 230 train \/ 26 validation \/ 1000 test images/,
      );
      expect(train.stdout).toMatch(/test \(best.safetensors\): test_loss \d+\.\d{4} test_acc \d\.\d{4}/);
      const runDir = /run folder (.*)/.exec(train.stdout)![1].trim();
      expect(path.dirname(path.dirname(runDir))).toBe(path.join(assets, 'outputs', 'demo'));
      for (const f of [
        'config.yaml',
        'run.json',
        'metrics.json',
        'results.json',
        'curves.png',
        'confusion_matrix.png',
        'checkpoints/best.safetensors',
        'checkpoints/last.safetensors',
      ]) {
        expect([f, fs.existsSync(path.join(runDir, f))]).toEqual([f, true]);
      }
      const metrics = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as {
        epoch: number;
        train_loss: number;
      }[];
      expect(metrics).toHaveLength(1);
      expect(Number.isFinite(metrics[0].train_loss)).toBe(true);

      const evaluate = run(['evaluate', '--checkpoint', runDir]);
      expect({ status: evaluate.status, stderr: evaluate.status ? evaluate.stderr : '' }).toEqual({
        status: 0,
        stderr: '',
      });
      const trained = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as { test_acc: number };
      const test = JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation_best', 'results.json'), 'utf8')) as {
        test_acc: number;
        checkpoint: string;
      };
      expect(test.checkpoint).toBe(path.join(runDir, 'checkpoints', 'best.safetensors'));
      expect(test.test_acc).toBe(trained.test_acc);
      expect(fs.existsSync(path.join(runDir, 'evaluation_best', 'classification_report.txt'))).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
