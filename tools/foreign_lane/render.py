#!/usr/bin/env python3
"""Render a self-checkout session the way another vendor's tool would.

    python3 tools/foreign_lane/render.py --out DIR --seed N [--minutes M]
        [--width W --height H --fps F] [--direction ltr|rtl|ttb|btt] [--clock-offset S]

Writes DIR/video.mp4, pos.jsonl, lane.json, catalog.json, refs/*.png and
truth.json (see README.md next to this file), then checks them.
"""

import argparse
import datetime as _dt
import json
import os
import shutil
import sys
import time

try:
    import numpy as np
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("render.py needs numpy (python3 -m pip install numpy, or apt-get install python3-numpy)\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import check  # noqa: E402
import products as P  # noqa: E402
import raster as R  # noqa: E402
import scene  # noqa: E402
import script  # noqa: E402
import video  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Render a foreign self-checkout lane session (video, POS, lane, catalog, truth).")
    ap.add_argument("--out", required=True, help="output folder (created if missing)")
    ap.add_argument("--seed", type=int, required=True, help="everything varies with the seed")
    ap.add_argument("--minutes", type=float, default=3.0, help="session length (default 3)")
    ap.add_argument("--width", type=int, default=None, help="frame width (default from height, 16:9)")
    ap.add_argument("--height", type=int, default=None, help="frame height, 540..1080 (default 720)")
    ap.add_argument("--fps", type=float, default=15.0, help="frames per second, 10..25 (default 15)")
    ap.add_argument("--direction", choices=["ltr", "rtl", "ttb", "btt"], default=None,
                    help="item flow in the image (default: chosen by the seed)")
    ap.add_argument("--clock-offset", type=float, default=None,
                    help="POS clock minus camera clock, seconds (default: random in +-3)")
    ap.add_argument("--no-video", action="store_true", help="write everything except video.mp4 (quick checks)")
    ap.add_argument("--png-at", default="", help="also save frames at these seconds as DIR/frames/*.png (comma list)")
    a = ap.parse_args(argv)
    if a.height is None:
        a.height = 720 if a.width is None else int(round(a.width * 9 / 16 / 2)) * 2
    if a.width is None:
        a.width = int(round(a.height * 16 / 9 / 2)) * 2
    errs = []
    if not 540 <= a.height <= 1080:
        errs.append("--height %d is outside 540..1080" % a.height)
    if not 640 <= a.width <= 2560:
        errs.append("--width %d is outside 640..2560" % a.width)
    if a.width % 2 or a.height % 2:
        errs.append("--width and --height must be even for yuv420p (got %dx%d)" % (a.width, a.height))
    if not 10 <= a.fps <= 25:
        errs.append("--fps %g is outside 10..25" % a.fps)
    if not 0.25 <= a.minutes <= 120:
        errs.append("--minutes %g is outside 0.25..120" % a.minutes)
    if a.clock_offset is not None and abs(a.clock_offset) > 600:
        errs.append("--clock-offset %g is implausible (more than 10 minutes)" % a.clock_offset)
    if errs:
        ap.error("; ".join(errs))
    return a


def iso_s(epoch):
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    if not a.no_video and shutil.which("ffmpeg") is None:
        sys.stderr.write("render.py needs the ffmpeg command (apt-get install ffmpeg)\n")
        return 2
    t_start = time.time()
    rng = np.random.default_rng(a.seed)
    direction = a.direction or str(rng.choice(["ltr", "rtl", "ttb", "btt"]))
    W, H, fps = a.width, a.height, a.fps
    duration = a.minutes * 60.0
    offset = round(float(a.clock_offset if a.clock_offset is not None else rng.uniform(-3.0, 3.0)), 3)
    # MP4 keeps creation_time in whole seconds, so the session starts on one.
    day = _dt.datetime(2026, 1, 5, tzinfo=_dt.timezone.utc) + _dt.timedelta(days=int(rng.integers(0, 340)))
    start = day + _dt.timedelta(seconds=int(rng.integers(7 * 3600, 21 * 3600)))
    t0 = start.timestamp()
    store = "%04d" % int(rng.integers(1, 9999))
    lane = "sco-%02d" % int(rng.integers(1, 16))

    lay = scene.Layout(rng, W, H, direction)
    bg = scene.Background(rng, lay)
    catalog = P.make_catalog(rng, int(rng.integers(12, 20)), int(rng.integers(3, 7)))
    plan = script.Planner(rng, lay, catalog, duration, offset, t0, store, lane)

    os.makedirs(os.path.join(a.out, "refs"), exist_ok=True)
    rules = {"scan_window_s": 2.0} if rng.random() < 0.3 else None
    _write_json(os.path.join(a.out, "lane.json"), lay.lane_json(store, lane, rules))
    items = []
    for p in catalog:
        ref = P.reference_image(p, rng)
        R.write_png(os.path.join(a.out, "refs", "%s.png" % p.sku), ref)
        d = {"sku": p.sku, "barcode": p.barcode, "description": p.description, "unit_price": p.unit_price,
             "images": ["refs/%s.png" % p.sku]}
        if getattr(p, "weight_g", None):
            d["weight_g"] = p.weight_g
        items.append(d)
    _write_json(os.path.join(a.out, "catalog.json"), {"items": items})
    with open(os.path.join(a.out, "pos.jsonl"), "w") as f:
        for ev in plan.pos_lines():
            f.write(json.dumps(ev, separators=(",", ":")) + "\n")

    # Cameras and recorders differ: noise, softness, encoder effort and bitrate all vary.
    preset = str(rng.choice(["veryfast", "veryfast", "superfast", "ultrafast"]))
    crf_lo, crf_hi = {"veryfast": (23, 30), "superfast": (25, 31), "ultrafast": (27, 32)}[preset]
    quality = dict(noise=int(rng.integers(2, 10)), noise_seed=int(rng.integers(1, 1 << 30)),
                   blur=float(rng.uniform(0.5, 1.2)) if rng.random() < 0.5 else 0.0,
                   crf=int(rng.integers(crf_lo, crf_hi + 1)), preset=preset,
                   # IP cameras cap their bitrate; scaled to the frame size and rate.
                   maxrate_kbps=int(rng.uniform(800, 2600) * (W * H / 921600.0) ** 0.75 * (fps / 15.0) ** 0.5))
    truth = build_truth(plan, lay, bg, a, direction, store, lane, t0, offset, duration, quality, catalog)
    _write_json(os.path.join(a.out, "truth.json"), truth)

    problems = check.check_plan(plan, lay)
    renderer = video.Renderer(lay, bg, plan, catalog, rng)
    optics = video.Optics(plan, fps, H, rng)
    n_frames = int(round(duration * fps))
    png_at = [float(x) for x in a.png_at.split(",") if x.strip()]
    if png_at:
        os.makedirs(os.path.join(a.out, "frames"), exist_ok=True)
        for ts in png_at:
            fr = optics.apply(renderer.frame(ts), ts)
            R.write_png(os.path.join(a.out, "frames", "t%07.2f.png" % ts), fr)
    t_plan = time.time() - t_start
    if not a.no_video:
        def frames():
            for i in range(n_frames):
                t = i / fps
                yield optics.apply(renderer.frame(t), t)
        n = video.encode(os.path.join(a.out, "video.mp4"), frames(), W, H, fps, iso_s(t0).replace(".000Z", ".000000Z"), quality)
        if n != n_frames:
            problems.append("wrote %d frames, expected %d" % (n, n_frames))
    t_total = time.time() - t_start
    cpu = os.times()
    problems += check.check_dir(a.out, expect_video=not a.no_video)
    inc = {}
    for i in truth["incidents"]:
        inc[i["type"]] = inc.get(i["type"], 0) + 1
    print("foreign_lane: seed %d, %s, %dx%d @ %g fps, %.1f min, offset %+.3f s, camera %s" % (
        a.seed, direction, W, H, fps, a.minutes, offset, truth["generator"]["camera"]))
    print("  %d transactions, %d passes, incidents %s" % (truth["transactions"], truth["passes"],
                                                          ", ".join("%s=%d" % kv for kv in sorted(inc.items())) or "none"))
    print("  setup %.1fs, total %.1fs wall; cpu: python %.1fs, ffmpeg %.1fs" % (
        t_plan, t_total, cpu.user + cpu.system, cpu.children_user + cpu.children_system))
    for line in plan.log:
        print("  note: " + line)
    if problems:
        for p in problems:
            print("  PROBLEM: " + p, file=sys.stderr)
        return 1
    print("  self-check ok")
    return 0


def build_truth(plan, lay, bg, a, direction, store, lane, t0, offset, duration, quality, catalog):
    iso = script.iso

    def clip(x):
        return min(max(x, 0.0), duration)
    incidents = []
    for i in sorted(plan.incidents, key=lambda x: x["start"]):
        d = {"type": i["type"], "start": iso(t0 + clip(i["start"])), "end": iso(t0 + clip(i["end"]))}
        if i.get("transaction"):
            d["transaction"] = i["transaction"]
        if i.get("note"):
            d["note"] = i["note"]
        incidents.append(d)
    events = []
    for e in sorted(plan.events, key=lambda x: x["start"]):
        if e["end"] < 0 or e["start"] > duration:
            continue
        d = {"kind": e["kind"], "start": iso(t0 + clip(e["start"])), "end": iso(t0 + clip(e["end"]))}
        for k in ("items", "skus", "scanned", "path", "incident", "note"):
            if k in e:
                d[k] = e[k]
        events.append(d)
    return {
        "format": "lanesight-truth/1", "store": store, "lane": lane, "video_start": iso(t0), "clock_offset_s": offset,
        "passes": plan.passes, "transactions": plan.n_trans, "incidents": incidents, "events": events,
        "generator": {
            "tool": "foreign_lane", "seed": a.seed, "direction": direction, "width": a.width, "height": a.height,
            "fps": a.fps, "minutes": a.minutes, "camera": "%.0fcm above counter, %.2f px/cm" % (lay.Hc, lay.s),
            "pickup": lay.pickup_kind, "bag_slots": lay.bag_slots, "counter": str(bg.counter_kind),
            "video": quality, "catalog_size": len(catalog),
        },
    }


def _write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
