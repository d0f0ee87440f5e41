import * as nodeModule from 'node:module';

type ModuleClass = typeof nodeModule.Module & { _nodeModulePaths(dir: string): string[] };

/**
 * Loads an ESM-only package (hyparquet, hyparquet-writer) from CommonJS code. Node >= 20.19 loads ESM through its
 * require(); jest replaces `require`, `createRequire` and `process.getBuiltinModule` with its own loader, which cannot,
 * so this goes through Node's Module class directly. (Objects it returns may come from another realm under jest: test
 * them with ArrayBuffer.isView & co, not instanceof.)
 */
export function requireEsm<T>(id: string): T {
  const Module = nodeModule.Module as ModuleClass;
  const loader = new Module(__filename);
  loader.filename = __filename;
  loader.paths = Module._nodeModulePaths(__dirname);
  return loader.require(id) as T;
}
