"""People and props seen from above: torso, head, arms, hands, walkers, the
customer's basket and bags, things put on the scanner, and a hand over the lens.

Sprites are built in a world-aligned frame (x = +u, y = +v, the customer faces
-v) at the pixel density they are shown at, then placed with Placer, which
applies the lane's image rotation and mirroring.
"""

import math

import numpy as np

import raster as R

F = np.float32

SKIN = [(255, 222, 196), (241, 194, 167), (224, 172, 125), (198, 134, 86), (160, 105, 62), (120, 76, 46),
        (92, 58, 38), (66, 44, 32)]
GLOVES = [(70, 110, 210), (28, 28, 32), (225, 225, 222), (110, 110, 118), (150, 60, 160)]
SLEEVES = [(26, 30, 48), (22, 22, 24), (48, 50, 56), (34, 52, 38), (70, 50, 36), (60, 20, 30), (90, 96, 104)]
CLOTHES = [(180, 40, 40), (30, 60, 140), (235, 235, 230), (40, 40, 44), (90, 120, 70), (200, 170, 60),
           (120, 120, 126), (150, 90, 160), (230, 130, 40), (70, 150, 170), (160, 120, 90), (240, 200, 210)]
HAIR = [(20, 16, 14), (50, 34, 22), (90, 60, 34), (150, 110, 60), (200, 170, 110), (160, 160, 158),
        (110, 40, 20), (36, 30, 28)]


def _c(rng, pal, jitter=0.1):
    return np.array(pal[int(rng.integers(0, len(pal)))], dtype=F) * rng.uniform(1 - jitter, 1 + jitter)


class Person:
    """How one customer (or passer-by) looks."""

    def __init__(self, rng):
        self.seed = int(rng.integers(1, 1 << 30))
        self.skin = _c(rng, SKIN, 0.06)
        self.glove = _c(rng, GLOVES, 0.05) if rng.random() < 0.15 else None
        self.short_sleeve = rng.random() < 0.25
        self.sleeve = _c(rng, SLEEVES if rng.random() < 0.75 else CLOTHES, 0.1)
        self.shirt = self.sleeve * rng.uniform(0.95, 1.15) if rng.random() < 0.4 else _c(rng, CLOTHES, 0.1)
        self.shirt2 = _c(rng, CLOTHES, 0.1)
        self.pattern = rng.choice(["solid", "solid", "stripes", "check", "print", "hood"])
        self.hair = _c(rng, HAIR, 0.1)
        self.head_cover = rng.choice(["hair", "hair", "hair", "short", "cap", "scarf", "bald"])
        self.cover_col = _c(rng, CLOTHES, 0.1)
        self.shoulder_w = rng.uniform(38, 52)
        self.depth = rng.uniform(21, 29)
        self.head_rx = rng.uniform(6.4, 7.6)
        self.head_ry = rng.uniform(8.4, 9.8)
        self.hand_scale = rng.uniform(0.88, 1.1)
        self.arm_r = rng.uniform(3.7, 4.7)
        self.bag_col = _c(rng, CLOTHES, 0.1)

    @property
    def hand_rgb(self):
        return self.glove if self.glove is not None else self.skin


# ================================================================ sprite helpers

def _grid(w_cm, h_cm, ppc):
    w = int(math.ceil(w_cm * ppc)) | 1
    h = int(math.ceil(h_cm * ppc)) | 1
    x = ((np.arange(w, dtype=F) + 0.5) - w / 2) / ppc
    y = ((np.arange(h, dtype=F) + 0.5) - h / 2) / ppc
    return np.broadcast_to(x[None, :], (h, w)), np.broadcast_to(y[:, None], (h, w))


def _layer(sp, rgb, sd, ppc, alpha=1.0):
    """Paint rgb where the signed distance (cm) is inside, over the sprite."""
    a = np.clip(0.5 - sd * ppc / 1.5, 0, 1) * alpha
    a3 = a[..., None]
    sp[..., :3] = sp[..., :3] * (1 - a3) + rgb * a3
    sp[..., 3] = sp[..., 3] * (1 - a) + a


