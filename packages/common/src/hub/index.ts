// The public surface of the hub module.
export {};
