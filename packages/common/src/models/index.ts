// The public surface of the models module.
export {};
