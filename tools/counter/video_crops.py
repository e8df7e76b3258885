#!/usr/bin/env python3
"""Labelled scan-zone crops from rendered sessions (video.mp4 + truth.json + pos.jsonl + lane.json).

Works on any renderer's sessions that follow the truth format. For every pass
over the scanner: its scan instant is the POS item's time moved to the camera
clock (truth's clock_offset_s), or, for an exception with no matching scan,
the middle of the incident's span (the span is when the item is over the
scanner). Five frames around that instant are cut to the same square as
foreign_crops.py and scaled to SxS with swscale's area filter.

  video_crops.py OUT.npz SESSION_DIR...
"""
import json, subprocess, sys
from datetime import datetime
import numpy as np

S = 96


def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def scan_instants(tr, scans):
    """(truth pass, camera-clock instant it is over the scanner, kind) for every pass over the scanner
    whose instant is known; `scans` are the POS items' times on the camera clock."""
    out = []
    for e in tr["events"]:
        if e["kind"] != "pass" or e.get("path") != "over_scanner":
            continue
        a, b = t(e["start"]), t(e["end"])
        inside = [s for s in scans if a - 0.5 <= s <= b + 0.5]
        inc = e.get("incident")
        spans = [(t(i["start"]), t(i["end"])) for i in tr["incidents"]
                 if i["type"] == inc and t(i["start"]) < b and t(i["end"]) > a]
        if inc in ("fake_scan", "multi_item", "wrong_scan") and spans:
            mid = (spans[0][0] + spans[0][1]) / 2
        elif inside:
            mid = inside[0]
        else:
            continue
        out.append((e, mid, inc or ("multi_ok" if e["items"] > 1 else "normal")))
    return out


def main():
    out, dirs = sys.argv[1], sys.argv[2:]
    X, Y, G, K = [], [], [], []
    for d in dirs:
        tr = json.load(open(d + "/truth.json")); lane = json.load(open(d + "/lane.json"))
        v0 = t(tr["video_start"]); off = tr["clock_offset_s"]
        scans = [t(e["time"]) - off for e in map(json.loads, open(d + "/pos.jsonl")) if e.get("type") == "item"]
        zone = [z for z in lane["zones"] if z["role"] == "scan"][0]["polygon"]
        info = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                               "stream=width,height,avg_frame_rate", "-of", "csv=p=0", d + "/video.mp4"],
                              capture_output=True, text=True).stdout.strip().split(",")
        W, H = int(info[0]), int(info[1]); num, den = info[2].split("/"); fps = float(num) / float(den)
        xs = [p[0] for p in zone]; ys = [p[1] for p in zone]
        side = int(min(round(max((max(xs) - min(xs)) * W, (max(ys) - min(ys)) * H) * 1.25), W, H))
        cx = (min(xs) + max(xs)) / 2 * W; cy = (min(ys) + max(ys)) / 2 * H
        x0 = round(max(0, min(W - side, cx - side / 2))); y0 = round(max(0, min(H - side, cy - side / 2)))
        want = [(int(round((mid + dt - v0) * fps)), e["items"], kind)
                for e, mid, kind in scan_instants(tr, scans) for dt in (-0.4, -0.2, 0.0, 0.2, 0.4)]
        raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", d + "/video.mp4", "-vf",
                              "crop=%d:%d:%d:%d,scale=%d:%d:flags=area" % (side, side, x0, y0, S, S),
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True).stdout
        fr = np.frombuffer(raw, np.uint8).reshape(-1, S, S, 3)
        n = 0
        for i, items, kind in want:
            if 0 <= i < len(fr):
                # copied: a view would keep the whole video alive
                X.append(fr[i].copy()); Y.append(items); G.append(d.rstrip("/").split("/")[-1]); K.append(kind); n += 1
        print(d, W, H, "%d crops" % n, flush=True)
    np.savez_compressed(out, X=np.array(X), Y=np.array(Y), G=np.array(G), K=np.array(K))


if __name__ == "__main__":
    main()
