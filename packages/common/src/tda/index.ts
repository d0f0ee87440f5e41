// The public surface of the tda module.
export {};
