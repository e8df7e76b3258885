#!/usr/bin/env python3
"""Checks for a rendered session.

check_plan: the truth spans against the zone polygons, using the very motion
the video was drawn from. check_dir: the files alone, as a reader would see
them (also runnable: python3 check.py DIR).
"""

import json
import os
import re
import subprocess
import sys

import numpy as np

TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$")
ROLES = {"pickup", "scan", "bagging", "customer", "cashier", "drawer", "ignore"}
POS_TYPES = {"transaction_start", "item", "void", "transaction_end", "transaction_cancel", "refund", "no_sale", "price_override"}
INC_TYPES = {"missed_scan", "fake_scan", "multi_item", "wrong_scan", "occlusion"}


def _pts(items, t):
    return np.array([it.pose(t)[:3] for it in items])


def check_plan(plan, lay):
    """Truth spans agree with lane.json's polygons; POS agrees with what the hands did."""
    bad = []
    inside = plan.inside
    step = 0.01
    for inc in plan.incidents:
        typ, t0, t1 = inc["type"], inc["start"], inc["end"]
        tag = "%s %.2f-%.2fs" % (typ, t0, t1)
        if not (0 <= t0 < t1 <= plan.T):
            bad.append("%s: span outside the video or empty" % tag)
        if typ in ("fake_scan", "multi_item", "wrong_scan"):
            items = inc["_items"]
            for t in np.arange(t0, t1 + 1e-9, step):
                if not inside("scan", _pts(items, t)).any():
                    bad.append("%s: no item centre in the scan zone at %.2fs" % (tag, t))
                    break
            for t in (t0 - 0.02, t1 + 0.02):
                if inside("scan", _pts(items, t)).any():
                    bad.append("%s: an item is already/still in the scan zone at %.2fs" % (tag, t))
            if typ == "multi_item" and len(items) < 2:
                bad.append("%s: fewer than 2 items" % tag)
        elif typ == "missed_scan":
            items = inc["_items"]
            for t in np.arange(inc["_grab"], inc["_release"], step):
                if inside("scan", _pts(items, t)).any():
                    bad.append("%s: item centre entered the scan zone at %.2fs" % (tag, t))
                    break
            if not inside("pickup", _pts(items, t0 - 0.01)).any():
                bad.append("%s: item was not in the pickup zone just before the start" % tag)
            if inside("pickup", _pts(items, t0 + 0.005)).all():
                bad.append("%s: item still in the pickup zone at the start" % tag)
            if not inside("bagging", _pts(items, t1 + 0.005)).any():
                bad.append("%s: item not in the bagging zone at the end" % tag)
        elif typ == "occlusion":
            if t1 - t0 < 3.0:
                bad.append("%s: shorter than 3 s" % tag)
            for t in np.arange(t0, t1 + 1e-9, 0.05):
                if "_cloth" in inc:
                    cov = plan.cloth_coverage(inc["_cloth"], t)
                else:
                    cov = plan.lens_coverage(inc["_lens"], t)
                if cov < 0.6:
                    bad.append("%s: only %.0f%% covered at %.2fs" % (tag, cov * 100, t))
                    break
    for pr in plan.pass_records:
        items = pr["items"]
        tag = "%s pass %.2f-%.2fs" % (pr["kind"], pr["grab"], pr["release"])
        if not inside("pickup", _pts(items, pr["grab"])).all():
            bad.append("%s: an item did not start in the pickup zone" % tag)
        if not inside("bagging", _pts(items, pr["release"] - 0.001)).all():
            bad.append("%s: an item did not end in the bagging zone" % tag)
        seen = False
        for t in np.arange(pr["grab"], pr["release"], step):
            if inside("scan", _pts(items, t)).any():
                seen = True
                break
        if pr["kind"] == "missed_scan" and seen:
            bad.append("%s: crossed the scan zone" % tag)
        if pr["kind"] != "missed_scan" and not seen:
            bad.append("%s: never over the scan zone" % tag)
        n_scans = len(pr["scans"])
        want = {"normal": (1, 2), "multi_ok": (len(items), len(items)), "multi_item": (1, 1), "wrong_scan": (1, 1),
                "fake_scan": (0, 0), "missed_scan": (0, 0)}[pr["kind"]]
        if not want[0] <= n_scans <= want[1]:
            bad.append("%s: %d scans registered" % (tag, n_scans))
        if pr["kind"] == "multi_item" and n_scans >= len(items):
            bad.append("%s: as many scans as items" % tag)
        for ts, _ in pr["scans"]:
            if pr["scan"] is not None and abs(ts - pr["scan"]) > 1.0 + 0.8 * (len(items) - 1) + 1e-6:
                bad.append("%s: scan %.2fs is more than 1 s from the presentation" % (tag, ts))
    return bad


