#!/usr/bin/env python3
"""Labelled crops of the scan zone from tools/foreign_lane, without encoding video.

For every pass presented over the scanner, a few frames around its scan instant
are rendered, cropped to a square around the scan zone (the same square the
analyzer would cut: the zone's larger side x 1.25, in frame pixels), scaled to
SxS and put through JPEG at a random quality (a camera's codec loses detail
too). Label = how many items the hand(s) carry.

  foreign_crops.py OUT.npz SEED0 SEED1 [--size 96]
"""
import argparse, gc, os, resource, subprocess, sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "foreign_lane"))
import scene, script, video  # noqa: E402
import products as P  # noqa: E402
import raster  # noqa: E402


def square(zone, W, H):
    xs = [p[0] for p in zone]; ys = [p[1] for p in zone]
    side = min(round(max((max(xs) - min(xs)) * W, (max(ys) - min(ys)) * H) * 1.25), W, H)
    cx = (min(xs) + max(xs)) / 2 * W; cy = (min(ys) + max(ys)) / 2 * H
    x0 = round(max(0, min(W - side, cx - side / 2))); y0 = round(max(0, min(H - side, cy - side / 2)))
    return x0, y0, int(side)


def shrink(img, S):
    # Area average to SxS (what swscale's area filter does), then a JPEG round trip through ffmpeg.
    h, w = img.shape[:2]
    ys = (np.arange(S + 1) * h / S).astype(int); xs = (np.arange(S + 1) * w / S).astype(int)
    c = np.cumsum(np.cumsum(np.pad(img.astype(np.float64), ((1, 0), (1, 0), (0, 0))), 0), 1)
    tot = c[ys[1:]][:, xs[1:]] - c[ys[:-1]][:, xs[1:]] - c[ys[1:]][:, xs[:-1]] + c[ys[:-1]][:, xs[:-1]]
    area = ((ys[1:] - ys[:-1])[:, None] * (xs[1:] - xs[:-1])[None, :])[..., None]
    return np.clip(tot / area + 0.5, 0, 255).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("seed0", type=int); ap.add_argument("seed1", type=int)
    ap.add_argument("--size", type=int, default=96)
    a = ap.parse_args()
    X, Y, G, K = [], [], [], []
    for seed in range(a.seed0, a.seed1):
        rng = np.random.default_rng(seed)
        pick = np.random.default_rng(seed + 7_000_000)
        H = int(pick.choice([540, 720, 1080])); W = int(round(H * 16 / 9 / 2)) * 2
        fps = 15.0
        direction = str(rng.choice(["ltr", "rtl", "ttb", "btt"]))
        # The same draws in the same order as render.py without --direction: a seed and a
        # size here are the lane `render.py --seed S --height H --minutes 6` renders.
        offset = round(float(rng.uniform(-3.0, 3.0)), 3)
        rng.integers(0, 340); rng.integers(7 * 3600, 21 * 3600)
        t0 = 1.77e9
        store = "%04d" % int(rng.integers(1, 9999)); lane = "sco-%02d" % int(rng.integers(1, 16))
        lay = scene.Layout(rng, W, H, direction)
        bg = scene.Background(rng, lay)
        catalog = P.make_catalog(rng, int(rng.integers(12, 20)), int(rng.integers(3, 7)))
        try:
            plan = script.Planner(rng, lay, catalog, 360.0, offset, t0, store, lane)
        except Exception as e:  # a plan that cannot be made is the renderer's business, not ours
            print("seed %d: no plan (%s)" % (seed, e), file=sys.stderr); continue
        for p in catalog:
            P.reference_image(p, rng)
        rng.random()  # rules
        renderer = video.Renderer(lay, bg, plan, catalog, rng)
        optics = video.Optics(plan, fps, H, rng)
        zone = lay.zones["scan"]
        x0, y0, side = square(zone, W, H)
        crops, labels, kinds = [], [], []
        for pr in plan.pass_records:
            if pr["kind"] == "missed_scan" or pr["scan"] is None:
                continue
            for dt in (-0.4, -0.2, 0.0, 0.2, 0.4):
                t = pr["scan"] + dt + float(pick.uniform(-0.08, 0.08))
                fr = optics.apply(renderer.frame(t), t)
                crops.append(shrink(fr[y0:y0 + side, x0:x0 + side, :3], a.size))
                labels.append(len(pr["items"])); kinds.append(pr["kind"])
        if not crops:
            continue
        # One JPEG quality per lane (a camera has one), ffmpeg -q:v 2 (best) .. 12.
        q = int(pick.integers(2, 12))
        jpg = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                              "%dx%d" % (a.size, a.size), "-i", "-", "-q:v", str(q), "-f", "mjpeg", "-"],
                             input=np.stack(crops).tobytes(), capture_output=True).stdout
        raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "mjpeg", "-i", "-", "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], input=jpg, capture_output=True).stdout
        back = np.frombuffer(raw, np.uint8).reshape(-1, a.size, a.size, 3)
        if len(back) != len(crops):
            print("seed %d: JPEG round trip gave %d of %d crops" % (seed, len(back), len(crops)), file=sys.stderr)
            continue
        X.extend(back.copy()); Y.extend(labels); G.extend([seed] * len(crops)); K.extend(kinds)
        n = len(crops)
        del renderer, optics, plan, lay, bg
        raster._BORDER_CACHE.clear()  # keyed by sprite: holds every lane's sprites alive
        gc.collect()
        print("seed %d %dp %s: %d crops, peak RSS %d MB" % (seed, H, direction, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024), flush=True)
    np.savez_compressed(a.out, X=np.array(X), Y=np.array(Y), G=np.array(G), K=np.array(K))


if __name__ == "__main__":
    main()
