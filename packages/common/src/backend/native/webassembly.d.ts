// The part of the WebAssembly JS API that the native kernels use. The project compiles without lib.dom (Node only),
// which is where TypeScript declares it; Node provides the global at run time.
export {};

declare global {
  namespace WebAssembly {
    interface ModuleImportDescriptor {
      module: string;
      name: string;
      kind: string;
    }
    class Module {
      constructor(bytes: Uint8Array);
      static imports(module: Module): ModuleImportDescriptor[];
    }
    class Instance {
      constructor(module: Module, imports: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
      readonly buffer: ArrayBuffer | SharedArrayBuffer;
    }
  }
}
