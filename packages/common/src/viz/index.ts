// The public surface of the viz module.
export {};