def torso_sprite(p, ppc):
    a, b = p.shoulder_w / 2, p.depth / 2
    X, Y = _grid(2 * a + 24, 2 * b + 26, ppc)
    sp = np.zeros(X.shape + (4,), dtype=F)
    # Shoulders: a bar with rounded deltoids across, and the rounder upper back behind it.
    r = b * 0.62
    bar = R.sdf_capsule(X, Y, (-a + r, -b * 0.05), (a - r, -b * 0.05), r, r)
    back = R.sdf_ellipse(X, Y, 0, b * 0.12, a * 0.78, b * 0.92)
    k = 3.0  # smooth union so the outline has no creases
    hh = np.clip(0.5 + 0.5 * (back - bar) / k, 0, 1)
    sd = back * (1 - hh) + bar * hh - k * hh * (1 - hh)
    n = R.fbm(X / 5, Y / 5, p.seed + 1, 3)
    col = np.empty(X.shape + (3,), dtype=F)
    col[:] = p.shirt
    if p.pattern == "stripes":
        col[np.sin(Y * 2 * math.pi / 4.0) > 0.2] = p.shirt2
    elif p.pattern == "check":
        m = (np.sin(X * 2 * math.pi / 6) > 0.3) ^ (np.sin(Y * 2 * math.pi / 6) > 0.3)
        col[m] = col[m] * 0.6 + p.shirt2 * 0.4
    elif p.pattern == "print":
        m = ((X - a * 0.2) ** 2 + (Y - b * 0.2) ** 2) < (b * 0.45) ** 2
        col[m] = p.shirt2
    folds = R.fbm(X / 3 + Y / 9, Y / 3, p.seed + 2, 3)
    shade = 0.62 + 0.38 * np.sqrt(np.clip(1 - np.abs(X / (a + 2)) ** 2, 0, 1))
    col *= (shade * (0.82 + 0.3 * folds) * (0.9 + 0.2 * n))[..., None]
    _layer(sp, col, sd, ppc)
    if p.pattern == "hood":
        hs = R.sdf_ellipse(X, Y, 0, b * 0.45, 9.5, 6.5)
        _layer(sp, p.shirt * 0.7 * (0.8 + 0.3 * folds)[..., None], hs, ppc)
    # Neck and collar where the head does not cover it.
    _layer(sp, p.skin * 0.8, R.sdf_ellipse(X, Y, 0, -b * 0.15, 6.0, 5.5), ppc)
    return sp


def head_sprite(p, ppc):
    rx, ry = p.head_rx, p.head_ry
    X, Y = _grid(2 * rx + 8, 2 * ry + 10, ppc)
    sp = np.zeros(X.shape + (4,), dtype=F)
    # Ears first, then the skull.
    for sx in (-1, 1):
        _layer(sp, p.skin * 0.85, R.sdf_ellipse(X, Y, sx * rx * 0.98, -0.5, 1.4, 2.6), ppc)
    e = np.sqrt((X / rx) ** 2 + (Y / ry) ** 2)
    sd = (e - 1) * rx
    z = np.sqrt(np.clip(1 - e * e, 0, 1))
    sh = (0.55 + 0.45 * z)[..., None]
    skin = p.skin * sh
    _layer(sp, skin, sd, ppc)
    ang = np.arctan2(Y - 2.0, X)
    rr = np.sqrt(X * X + (Y - 2.0) ** 2)
    strands = R.vnoise(ang * 18, rr * 0.35, p.seed + 3)
    kind = p.head_cover
    if kind in ("hair", "short"):
        hair = p.hair * (0.6 + 0.7 * strands)[..., None] * sh
        hsd = sd if kind == "hair" else sd + 0.4
        # Forehead shows at the front for short hair.
        if kind == "short":
            hsd = np.maximum(hsd, -(Y + ry * 0.55))
        else:
            hsd = np.minimum(hsd - 0.2, R.sdf_ellipse(X, Y, 0, ry * 0.35, rx * 1.05, ry * 0.85))
        _layer(sp, hair, hsd, ppc)
    elif kind == "cap":
        cap = p.cover_col * sh
        _layer(sp, cap, sd + 0.2, ppc)
        brim_y = -ry * 0.95 if (p.seed % 3) else ry * 0.95
        _layer(sp, p.cover_col * 0.8, R.sdf_ellipse(X, Y, 0, brim_y, rx * 0.85, ry * 0.45), ppc)
        _layer(sp, p.cover_col * 0.6, R.sdf_ellipse(X, Y, 0, 0, 0.8, 0.8), ppc)
    elif kind == "scarf":
        cloth = p.cover_col * (0.75 + 0.3 * R.fbm(X / 2, Y / 2, p.seed + 4, 3))[..., None] * sh
        _layer(sp, cloth, (np.sqrt((X / (rx + 1.5)) ** 2 + (Y / (ry + 1.2)) ** 2) - 1) * rx, ppc)
    else:  # bald: a shine spot
        _layer(sp, p.skin * 1.15 + 20, R.sdf_ellipse(X, Y, -rx * 0.25, -ry * 0.2, rx * 0.3, ry * 0.25), ppc, 0.6)
    return sp


