#!/bin/sh
# Rebuilds the project's wasm kernels from kernels.c (`npx nx run common:build-kernels`; needs Debian's emscripten:
# `apt-get install -y emscripten node-acorn`). The built .wasm files are committed, so installing compiles nothing.
#   kernels.wasm         for tfjs-wasm's single-threaded binaries (an unshared memory)
#   kernels-shared.wasm  for its threaded binary (a shared memory: built with atomics)
set -eu
cd "$(dirname "$0")"
# emcc's JS optimiser needs Debian's acorn module.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
FLAGS="-O3 -msimd128 -mbulk-memory -sSIDE_MODULE=1 -fno-builtin -Wall -Werror"
emcc --version | head -1
emcc $FLAGS kernels.c -o kernels.wasm
emcc $FLAGS -pthread -Wno-experimental kernels.c -o kernels-shared.wasm
# The loader gives the module nothing but the memory: fail here if the compiler made it import anything else.
node -e '
for (const file of process.argv.slice(1)) {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(require("fs").readFileSync(file)));
  const extra = imports.filter((i) => !(i.module === "env" && i.name === "memory"));
  if (extra.length) { console.error(file + " imports more than the memory: " + JSON.stringify(extra)); process.exit(1); }
  console.log(file + ": " + require("fs").statSync(file).size + " bytes, imports only env.memory");
}' kernels.wasm kernels-shared.wasm
