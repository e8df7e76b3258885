#!/usr/bin/env python3
"""Train the learned item counter and export it as ONNX for OpenCV's dnn module.

  train.py --out item-counter.onnx CROPS.npz... [--epochs 10] [--threads 2]

CROPS files come from foreign_crops.py and video_crops.py: 5 crops per pass, in
order, labelled with the pass's item count and lane (G). Each crop is paired
with its lane's empty scanner (the per-pixel median of that lane's crops; the
analyzer keeps a running median of the same square), giving 6 input planes.
A tenth of the lanes, drawn by a fixed seed, are held out: the bar printed at
the end is the pass-level logit (mean of its 5 crops) that flags 2 % of their
single items. Needs torch (CPU) and onnx.
"""
import argparse, sys
import numpy as np
import torch
import torch.nn as nn


def load(paths):
    X, Y, G = [], [], []
    for p in paths:
        d = np.load(p)
        X.append(d["X"]); Y.append(d["Y"]); G.append(np.array(["%s:%s" % (p, g) for g in d["G"].astype(str)]))
    X, Y, G = np.concatenate(X), np.concatenate(Y), np.concatenate(G)
    M = np.zeros_like(X)
    for g in np.unique(G):
        m = G == g
        M[m] = np.median(X[m], 0).astype(np.uint8)
    return np.concatenate([X, M], 3), Y, G


def block(a, b):
    return [nn.Conv2d(a, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU()]


def network():
    return nn.Sequential(*block(6, 24), nn.MaxPool2d(2), *block(24, 48), nn.MaxPool2d(2), *block(48, 64), nn.MaxPool2d(2),
                         *block(64, 96), nn.MaxPool2d(2), *block(96, 128), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                         nn.Dropout(0.3), nn.Linear(128, 1))


def tensor(X):
    return torch.tensor(X).permute(0, 3, 1, 2).float().div(255) - 0.5


def augment(x, rng):
    # Any flow direction, camera turn, colours and exposure: the crop and its background alike.
    if rng.random() < 0.5:
        x = x.flip(3)
    x = torch.rot90(x, int(rng.integers(4)), (2, 3))
    p = list(rng.permutation(3))
    x = x[:, p + [3 + i for i in p]] + 0.5
    x = x * (0.6 + 0.8 * torch.rand(len(x), 1, 1, 1)) + 0.1 * (torch.rand(len(x), 1, 1, 1) - 0.5)
    dy, dx = (int(v) for v in rng.integers(-6, 7, 2))
    x = torch.roll(x, (dy, dx), (2, 3))
    return x.clamp(0, 1) - 0.5


def auc(s, y):
    o = np.argsort(-s); y = y[o]
    return float(np.trapezoid(np.cumsum(y) / y.sum(), np.cumsum(1 - y) / (len(y) - y.sum())))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("crops", nargs="+")
    a = ap.parse_args()
    torch.manual_seed(0); torch.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    X, Y, G = load(a.crops)
    lanes = np.unique(G)
    held = set(rng.choice(lanes, max(1, len(lanes) // 10), replace=False))
    hv = np.array([g in held for g in G])
    Xt, Yt = X[~hv], Y[~hv]
    keep = (Yt >= 2) | (rng.random(len(Yt)) < 0.35)  # single items are most passes
    Xt, yt = tensor(Xt[keep]), torch.tensor((Yt[keep] >= 2).astype(np.float32))
    print("lanes %d (%d held out); training crops %d, of 2+ items %d" % (len(lanes), len(held), len(Xt), int(yt.sum())), flush=True)
    net = network()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = a.epochs * ((len(Xt) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    lossf = nn.BCEWithLogitsLoss(pos_weight=(len(yt) - yt.sum()) / yt.sum())

    def passes(Xs, Ys, Gs):
        net.eval(); out = []
        with torch.no_grad():
            for i in range(0, len(Xs), 256):
                out.append(net(tensor(Xs[i:i + 256])).squeeze(1).numpy())
        s = np.concatenate(out)
        n = len(s) // 5 * 5
        return s[:n].reshape(-1, 5).mean(1), (Ys[:n].reshape(-1, 5)[:, 0] >= 2).astype(float), Gs[:n].reshape(-1, 5)[:, 0]

    Xv, Yv, Gv = X[hv], Y[hv], G[hv]
    for ep in range(a.epochs):
        net.train(); perm = torch.randperm(len(Xt)); total = 0.0
        for i in range(0, len(Xt), 128):
            b = perm[i:i + 128]
            loss = lossf(net(augment(Xt[b], rng)).squeeze(1), yt[b])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step(); total += loss.item() * len(b)
        s, y, _ = passes(Xv, Yv, Gv)
        print("epoch %d loss %.3f held-out AUC %.3f" % (ep + 1, total / len(Xt), auc(s, y)), flush=True)
    s, y, g = passes(Xv, Yv, Gv)
    neg = np.sort(s[y == 0])[::-1]
    bar = float(neg[int(0.02 * len(neg))])
    print("bar (2 %% of held-out single items): %.3f; pairs found there %.3f" % (bar, (s[y == 1] > bar).mean()))
    for name in sorted({x.split(":")[0] for x in g}):
        m = np.array([x.split(":")[0] == name for x in g])
        if y[m].sum() and (1 - y[m]).sum():
            print("  %s: passes %d, 2+ items %d, AUC %.3f, singles over the bar %.3f, 2+ over it %.3f" % (
                name, m.sum(), int(y[m].sum()), auc(s[m], y[m]), (s[m][y[m] == 0] > bar).mean(), (s[m][y[m] == 1] > bar).mean()))
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 6, 96, 96), a.out, opset_version=11, dynamo=False,
                      input_names=["crops"], output_names=["logit"])
    torch.save(net.state_dict(), a.out + ".pt")
    # What the analyzer reads beside the network (LearnedCounter's CounterModel).
    import json, os
    with open(os.path.join(os.path.dirname(os.path.abspath(a.out)), "item-counter.json"), "w") as f:
        json.dump({"network": os.path.basename(a.out), "bar": round(bar, 4), "side": 96,
                   "held_out_auc": round(auc(s, y), 4), "epochs": a.epochs,
                   "trained_on": [os.path.basename(p) for p in a.crops]}, f, indent=1)
        f.write("\n")
    print("wrote", a.out, "and item-counter.json beside it")


if __name__ == "__main__":
    sys.exit(main())
