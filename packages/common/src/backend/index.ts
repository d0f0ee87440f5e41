// The public surface of the backend module.
export {};
