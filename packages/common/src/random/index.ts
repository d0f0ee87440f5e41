// The public surface of the random module: the project's seeded generators (data order, augmentation, subsampling,
// embeddings), one implementation for every module.
export { createRng, mixSeeds, mulberry32, type Rng } from './rng';