def check_dir(out, expect_video=True):
    """File-level checks: formats, references, ordering, ids and the video container."""
    bad = []

    def need(cond, msg):
        if not cond:
            bad.append(msg)

    def load(name):
        path = os.path.join(out, name)
        try:
            with open(path) as f:
                return json.load(f)
        except Exception as e:  # noqa: BLE001 - report any reader failure
            bad.append("%s: %s" % (path, e))
            return None

    lane = load("lane.json")
    if lane:
        need(lane.get("kind") in ("self_checkout", "cashier"), "lane.json: bad kind")
        roles = [z.get("role") for z in lane.get("zones", [])]
        for r in ("pickup", "scan", "bagging"):
            need(r in roles, "lane.json: no %s zone" % r)
        for i, z in enumerate(lane.get("zones", [])):
            need(z.get("role") in ROLES, "lane.json: zones[%d].role %r" % (i, z.get("role")))
            poly = z.get("polygon", [])
            need(len(poly) >= 3, "lane.json: zones[%d].polygon has %d points" % (i, len(poly)))
            need(all(0 <= x <= 1 and 0 <= y <= 1 for x, y in poly), "lane.json: zones[%d].polygon outside [0,1]" % i)
        if expect_video:
            need(os.path.exists(os.path.join(out, lane.get("source", ""))), "lane.json: source %r missing" % lane.get("source"))
    cat = load("catalog.json")
    skus = set()
    if cat:
        for i, it in enumerate(cat.get("items", [])):
            need(it.get("sku") not in skus, "catalog.json: items[%d] duplicate sku %s" % (i, it.get("sku")))
            skus.add(it.get("sku"))
            for img in it.get("images", []):
                p = os.path.join(out, img)
                ok = os.path.exists(p)
                if ok:
                    with open(p, "rb") as f:
                        ok = f.read(8) == b"\x89PNG\r\n\x1a\n"
                need(ok, "catalog.json: items[%d] image %s missing or not a PNG" % (i, img))
    truth = load("truth.json")
    ids, last, open_tx, totals = set(), "", {}, {}
    try:
        with open(os.path.join(out, "pos.jsonl")) as f:
            lines = f.read().splitlines()
    except OSError as e:
        bad.append("pos.jsonl: %s" % e)
        lines = []
    for n, line in enumerate(lines, 1):
        where = "pos.jsonl:%d" % n
        try:
            ev = json.loads(line)
        except ValueError as e:
            bad.append("%s: %s" % (where, e))
            continue
        need(TIME_RE.match(ev.get("time", "")) is not None, "%s: bad time %r" % (where, ev.get("time")))
        need(ev.get("time", "") >= last, "%s: time goes backwards" % where)
        last = ev.get("time", last)
        need(ev.get("type") in POS_TYPES, "%s: bad type" % where)
        if truth:
            need(ev.get("store") == truth["store"] and ev.get("lane") == truth["lane"], "%s: store/lane differ from truth" % where)
        if "id" in ev:
            need(ev["id"] not in ids, "%s: duplicate id %s" % (where, ev["id"]))
            ids.add(ev["id"])
        tx = ev.get("transaction")
        typ = ev.get("type")
        if typ == "transaction_start":
            need(tx not in open_tx, "%s: %s started twice" % (where, tx))
            open_tx[tx] = True
            totals[tx] = 0.0
        elif typ in ("item", "void"):
            need(open_tx.get(tx), "%s: %s for a transaction that is not open" % (where, typ))
            need(ev.get("sku") in skus, "%s: sku %s not in catalog.json" % (where, ev.get("sku")))
            sign = 1 if typ == "item" else -1
            totals[tx] = totals.get(tx, 0.0) + sign * ev.get("quantity", 1) * ev.get("unit_price", 0)
        elif typ == "transaction_end":
            need(open_tx.get(tx), "%s: end of a transaction that is not open" % where)
            open_tx[tx] = False
            need(abs(totals.get(tx, 0) - ev.get("total", -1)) < 0.011, "%s: total %s != sum of lines %.2f" % (where, ev.get("total"), totals.get(tx, 0)))
    need(not any(open_tx.values()), "pos.jsonl: transactions left open: %s" % [k for k, v in open_tx.items() if v])
    if truth:
        need(truth.get("format") == "lanesight-truth/1", "truth.json: format")
        need(TIME_RE.match(truth.get("video_start", "")) is not None, "truth.json: video_start")
        need(truth.get("video_start", "").endswith(".000Z"),
             "truth.json: video_start not on a whole second (MP4 creation_time would disagree)")
        dur = truth["generator"]["minutes"] * 60
        vs = _epoch(truth["video_start"])
        for i, inc in enumerate(truth.get("incidents", [])):
            need(inc.get("type") in INC_TYPES, "truth.json: incidents[%d].type" % i)
            s, e = _epoch(inc["start"]), _epoch(inc["end"])
            need(vs <= s <= e <= vs + dur + 1e-3, "truth.json: incidents[%d] span outside the video" % i)
        need(truth.get("transactions") == sum(1 for ln in lines if '"transaction_start"' in ln),
             "truth.json: transactions differs from pos.jsonl")
        if expect_video:
            bad += _check_video(os.path.join(out, "video.mp4"), truth)
    return bad


