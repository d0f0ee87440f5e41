// The public surface of the training module.
export * from './optim';
export * from './losses';
