"""Golden values for the t-SNE and embedding-quality code (src/viz/embedding), from scikit-learn.

- P: sklearn.manifold._t_sne._joint_probabilities (the exact method's perplexity binary search + symmetrisation)
  on squared Euclidean distances, for two perplexities; condensed (i < j) like sklearn returns it.
- trustworthiness: sklearn.manifold.trustworthiness of a fixed 2-D map of the same points.
- TSNE(method='exact', init='pca', learning_rate='auto', random_state=0): final KL divergence and the
  trustworthiness of its embedding, the bar the TypeScript t-SNE must reach.

Run: /usr/bin/python3 packages/common/scripts/golden/viz_tsne.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities
from sklearn.metrics import pairwise_distances

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'viz', 'testdata', 'tsne_golden.json')


def main():
    rng = np.random.default_rng(0)
    # Three Gaussian clusters in 8-D (20 points each) with different spreads, so rows need different bandwidths.
    centers = rng.normal(0, 6, size=(3, 8))
    spreads = [0.5, 1.0, 2.0]
    X = np.concatenate([rng.normal(c, s, size=(20, 8)) for c, s in zip(centers, spreads)])
    labels = np.repeat(np.arange(3), 20)
    distances = pairwise_distances(X, metric='euclidean', squared=True)

    joint = {str(p): _joint_probabilities(distances, p, 0).tolist() for p in (5, 20)}

    # A fixed, imperfect 2-D map: the first two coordinates plus noise.
    Y = X[:, :2] + rng.normal(0, 1.5, size=(len(X), 2))
    trust = {str(k): float(trustworthiness(X, Y, n_neighbors=k)) for k in (5, 10)}

    tsne = TSNE(n_components=2, perplexity=20, method='exact', init='pca', learning_rate='auto', random_state=0)
    emb = tsne.fit_transform(X)
    reference = {
        'perplexity': 20,
        'kl_divergence': float(tsne.kl_divergence_),
        'n_iter': int(tsne.n_iter_),
        'trustworthiness_5': float(trustworthiness(X, emb, n_neighbors=5)),
    }

    with open(OUT, 'w') as f:
        json.dump({
            'sklearn_version': sklearn.__version__,
            'X': X.tolist(), 'labels': labels.tolist(), 'Y': Y.tolist(),
            'joint_probabilities': joint, 'trustworthiness': trust, 'tsne_exact': reference,
        }, f)
    print(f'wrote {os.path.normpath(OUT)}: sklearn {sklearn.__version__}, t-SNE KL {reference["kl_divergence"]:.4f}, '
          f'trustworthiness {reference["trustworthiness_5"]:.4f}')


if __name__ == '__main__':
    main()
