// The public surface of the config module.
export {};
