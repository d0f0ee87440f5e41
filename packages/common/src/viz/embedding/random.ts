// Seeded sampling for reproducible embeddings (initialisation, UMAP's sampling).

/** Standard normal samples (Box-Muller) from a uniform generator. */
export function normalSampler(uniform: () => number): () => number {
  return () => {
    const u = 1 - uniform(); // (0, 1]: log(0) never happens
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
