// Inference img/s of the reference models: tfjs on the running backend, their ONNX export on onnxruntime-node
// (CPU), and PyTorch (../shared/reference/torch_reference.py throughput, batch 64) in the same run; prints a table.
//
//   npx nx run common:bench-onnx                      # cnn and vit-tiny, batch 1 and 64, with PyTorch
//   options: --backend wasm|cpu|...  --models cnn,vit-tiny  --seconds 3  --threads 2  --no-torch  --opset 17
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, type BackendPreference } from '../src/backend';
import {
  benchmarkInference,
  exportToOnnx,
  torchReferenceAvailable,
  torchReferenceScript,
  torchReferenceThroughput,
  TORCH_REFERENCE_MODELS as MODELS,
  type InferenceThroughput,
} from '../src/export';
import { createModel } from '../src/models';

function parseArgs(argv: string[]) {
  const opts = {
    backend: 'auto' as BackendPreference,
    models: Object.keys(MODELS),
    seconds: 3,
    threads: 2,
    torch: true,
    opset: 17,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench-onnx: ${arg} needs a value`);
      return v;
    };
    if (arg === '--no-torch') opts.torch = false;
    else if (arg === '--backend') opts.backend = value() as BackendPreference;
    else if (arg === '--models') opts.models = value().split(',');
    else if (arg === '--seconds') opts.seconds = Number(value());
    else if (arg === '--threads') opts.threads = Number(value());
    else if (arg === '--opset') opts.opset = Number(value());
    else
      throw new Error(
        `bench-onnx: unknown argument '${arg}' ` +
          '(expected --backend, --models, --seconds, --threads, --no-torch, --opset)',
      );
  }
  for (const m of opts.models)
    if (!(m in MODELS)) throw new Error(`bench-onnx: unknown model '${m}'; expected ${Object.keys(MODELS).join(', ')}`);
  if (!(opts.seconds > 0) || !Number.isInteger(opts.threads) || opts.threads < 1)
    throw new Error('bench-onnx: --seconds > 0 and --threads >= 1');
  return opts;
}

const progress = (line: string) => process.stderr.write(`[bench-onnx] ${line}\n`);

/** PyTorch's inference img/s at batch 64 by model, or null without python3-torch. */
function torchInference(): Record<string, number> | null {
  if (!torchReferenceAvailable()) {
    progress('python3-torch is not importable (apt-get install -y python3-torch): no PyTorch column');
    return null;
  }
  progress(`PyTorch: /usr/bin/python3 ${torchReferenceScript()} throughput`);
  return Object.fromEntries(torchReferenceThroughput().map((r) => [r.model, r.infer_img_s]));
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const info = await initBackend(opts.backend, { log: progress });
  const backend = info.name + (info.name === 'wasm' ? `-${info.threads}t` : '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-onnx-'));
  const results: { model: string; rows: InferenceThroughput[] }[] = [];
  try {
    for (const name of opts.models) {
      const model = createModel(MODELS[name]);
      const file = path.join(dir, `${name}.onnx`);
      fs.writeFileSync(file, exportToOnnx(model, { opset: opts.opset }).bytes);
      progress(`${name}: batch 1 and 64, ${opts.seconds} s each, onnxruntime with ${opts.threads} threads`);
      const rows = await benchmarkInference(model, file, {
        batchSizes: [1, 64],
        seconds: opts.seconds,
        threads: opts.threads,
      });
      for (const r of rows) console.log(JSON.stringify({ model: name, backend, ...r }));
      results.push({ model: name, rows });
      model.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const torch = opts.torch ? torchInference() : null;
  const lines = [
    `| model | batch | tfjs ${backend} img/s | onnxruntime img/s | onnx / tfjs |` +
      (torch ? ' PyTorch img/s | onnx / torch |' : ''),
    `| --- | --- | --- | --- | --- |${torch ? ' --- | --- |' : ''}`,
  ];
  for (const { model, rows } of results) {
    for (const r of rows) {
      const t = torch && r.batch === 64 ? torch[model] : undefined;
      const torchCells = torch ? (t ? ` ${t} | ${(r.onnx_img_s / t).toFixed(2)} |` : ' - | - |') : '';
      lines.push(
        `| ${model} | ${r.batch} | ${r.tfjs_img_s.toFixed(0)} | ${r.onnx_img_s.toFixed(0)} | ` +
          `${r.ratio.toFixed(2)} |${torchCells}`,
      );
    }
  }
  console.log(lines.join('\n'));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