def hand_sprites(p, ppc):
    """Right hand, back side up, pointing +x, thumb toward +y; origin = grip point.

    Returns {'open', 'grip', 'flat'} sprites, each centred on the grip point.
    """
    k = p.hand_scale
    out = {}
    for state in ("open", "grip", "flat"):
        X, Y = _grid(24 * k, 16 * k, ppc)
        X = X / k
        Y = Y / k
        sp = np.zeros(X.shape + (4,), dtype=F)
        base = p.hand_rgb
        glove = p.glove is not None
        n = R.vnoise(X * 2, Y * 2, p.seed + 5)
        tone = base * (0.92 + 0.12 * n)[..., None]
        # Wrist (mostly under the cuff) and palm.
        _layer(sp, tone * 0.9, R.sdf_capsule(X, Y, (-10.5, 0), (-6.5, 0), 2.9, 3.1), ppc * k)
        palm_sd = R.sdf_ellipse(X, Y, -3.6, 0.2, 4.7, 4.1)
        dome = np.clip(1 - ((X + 3.6) / 4.7) ** 2 - ((Y - 0.2) / 4.1) ** 2, 0, 1)
        _layer(sp, tone * (0.8 + 0.25 * np.sqrt(dome))[..., None], palm_sd, ppc * k)
        # Fingers: index next to the thumb (+y), pinky at -y.
        ys = [2.55, 0.85, -0.85, -2.5]
        lens = {"open": [5.2, 5.8, 5.4, 4.2], "grip": [2.4, 2.7, 2.5, 2.0], "flat": [5.6, 6.2, 5.8, 4.6]}[state]
        spread = {"open": 0.22, "grip": 0.05, "flat": 0.08}[state]
        for i, (fy, fl) in enumerate(zip(ys, lens)):
            ang = (fy / 2.6) * spread
            x1, y1 = -0.6 + fl * math.cos(ang), fy + fl * math.sin(ang)
            r = 0.92 if i < 3 else 0.8
            fsd = R.sdf_capsule(X, Y, (-1.2, fy * 0.95), (x1, y1), r, r * 0.88)
            edge = np.clip(1 + fsd / r, 0, 1)  # darker rim separates the fingers
            ftone = tone * (0.72 + 0.28 * np.sqrt(np.clip(-fsd / r, 0, 1)))[..., None]
            _layer(sp, ftone, fsd, ppc * k)
            if not glove and state != "grip":
                nail = R.sdf_ellipse(X, Y, x1 - 0.5 * math.cos(ang), y1, 0.55, 0.45)
                _layer(sp, np.minimum(base * 1.12 + 18, 255), nail, ppc * k, 0.7)
            del edge
        # Knuckle creases.
        if not glove:
            kn = np.abs(X + 0.9) < 0.18
            m = kn & (palm_sd < 0.5) & (np.abs(Y) < 3.4)
            sp[..., :3][m] *= 0.85
        th = {"open": ((-5.2, 3.2), (-0.8, 5.2)), "grip": ((-4.8, 3.0), (-0.2, 3.6)), "flat": ((-5.4, 3.3), (-1.2, 4.4))}[state]
        _layer(sp, tone * 0.93, R.sdf_capsule(X, Y, th[0], th[1], 1.25, 1.0), ppc * k)
        if glove:
            sheen = np.clip(np.sin(X * 1.3 + Y * 0.7) - 0.7, 0, 1) * 120
            sp[..., :3] = np.minimum(sp[..., :3] + sheen[..., None] * sp[..., 3:4], 255)
        out[state] = sp
    return out


