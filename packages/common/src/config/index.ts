// The public surface of the config module: convict schemas composed the Hydra way.
export { ConfigError } from './errors';
export {
  composeConfig,
  composeConfigDetailed,
  type ComposeOptions,
  type ComposedConfig,
  type GroupChoices,
} from './compose';
export { saveConfig, loadConfig } from './persist';
export {
  numberIn,
  intIn,
  arrayOf,
  leafKind,
  isBranch,
  asLeaf,
  type ConfigSchema,
  type DescribedFormat,
  type SchemaLeaf,
} from './schema';
export { closest, nearestKey, schemaLeafPaths } from './validate';
export { provenanceOf } from './finalize';
