"""Piecewise motion tracks: every moving thing is a pure function of time, so
any frame can be rendered on its own and truth spans can be sampled finely."""

import bisect
import math

import numpy as np


def _smooth(s):
    return s * s * s * (s * (s * 6 - 15) + 10)


def _ease(kind, s):
    s = min(max(s, 0.0), 1.0)
    if kind == "smooth":
        return _smooth(s)
    if kind == "in":  # accelerating
        return s * s
    if kind == "out":  # braking
        return 1 - (1 - s) * (1 - s)
    return s


class Track:
    """Contiguous segments of a vector-valued function of time."""

    def __init__(self, t0, value):
        v = np.asarray(value, dtype=np.float64)
        self.starts = [t0]
        self.segs = [(t0, t0, "const", lambda t, v=v: v)]

    @property
    def end(self):
        return self.segs[-1][1]

    def at(self, t):
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            i = 0
        t0, t1, _, fn = self.segs[i]
        if t > t1 and i == len(self.segs) - 1:
            t = t1
        return fn(max(t0, min(t, t1)))

    def static_at(self, t):
        i = max(bisect.bisect_right(self.starts, t) - 1, 0)
        t0, t1, kind, _ = self.segs[i]
        return kind == "const" or (t > t1 and i == len(self.segs) - 1)

    def seg_index(self, t):
        return max(bisect.bisect_right(self.starts, t) - 1, 0)

    def _add(self, t1, kind, fn):
        t0 = self.end
        if t1 < t0 - 1e-9:
            raise ValueError("track segments must move forward in time")
        if t1 - t0 < 1e-9:
            return
        # Replace the zero-length seed segment instead of stacking on it.
        if len(self.segs) == 1 and self.segs[0][0] == self.segs[0][1]:
            self.segs = []
            self.starts = []
        self.starts.append(t0)
        self.segs.append((t0, t1, kind, fn))

    def truncate(self, n_segs):
        del self.segs[n_segs:]
        del self.starts[n_segs:]

    # ---------------------------------------------------------- builders
    def hold(self, t1, value=None):
        v = self.at(self.end) if value is None else np.asarray(value, dtype=np.float64)
        self._add(t1, "const", lambda t, v=v: v)

    def tremor(self, t1, amp, seed):
        """Stay put with a small, slow wander (a hand is never perfectly still)."""
        v = self.at(self.end)
        r = np.random.default_rng(seed)
        ph = r.uniform(0, 2 * math.pi, size=4)
        fr = r.uniform(0.3, 1.1, size=2)
        n = len(v)
        t0 = self.end

        def fn(t):
            out = v.copy()
            if n >= 2:
                ramp = min(1.0, (t - t0) / 0.4)
                out[0] += ramp * amp * math.sin(2 * math.pi * fr[0] * t + ph[0])
                out[1] += ramp * amp * 0.8 * math.sin(2 * math.pi * fr[1] * t + ph[1])
            return out
        self._add(t1, "tremor", fn)

    def move(self, t1, target, bulge=None, ease="smooth"):
        """Quadratic-Bezier move from the current value to target (a vector or a
        function of time, for moving targets); bulge offsets the midpoint."""
        t0 = self.end
        p0 = self.at(t0)
        tgt = target if callable(target) else (lambda t, v=np.asarray(target, dtype=np.float64): v)
        b = np.zeros_like(p0) if bulge is None else np.asarray(bulge, dtype=np.float64)

        def fn(t):
            s = _ease(ease, (t - t0) / max(t1 - t0, 1e-9))
            p1 = tgt(t)
            c = (p0 + p1) * 0.5 + 2 * b
            return (1 - s) * (1 - s) * p0 + 2 * (1 - s) * s * c + s * s * p1
        self._add(t1, "move", fn)

    def wiggle(self, t1, amp, freq, seed):
        """Presentation motion: a small loop and rock around the current value."""
        t0 = self.end
        p = self.at(t0)
        r = np.random.default_rng(seed)
        ph = r.uniform(0, 2 * math.pi, size=len(p))
        a = np.asarray(amp, dtype=np.float64)

        def fn(t):
            env = math.sin(math.pi * min(1.0, (t - t0) / max(t1 - t0, 1e-9)))
            return p + a * env * np.sin(2 * math.pi * freq * (t - t0) + ph)
        self._add(t1, "wiggle", fn)

    def follow(self, t1, other, offset=None):
        off = np.zeros(3) if offset is None else np.asarray(offset, dtype=np.float64)
        self._add(t1, "follow", lambda t: other.at(t) + off)

    def follow_fn(self, t1, fn):
        self._add(t1, "follow", fn)


def move_time(p0, p1, speed, minimum=0.25):
    d = float(np.linalg.norm(np.asarray(p1[:2]) - np.asarray(p0[:2])))
    dh = abs(float(p1[2] - p0[2])) if len(p0) > 2 else 0.0
    return max(minimum, (d + 0.5 * dh) / speed + 0.12)