def walker_sprite(p, ppc_t, ppc_h):
    """Head and shoulders of a passer-by, facing +x, in one sprite at torso density."""
    t = torso_sprite(p, ppc_t)
    hd = head_sprite(p, ppc_h)
    t = np.rot90(t, 1).copy()  # faces +x instead of -y
    hd = np.rot90(hd, 1).copy()
    H, W = t.shape[:2]
    h, w = hd.shape[:2]
    y0 = (H - h) // 2
    x0 = (W - w) // 2 + int(2.0 * ppc_t)
    if y0 >= 0 and x0 >= 0 and y0 + h <= H and x0 + w <= W:
        a = hd[..., 3:4]
        t[y0:y0 + h, x0:x0 + w, :3] = t[y0:y0 + h, x0:x0 + w, :3] * (1 - a) + hd[..., :3] * a
        t[y0:y0 + h, x0:x0 + w, 3:] = t[y0:y0 + h, x0:x0 + w, 3:] * (1 - a) + a
    return t


# ================================================================ props

def basket_sprites(rng, w, d, ppc):
    """(back, front) layers of a plastic basket seen from above."""
    col = np.array(rng.choice([(200, 30, 36), (30, 80, 170), (40, 130, 60), (30, 30, 34), (230, 120, 20)]), dtype=F)
    X, Y = _grid(w + 4, d + 4, ppc)
    back = np.zeros(X.shape + (4,), dtype=F)
    outer = R.sdf_rrect(X, Y, 0, 0, w / 2, d / 2, 0, 3.0)
    inner = R.sdf_rrect(X, Y, 0, 0, w / 2 - 2.2, d / 2 - 2.2, 0, 2.0)
    # Floor with a slot grid, inner walls darker toward the floor.
    slots = (np.abs(((X / 2.4) % 1) - 0.5) < 0.28) & (np.abs(((Y / 1.6) % 1) - 0.5) < 0.3)
    floor = np.empty(X.shape + (3,), dtype=F)
    floor[:] = col * 0.7
    floor[slots] = col * 0.35
    wall = np.clip(-inner / 4.0, 0, 1)
    floor *= (0.65 + 0.35 * wall)[..., None]
    _layer(back, floor, outer, ppc)
    front = np.zeros_like(back)
    rim = np.maximum(outer, -inner)
    _layer(front, col * (0.95 + 0.1 * R.vnoise(X * 3, Y * 3, 7))[..., None], rim, ppc)
    for sy in (-1, 1):
        hsd = R.sdf_capsule(X, Y, (-w * 0.3, sy * (d / 2 - 1.1)), (w * 0.3, sy * (d / 2 - 1.1)), 0.9, 0.9)
        _layer(front, np.array((25, 25, 28), dtype=F), hsd, ppc)
    return back, front


