#!/usr/bin/env python3
"""Render several seeds across directions and sizes and run every check.

    python3 tools/foreign_lane/selftest.py [--seeds N] [--video]

Without --video only the plan, the files and the truth-vs-zones checks run
(a few seconds per seed); --video adds one short encoded session with the
ffprobe checks.
"""

import argparse
import contextlib
import io
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import render  # noqa: E402

SIZES = [(1280, 720, 15), (960, 540, 10), (1920, 1080, 25), (1024, 576, 12)]
DIRS = ["ltr", "rtl", "ttb", "btt"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--video", action="store_true")
    a = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, a.seeds + 1):
            w, h, fps = SIZES[seed % len(SIZES)]
            argv = ["--out", os.path.join(tmp, "s%d" % seed), "--seed", str(seed), "--width", str(w), "--height", str(h),
                    "--fps", str(fps), "--direction", DIRS[seed % 4], "--no-video"]
            rc, text = _run(argv)
            summary = [ln.strip() for ln in text.splitlines() if "passes" in ln]
            print("seed %2d %-3s %4dx%-4d %s %s" % (seed, DIRS[seed % 4], w, h, "ok  " if rc == 0 else "FAIL", summary[0] if summary else ""))
            if rc != 0:
                failed += 1
                print(text)
        if a.video:
            argv = ["--out", os.path.join(tmp, "video"), "--seed", "7", "--minutes", "0.5"]
            rc, text = _run(argv)
            print("video (0.5 min): %s" % ("ok" if rc == 0 else "FAIL"))
            if rc != 0:
                failed += 1
                print(text)
    print("all ok" if not failed else "%d failed" % failed)
    return 1 if failed else 0


def _run(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            rc = render.main(argv)
        except Exception as e:  # noqa: BLE001 - report and carry on with the other seeds
            import traceback
            traceback.print_exc()
            rc = 1
            del e
    return rc, out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
