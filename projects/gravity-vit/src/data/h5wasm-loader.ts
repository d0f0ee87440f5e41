// h5wasm 0.10.3 is ESM-only and its package exports `./node` for `import` alone. This code is CommonJS (tsx, and
// jest through @swc/jest), so it loads the file behind `h5wasm/node` with Node's own require (Node >= 20.19 loads
// ESM synchronously: the module has no top-level await). jest replaces `require` with a loader that cannot load ESM,
// so this goes through Node's Module class directly, the way common's parquet reader loads hyparquet. The jest
// alternative, `--experimental-vm-modules`, would switch every test of the project to jest's experimental ESM mode.
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import type * as H5 from 'h5wasm';

export type H5Module = typeof H5;
export type { File as H5File, Dataset as H5Dataset, Group as H5Group } from 'h5wasm';

type ModuleClass = typeof nodeModule.Module & { _nodeModulePaths(dir: string): string[] };

const NODE_ENTRY = path.join('h5wasm', 'dist', 'node', 'hdf5_hl.js');
let loaded: Promise<H5Module> | undefined;

function nodeEntryPath(): string {
  const Module = nodeModule.Module as ModuleClass;
  for (const dir of Module._nodeModulePaths(__dirname)) {
    const candidate = path.join(dir, NODE_ENTRY);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    `h5wasm is not installed: no node_modules/${NODE_ENTRY} above ${__dirname} (npm install h5wasm@0.10.3)`,
  );
}

/** The h5wasm module once its wasm is ready (loaded once per process). Its Node build reads host files directly. */
export function loadH5wasm(): Promise<H5Module> {
  if (!loaded) {
    loaded = (async () => {
      const Module = nodeModule.Module as ModuleClass;
      const loader = new Module(__filename);
      loader.filename = __filename;
      loader.paths = Module._nodeModulePaths(__dirname);
      const h5 = loader.require(nodeEntryPath()) as H5Module;
      await h5.ready;
      return h5;
    })();
  }
  return loaded;
}
