"""Golden values for packages/common/src/metrics from scikit-learn.

Run: /usr/bin/python3 packages/common/scripts/golden/metrics_sklearn.py
(needs Debian's python3-sklearn; writes metrics_sklearn.json next to this script).
Random cases are seeded; edge cases: a class never predicted, a class only predicted (absent from y_true),
labels given that are absent from both arrays, a subset of labels in a chosen order, non-contiguous labels,
a single class in y_true, perfect and all-wrong predictions, ties in top-k scores.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.utils.multiclass import type_of_target

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def make_cases():
    rng = np.random.RandomState(20261123)
    cases = []

    def add(name, y_true, y_pred, labels=None, target_names=None, n_score_classes=None):
        y_true = [int(v) for v in y_true]
        y_pred = [int(v) for v in y_pred]
        c = n_score_classes or (max(y_true + y_pred) + 1)
        # scores rounded to one decimal so that ties occur; the true class gets a bonus half of the time
        scores = np.round(rng.rand(len(y_true), c), 1)
        for i, t in enumerate(y_true):
            if rng.rand() < 0.5 and t < c:
                scores[i, t] = min(1.0, scores[i, t] + 0.3)
        cases.append(dict(name=name, y_true=y_true, y_pred=y_pred, labels=labels, target_names=target_names,
                          scores=np.round(scores, 1).tolist()))

    noisy = lambda y, c, p: [int(v) if rng.rand() > p else int(rng.randint(c)) for v in y]
    y = rng.randint(5, size=40); add("random_5", y, noisy(y, 5, 0.5))
    y = rng.randint(4, size=30); add("never_predicted", y, [v if v != 2 else 1 for v in noisy(y, 4, 0.4)])
    y = rng.choice([0, 1, 2, 4], size=30); add("absent_from_true", y, noisy(y, 5, 0.5))
    y = rng.randint(5, size=25); add("labels_superset", y, noisy(y, 5, 0.4), labels=[0, 1, 2, 3, 4, 5], n_score_classes=6)
    y = rng.randint(5, size=25); add("labels_subset_reordered", y, noisy(y, 5, 0.4), labels=[3, 1, 0])
    y = rng.randint(2, size=20); add("binary", y, noisy(y, 2, 0.5))
    y = rng.randint(2, size=16); add("eighths", y, noisy(y, 2, 0.6))
    y = rng.randint(3, size=12); add("perfect", y, y)
    y = rng.randint(3, size=12); add("all_wrong", y, [(v + 1) % 3 for v in y])
    y = rng.choice([1, 5, 7], size=20); add("sparse_labels", y, [int(v) for v in rng.choice([1, 5, 7], size=20)], n_score_classes=3)
    add("single_class_true", [0] * 10, [int(v) for v in rng.randint(2, size=10)], n_score_classes=2)
    y = rng.randint(10, size=500); add("fashion_like", y, noisy(y, 10, 0.3), target_names=FASHION)
    return cases


def record(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = fn(*args, **kwargs)
    return value, [str(w.message) for w in caught]


def tolist(x):
    if x is None:
        return None
    return np.asarray(x).tolist()


def golden(case):
    yt, yp, labels = case["y_true"], case["y_pred"], case["labels"]
    out = {}
    out["accuracy"] = metrics.accuracy_score(yt, yp)
    out["accuracy_count"] = float(metrics.accuracy_score(yt, yp, normalize=False))
    out["balanced"], out["balanced_warnings"] = record(metrics.balanced_accuracy_score, yt, yp)
    # adjusted with a single class divides by 1 - 1/1 = 0: -inf, written as the string "-Infinity"
    out["balanced_adjusted"], _ = record(metrics.balanced_accuracy_score, yt, yp, adjusted=True)
    out["confusion"] = {str(n): tolist(metrics.confusion_matrix(yt, yp, labels=labels, normalize=n)) for n in (None, "true", "pred", "all")}
    prf = {}
    for zd in ("warn", 0, 1):
        for average in (None, "micro", "macro", "weighted"):
            (p, r, f, s), warned = record(metrics.precision_recall_fscore_support, yt, yp, labels=labels, average=average, zero_division=zd)
            prf[f"{average}|{zd}"] = dict(precision=tolist(p), recall=tolist(r), fscore=tolist(f), support=tolist(s), warnings=warned)
    out["prf"] = prf
    scores = {}
    for name, fn in (("precision", metrics.precision_score), ("recall", metrics.recall_score), ("f1", metrics.f1_score)):
        for average in (None, "macro"):
            value, warned = record(fn, yt, yp, labels=labels, average=average)
            scores[f"{name}|{average}"] = dict(value=tolist(value), warnings=warned)
    for beta in (0.5, 2.0):
        value, warned = record(metrics.fbeta_score, yt, yp, beta=beta, labels=labels, average="weighted")
        scores[f"fbeta{beta}|weighted"] = dict(value=tolist(value), warnings=warned)
    out["scores"] = scores
    if len(set(yt + yp)) <= 2:
        value, _ = record(metrics.f1_score, yt, yp, average="binary", pos_label=max(yt + yp))
        out["f1_binary_pos_max"] = dict(value=float(value), pos_label=max(yt + yp))
    report = {}
    for digits in (2, 4):
        for zd in ("warn", 1):
            text, _ = record(metrics.classification_report, yt, yp, labels=labels, target_names=case["target_names"], digits=digits, zero_division=zd)
            report[f"{digits}|{zd}"] = text
    out["report"] = report
    classes = sorted(set(yt + yp)) if case["name"] != "labels_superset" else list(range(6))
    topk_labels = classes if len(case["scores"][0]) == len(classes) else list(range(len(case["scores"][0])))
    topk = {}
    # sklearn scores a binary y_true against a 1-d score vector instead; only the multiclass form is compared
    for k in ((1, 2, 3) if type_of_target(yt) == "multiclass" else ()):
        value, _ = record(metrics.top_k_accuracy_score, yt, np.array(case["scores"]), k=k, labels=topk_labels)
        topk[str(k)] = value
    out["topk"] = dict(labels=topk_labels, values=topk)
    return out


def finite_or_text(x):
    """JSON has no inf/nan: write them as the strings JavaScript's Number() parses back."""
    if isinstance(x, float) and not np.isfinite(x):
        return "NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    if isinstance(x, dict):
        return {k: finite_or_text(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite_or_text(v) for v in x]
    return x


def main():
    cases = make_cases()
    for case in cases:
        case["golden"] = golden(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_sklearn.json")
    with open(path + ".tmp", "w") as f:
        json.dump(finite_or_text(dict(sklearn_version=sklearn.__version__, cases=cases)), f, indent=1, allow_nan=False)
    os.replace(path + ".tmp", path)
    print(f"wrote {len(cases)} cases to {path} (scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