def _epoch(s):
    import datetime as dt
    return dt.datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def _check_video(path, truth):
    bad = []
    try:
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                            "stream=codec_name,width,height,pix_fmt,r_frame_rate,nb_read_packets:format_tags=creation_time",
                            "-of", "json", path], capture_output=True, text=True, check=True)
        info = json.loads(r.stdout)
    except Exception as e:  # noqa: BLE001
        return ["video.mp4: ffprobe failed: %s" % e]
    st = info["streams"][0]
    g = truth["generator"]
    if st.get("codec_name") != "h264" or st.get("pix_fmt") != "yuv420p":
        bad.append("video.mp4: %s/%s, expected h264/yuv420p" % (st.get("codec_name"), st.get("pix_fmt")))
    if (st.get("width"), st.get("height")) != (g["width"], g["height"]):
        bad.append("video.mp4: %sx%s, expected %dx%d" % (st.get("width"), st.get("height"), g["width"], g["height"]))
    num, den = (int(x) for x in st["r_frame_rate"].split("/"))
    if abs(num / den - g["fps"]) > 1e-3:
        bad.append("video.mp4: %s fps, expected %g" % (st["r_frame_rate"], g["fps"]))
    want = int(round(g["minutes"] * 60 * g["fps"]))
    if int(st.get("nb_read_packets", -1)) != want:
        bad.append("video.mp4: %s frames, expected %d" % (st.get("nb_read_packets"), want))
    ct = info.get("format", {}).get("tags", {}).get("creation_time", "")
    if ct[:19] != truth["video_start"][:19]:
        bad.append("video.mp4: creation_time %r does not match video_start %s" % (ct, truth["video_start"]))
    return bad


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check.py DIR", file=sys.stderr)
        sys.exit(2)
    problems = check_dir(sys.argv[1])
    for p in problems:
        print("PROBLEM: " + p)
    print("ok" if not problems else "%d problems" % len(problems))
    sys.exit(1 if problems else 0)
