#!/usr/bin/env python3
"""Golden values and input gradients of the training losses, from torch.nn.functional (torch 1.13, float64).

Run: /usr/bin/python3 packages/common/scripts/golden/training_losses.py
Writes packages/common/src/training/golden/losses.json. Each case: inputs, options, value, grad (of the value,
or of sum(value) for reduction 'none') with respect to the first input.
Focal loss and batch-hard triplet loss have no torch.nn.functional entry; they are written here from their papers'
definitions with torch ops (Lin et al. 2017: -α_y (1-p_y)^γ log p_y; Hermans et al. 2017: hardest positive / negative).
"""
import json, os
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "training", "golden", "losses.json")
torch.set_default_dtype(torch.float64)
torch.manual_seed(7)


def case(name, fn, inputs, options, grad=True):
    x0 = inputs[0].clone().requires_grad_(grad)
    value = fn(x0, *inputs[1:])
    out = {"name": name, "options": options, "inputs": [t.tolist() for t in inputs], "value": value.tolist()}
    if grad:
        value.sum().backward()
        out["grad"] = x0.grad.tolist()
    return out


def focal(logits, target, gamma, alpha=None, reduction="mean"):
    logp = F.log_softmax(logits, 1).gather(1, target[:, None])[:, 0]
    w = (1 - logp.exp()) ** gamma
    if alpha is not None:
        w = w * torch.tensor(alpha)[target]
    loss = -w * logp
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def batch_hard(emb, labels, margin):
    d2 = ((emb[:, None, :] - emb[None, :, :]) ** 2).sum(-1)
    d = d2.clamp_min(1e-12).sqrt()
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos = same & ~eye
    neg = ~same
    hp = torch.where(pos, d, torch.full_like(d, -float("inf"))).max(1).values
    hn = torch.where(neg, d, torch.full_like(d, float("inf"))).min(1).values
    valid = pos.any(1) & neg.any(1)
    return F.relu(margin + hp - hn)[valid].mean()


def kl(mu, logvar, reduction):
    per = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)
    return per.mean() if reduction == "mean" else per.sum() if reduction == "sum" else per


def main():
    cases = []
    logits = torch.randn(6, 4) * 2
    target = torch.tensor([0, 3, 1, 1, 2, 3])
    weight = [0.5, 2.0, 1.0, 3.0]
    for opts in [{}, {"labelSmoothing": 0.1}, {"weight": weight}, {"weight": weight, "labelSmoothing": 0.2},
                 {"reduction": "sum", "labelSmoothing": 0.1}, {"reduction": "none", "weight": weight, "labelSmoothing": 0.1}]:
        w = torch.tensor(opts["weight"]) if "weight" in opts else None
        cases.append(case("crossEntropy", lambda x, t: F.cross_entropy(
            x, t, weight=w, label_smoothing=opts.get("labelSmoothing", 0.0), reduction=opts.get("reduction", "mean")),
            [logits, target], opts))
    for opts in [{"gamma": 2.0}, {"gamma": 1.5, "alpha": [0.25, 0.5, 0.75, 1.0]}, {"gamma": 2.0, "reduction": "none"}]:
        cases.append(case("focal", lambda x, t: focal(x, t, opts["gamma"], opts.get("alpha"), opts.get("reduction", "mean")),
                          [logits, target], opts))
    a, p, n = torch.randn(5, 3), torch.randn(5, 3), torch.randn(5, 3)
    for opts in [{"margin": 1.0}, {"margin": 2.0, "swap": True}, {"margin": 1.0, "p": 1}, {"margin": 1.5, "reduction": "none"}]:
        cases.append(case("tripletMargin", lambda x, pp, nn_: F.triplet_margin_loss(
            x, pp, nn_, margin=opts["margin"], p=opts.get("p", 2), swap=opts.get("swap", False),
            reduction=opts.get("reduction", "mean")), [a, p, n], opts))
    emb = torch.randn(8, 3)
    labels = torch.tensor([0, 1, 0, 2, 1, 2, 0, 3])  # class 3 has no positive: that anchor is left out
    for margin in [0.5, 3.0]:
        cases.append(case("batchHardTriplet", lambda x, l: batch_hard(x, l, margin), [emb, labels], {"margin": margin}))
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3) * 0.5
    for red in ["mean", "sum", "none"]:
        cases.append(case("gaussianKl", lambda m, lv: kl(m, lv, red), [mu, logvar], {"reduction": red}))
        cases.append(case("gaussianKlLogvar", lambda lv, m: kl(m, lv, red), [logvar, mu], {"reduction": red}))
    pred, tgt = torch.randn(4, 5), torch.rand(4, 5)
    for red in ["mean", "sum", "none"]:
        cases.append(case("mse", lambda x, t: F.mse_loss(x, t, reduction=red), [pred, tgt], {"reduction": red}))
        cases.append(case("bceWithLogits", lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=red),
                          [pred * 3, tgt], {"reduction": red}))
        cases.append(case("bce", lambda x, t: F.binary_cross_entropy(x, t, reduction=red),
                          [torch.sigmoid(pred), tgt], {"reduction": red}))
    # probabilities at exactly 0 and 1: torch clamps the logs at -100
    probs = torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]])
    cases.append(case("bce", lambda x, t: F.binary_cross_entropy(x, t), [probs, torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])],
                      {"reduction": "mean"}, grad=False))
    with open(OUT, "w") as f:
        json.dump({"generator": "packages/common/scripts/golden/training_losses.py", "torch": torch.__version__, "cases": cases}, f)
    print("wrote", OUT, len(cases), "cases")


main()