def bag_sprites(rng, w, d, ppc):
    """(back, front) of an open carrier bag hung on the rails, and its colour."""
    col = np.array(rng.choice([(236, 236, 232), (226, 230, 236), (190, 150, 100), (40, 120, 70), (30, 30, 34),
                               (200, 205, 215)]), dtype=F)
    X, Y = _grid(w + 6, d + 6, ppc)
    crease = R.fbm(X / 3, Y / 3, int(rng.integers(1, 1 << 30)), 3)
    outer = R.sdf_rrect(X, Y, 0, 0, w / 2, d / 2, 0, 2.5) + (crease - 0.5) * 0.8
    inner = R.sdf_rrect(X, Y, 0, 0, w / 2 - 1.6, d / 2 - 1.6, 0, 2.0) + (crease - 0.5) * 0.8
    back = np.zeros(X.shape + (4,), dtype=F)
    depth = np.clip(-inner / (min(w, d) * 0.45), 0, 1)
    folds = np.abs(np.sin(X * 0.9 + 4 * crease) * np.sin(Y * 0.35 + 3 * crease))
    interior = col * (0.82 - 0.3 * depth)[..., None] * (0.8 + 0.25 * folds + 0.15 * crease)[..., None]
    _layer(back, interior, outer, ppc)
    front = np.zeros_like(back)
    rim = np.maximum(outer, -inner)
    _layer(front, col * (0.9 + 0.25 * crease)[..., None], rim, ppc)
    # Handle loops over the side rails.
    for sx in (-1, 1):
        lsd = R.sdf_ellipse(X, Y, sx * (w / 2 - 0.5), 0, 2.0, d * 0.32)
        lsd = np.maximum(lsd, -R.sdf_ellipse(X, Y, sx * (w / 2 - 0.5), 0, 1.0, d * 0.32 - 1.2))
        _layer(front, col * 0.92, lsd, ppc)
    return back, front, col


class Cloth:
    """A jacket, scarf or tote laid on the scanner: sprite plus an analytic mask."""

    def __init__(self, rng, w, d, ppc):
        self.kind = rng.choice(["jacket", "jacket", "tote", "scarf"])
        self.col = np.array(rng.choice(CLOTHES + SLEEVES), dtype=F) * rng.uniform(0.8, 1.1)
        self.ells = []
        if self.kind == "tote":
            self.w, self.d = w, d
        else:
            n = int(rng.integers(3, 6))
            for _ in range(n):
                self.ells.append((rng.uniform(-w * 0.25, w * 0.25), rng.uniform(-d * 0.2, d * 0.2),
                                  rng.uniform(w * 0.3, w * 0.55), rng.uniform(d * 0.3, d * 0.55)))
            # One big core so it reliably covers the bed.
            self.ells.append((0.0, 0.0, w * 0.5, d * 0.5))
        ext_w, ext_d = w * 1.3 + 8, d * 1.3 + 8
        X, Y = _grid(ext_w, ext_d, ppc)
        sd = self.sdf(X, Y)
        folds = R.fbm(X / 6 + Y / 14, Y / 4, int(rng.integers(1, 1 << 30)), 4)
        rgb = self.col * (0.55 + 0.7 * folds)[..., None]
        if self.kind == "tote":
            hsd = np.abs(R.sdf_ellipse(X, Y, 0, -d * 0.5, w * 0.25, d * 0.35)) - 0.9
            sp = np.zeros(X.shape + (4,), dtype=F)
            _layer(sp, rgb, sd, ppc)
            _layer(sp, self.col * 0.6, np.maximum(hsd, Y + d * 0.5 - 0.0), ppc)
        else:
            sp = np.zeros(X.shape + (4,), dtype=F)
            _layer(sp, rgb, sd, ppc)
            if self.kind == "jacket":
                zip_sd = np.abs(X - 0.15 * Y) - 0.4
                _layer(sp, np.array((200, 200, 200), dtype=F), np.maximum(zip_sd, sd), ppc, 0.8)
        self.sprite = sp

    def sdf(self, X, Y):
        if self.kind == "tote":
            return R.sdf_rrect(X, Y, 0, 0, self.w / 2, self.d / 2, 0, 2.5)
        sd = None
        for cx, cy, rx, ry in self.ells:
            e = R.sdf_ellipse(X, Y, cx, cy, rx, ry)
            sd = e if sd is None else np.minimum(sd, e)
        return sd

    def covers(self, lu, lv):
        """Local (cm, unrotated) points covered by the cloth."""
        return self.sdf(np.asarray(lu, dtype=F), np.asarray(lv, dtype=F)) < 0


# ================================================================ placement

