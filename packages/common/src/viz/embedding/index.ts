export {
  tsne,
  klDivergenceGradient,
  type TsneOptions,
  type TsneProgress,
  type TsneResult,
  type EmbeddingResult,
} from './tsne';
export { umap, type UmapOptions } from './umap';
export { conditionalProbabilities, jointProbabilities } from './perplexity';
export { trustworthiness, neighborLabelAgreement } from './quality';
export type { EmbeddingInput } from './matrix';
