// Jest environment for tests that run onnxruntime-node. Jest gives each test file its own realm; the native
// binding returns typed arrays of Node's realm, which onnxruntime-common then rejects (`instanceof Float32Array`
// is false across realms). Jest already shares Node's ArrayBuffer and Uint8Array; this shares the other typed arrays.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