class Placer:
    """Draws world-aligned sprites at world positions with the lane's projection."""

    def __init__(self, lay):
        self.lay = lay
        self.base_ang = lay.img_angle(0.0)
        self.mirror = lay.mirrored()
        self._flip = {}

    def oriented(self, sprite):
        if not self.mirror:
            return sprite
        key = id(sprite)
        hit = self._flip.get(key)
        if hit is None or hit[0] is not sprite:
            hit = (sprite, np.ascontiguousarray(sprite[::-1]))
            self._flip[key] = hit
        return hit[1]

    def image_angle(self, world_ang):
        return self.lay.img_angle(world_ang)

    def place(self, img, sprite, sprite_ppc, u, v, h, world_ang=0.0, tint=1.0, alpha=1.0, shadow=None):
        lay = self.lay
        x, y = lay.proj(u, v, h)
        scale = lay.ppc(h) / sprite_ppc
        sp = self.oriented(sprite)
        sh = None
        if shadow is not None:
            # Shadow falls on the counter, offset away from the light by height.
            sa, dx, dy, k = shadow
            sh = (dx, dy, k, self.oriented(sa))
        R.warp_sprite(img, sp, float(x), float(y), self.image_angle(world_ang), scale, tint, alpha, sh)


class Paster:
    """Pre-rotated copies of a big sprite pasted at integer offsets (fast path for torsos)."""

    def __init__(self, placer, sprite, angles):
        self.variants = []
        sp = placer.oriented(sprite)
        for a in angles:
            ia = placer.image_angle(a)
            # Render the rotated copy onto a transparent canvas big enough for any angle.
            hgt, wid = sp.shape[:2]
            n = int(math.ceil(math.hypot(hgt, wid))) + 4
            canvas = np.zeros((n, n, 3), dtype=F)
            acc = np.zeros((n, n, 3), dtype=F)
            R.warp_sprite(canvas, sp, n / 2, n / 2, ia, 1.0)
            white = np.zeros((hgt, wid, 4), dtype=F)
            white[..., :3] = 255
            white[..., 3] = sp[..., 3]
            R.warp_sprite(acc, white, n / 2, n / 2, ia, 1.0)
            alpha = acc[..., 0] / 255.0
            keep = alpha > 0.003
            ys, xs = np.nonzero(keep)
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            alpha = alpha[y0:y1, x0:x1]
            prem = canvas[y0:y1, x0:x1]  # already colour*alpha over black
            self.variants.append((a, prem.astype(F), alpha.astype(F), n / 2 - x0, n / 2 - y0))

    def paste(self, img, x, y, ang):
        best = min(self.variants, key=lambda v: abs(v[0] - ang))
        _, prem, alpha, ox, oy = best
        x0 = int(round(x - ox))
        y0 = int(round(y - oy))
        h, w = alpha.shape
        H, W = img.shape[:2]
        sx0, sy0 = max(0, -x0), max(0, -y0)
        ex, ey = min(w, W - x0), min(h, H - y0)
        if ex <= sx0 or ey <= sy0:
            return
        sl = (slice(y0 + sy0, y0 + ey), slice(x0 + sx0, x0 + ex))
        a = alpha[sy0:ey, sx0:ex, None]
        patch = img[sl].astype(F)
        patch *= (1 - a)
        patch += prem[sy0:ey, sx0:ex]
        img[sl] = np.clip(patch, 0, 255).astype(np.uint8)


