// The public surface of the metrics module.
export {};
