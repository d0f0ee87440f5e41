// search: hyperparameter studies that speak Optuna's storage (SQLite and PostgreSQL, Optuna's relational schema),
// so Python Optuna and optuna-dashboard read our studies and our workers join theirs.
// - createStudy / loadStudy, Study (ask/tell/optimize, heartbeats), Trial (suggest*, report, shouldPrune)
// - samplers: RandomSampler, TPESampler, GridSampler, CmaEsSampler; pruners: Median, Percentile, SuccessiveHalving,
//   Hyperband; fANOVA parameter importances; samplers and pruners by name with Optuna's keyword arguments
// - RdbStorage (the storage itself) and the distributions with Optuna's JSON form
export * from './distributions';
export * from './types';
export * from './sampler';
export * from './trial';
export * from './study';
export * from './rdb-storage';
export { SCHEMA_REVISIONS, SCHEMA_VERSION } from './schema';
export type { SchemaRevision } from './schema';
export * from './pruners';
export { RandomSampler } from './samplers/random';
export { TPESampler } from './samplers/tpe';
export type { TPESamplerOptions } from './samplers/tpe';
export { GridSampler, GridExhaustedError } from './samplers/grid';
export { CmaEsSampler } from './samplers/cmaes';
export type { CmaEsOptions } from './samplers/cmaes';
export { getParamImportances, paramImportancesOf } from './fanova';
export type { ForestOptions } from './fanova';
export * from './by-name';
export * from './study-location';