def draw_arm(img, lay, p, shoulder, elbow, wrist):
    """Upper arm and forearm as tapered, shaded tubes between projected joints."""
    pts = [lay.proj(*shoulder), lay.proj(*elbow), lay.proj(*wrist)]
    ks = [lay.ppc(shoulder[2]), lay.ppc(elbow[2]), lay.ppc(wrist[2])]
    r_up = p.arm_r
    segs = [(0, 1, r_up * ks[0], r_up * 0.86 * ks[1], p.sleeve),
            (1, 2, r_up * 0.86 * ks[1], r_up * 0.66 * ks[2], p.skin if p.short_sleeve else p.sleeve)]
    for i, j, r0, r1, col in segs:
        p0 = (float(pts[i][0]), float(pts[i][1]))
        p1 = (float(pts[j][0]), float(pts[j][1]))
        rm = max(r0, r1)
        hit = R.capsule_pixels(img.shape, p0, p1, rm + 1.5)
        if hit is None:
            continue
        sl, idx, X, Y = hit
        t, d = R.seg_param(X, Y, p0, p1)
        r = r0 + (r1 - r0) * t
        sd = d - r
        m = sd < 1.0
        if not m.any():
            continue
        idx, d, r, t, sd = idx[m], d[m], r[m], t[m], sd[m]
        a = np.clip(0.5 - sd / 1.8, 0, 1).astype(F)
        z = np.sqrt(np.clip(1 - (d / np.maximum(r, 1e-3)) ** 2, 0, 1))
        seglen = math.hypot(p1[0] - p0[0], p1[1] - p0[1]) + 1e-3
        shade = 0.55 + 0.45 * z
        if col is p.sleeve:
            shade = shade * (0.9 + 0.1 * np.sin(t * seglen / (2.2 * ks[j]) + d * 0.05))
        patch = img[sl]
        pflat = patch.reshape(-1, 3)
        px = pflat[idx].astype(F)
        c = np.asarray(col, dtype=F)[None, :] * shade[:, None].astype(F)
        px += (c - px) * a[:, None]
        pflat[idx] = np.clip(px + 0.5, 0, 255).astype(np.uint8)
        if not patch.flags.c_contiguous:
            img[sl] = pflat.reshape(patch.shape)
    if p.short_sleeve:
        # Sleeve hem over the upper arm end.
        p0 = (float(pts[1][0]), float(pts[1][1]))
        r = r_up * 0.95 * ks[1]
        R.fill_shape(img, lambda X, Y: R.sdf_ellipse(X, Y, p0[0], p0[1], r, r), (p0[0] - r, p0[1] - r, p0[0] + r, p0[1] + r), p.sleeve)


def solve_elbow(shoulder, wrist, upper, fore, outward):
    """3-D elbow for fixed bone lengths; the elbow drops down and a little outward,
    so a hand near the body keeps its elbow under the shoulder."""
    S = np.asarray(shoulder, dtype=np.float64)
    Wr = np.asarray(wrist, dtype=np.float64)
    ax = Wr - S
    d = float(np.linalg.norm(ax)) + 1e-6
    ax /= d
    if d >= upper + fore - 0.5:
        return S + ax * d * upper / (upper + fore)
    a = (upper * upper - fore * fore + d * d) / (2 * d)
    r = math.sqrt(max(upper * upper - a * a, 0.0))
    pole = np.array([outward[0] * 0.6, outward[1] * 0.6, -1.0])
    n = pole - ax * float(pole @ ax)
    nn = float(np.linalg.norm(n))
    if nn < 1e-6:
        n = np.array([outward[0], outward[1], 0.0])
        nn = float(np.linalg.norm(n)) + 1e-9
    return S + ax * a + n / nn * r


def lens_blocker(rng):
    """Something right in front of the lens: a palm, a sleeve or a sheet of paper."""
    kind = rng.choice(["palm", "sleeve", "paper"])
    if kind == "palm":
        col = np.array(rng.choice(SKIN), dtype=F) * 0.7
    elif kind == "sleeve":
        col = np.array(rng.choice(SLEEVES), dtype=F)
    else:
        col = np.array((200, 198, 190), dtype=F)
    return dict(kind=str(kind), col=col, rx=rng.uniform(0.75, 1.0), ry=rng.uniform(0.8, 1.1),
                from_ang=rng.uniform(0, 2 * math.pi), soft=rng.uniform(0.15, 0.3))


def lens_alpha(b, X, Y, W, H, t_in):
    """Opacity field of the lens blocker; t_in in [0, 1] slides it over the frame."""
    ox = math.cos(b["from_ang"]) * 1.6 * (1 - t_in)
    oy = math.sin(b["from_ang"]) * 1.6 * (1 - t_in)
    d = np.sqrt(((X / W - 0.5 - ox) / b["rx"]) ** 2 + ((Y / H - 0.5 - oy) / b["ry"]) ** 2)
    return np.clip((1.0 - d) / b["soft"], 0, 1) * 0.97
