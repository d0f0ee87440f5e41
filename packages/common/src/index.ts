// @research/common: the reusable core shared by every paper, project and tool.
// Each folder is a module; its index.ts says what it offers.
export * from './io';
export * from './random';
export * from './backend';
export * from './config';
export * from './data';
export * from './models';
export * from './training';
export * from './metrics';
export * from './tda';
export * from './viz';
export * from './hub';
export * from './run';
export * from './framework';
export * from './export';
export * from './search';
export * from './tracking';
