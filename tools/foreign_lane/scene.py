"""Lane geometry and the static picture of the counter.

World coordinates are centimetres: u along the item flow (pickup -> scanner ->
bagging), v across the counter (0 = far edge, D = the customer's edge, larger
v is toward the customer), h height above the counter top. A pinhole camera
looks straight down from Hc cm above the counter, so anything raised (a lifted
item, a shoulder, a head) is drawn larger and pushed away from the image centre.
"""

import math

import numpy as np

import raster as R

F = np.float32


class Layout:
    def __init__(self, rng, W, H, direction):
        self.W, self.H = W, H
        self.direction = direction
        for attempt in range(40):
            self._build(rng, shrink=0.96 ** attempt)
            if self._fits():
                return
        raise RuntimeError("could not fit the lane into the frame; try another --seed or size")

    # ------------------------------------------------------------ geometry
    def _build(self, rng, shrink):
        W, H = self.W, self.H
        horiz = self.direction in ("ltr", "rtl")
        A, C = (W, H) if horiz else (H, W)
        if not hasattr(self, "_dims"):
            d = {}
            d["Hc"] = rng.uniform(150, 230)
            d["u_p0"] = rng.uniform(2, 6)
            d["Lp"] = rng.uniform(40, 54)
            d["g1"] = rng.uniform(8, 18)
            d["Ls"] = rng.uniform(26, 36)
            d["g2"] = rng.uniform(13, 22)
            d["Lb"] = rng.uniform(38, 54)
            d["tail"] = rng.uniform(2, 8)
            d["v_s0"] = rng.uniform(5, 12)
            d["Ds"] = rng.uniform(24, 33)
            d["D"] = max(rng.uniform(60, 76), d["v_s0"] + d["Ds"] + rng.uniform(19, 27))
            d["Dback"] = rng.uniform(8, 18)
            d["theta"] = 0.0 if rng.random() < 0.15 else rng.uniform(-7.5, 7.5)
            d["side"] = 1 if rng.random() < (0.7 if horiz else 0.5) else -1
            d["fill"] = rng.uniform(0.86, 0.97)
            d["front"] = rng.uniform(0.60, 0.74)
            d["shift"] = rng.uniform(-0.04, 0.04)
            d["pp"] = (rng.uniform(-0.04, 0.04), rng.uniform(-0.04, 0.04))
            d["pickup_kind"] = rng.choice(["basket", "basket", "belt", "tray"])
            d["bag_slots"] = 1 if rng.random() < 0.6 else 2
            d["basket_ang"] = rng.uniform(-7, 7) if rng.random() < 0.7 else 0.0
            d["scan_shape"] = rng.choice(["quad", "quad", "pent", "trap"])
            d["bag_shape"] = rng.choice(["quad", "pent"])
            d["pick_shape"] = rng.choice(["quad", "quad", "pent"])
            d["margins"] = [rng.uniform(1.5, 5), rng.uniform(2, 7), rng.uniform(1.5, 5)]
            d["jit"] = rng.uniform(-1.6, 1.6, size=(3, 5, 2))
            d["cut"] = (rng.uniform(0.2, 0.4), int(rng.integers(0, 4)))
            d["with_customer_zone"] = rng.random() < 0.4
            self._dims = d
        d = self._dims
        self.Hc = d["Hc"]
        self.u_p0, self.u_p1 = d["u_p0"], d["u_p0"] + d["Lp"]
        self.u_s0 = self.u_p1 + d["g1"]
        self.u_s1 = self.u_s0 + d["Ls"]
        self.u_b0 = self.u_s1 + d["g2"]
        self.u_b1 = self.u_b0 + d["Lb"]
        self.L = self.u_b1 + d["tail"]
        self.D = d["D"]
        self.Dback = d["Dback"]
        self.v_s0, self.v_s1 = d["v_s0"], d["v_s0"] + d["Ds"]
        self.pickup_kind = d["pickup_kind"]
        self.bag_slots = d["bag_slots"]

        s = A * d["fill"] / self.L
        front = d["front"]
        s = min(s, front * C / (self.D + 7))
        s *= shrink
        self.s = s
        a0 = A / 2 - self.L * s / 2 + d["shift"] * A
        b0 = front * C - self.D * s
        th = math.radians(d["theta"])
        side = d["side"]

        # canonical (a along, b across toward the customer) -> image, before tilt
        def can_to_img(a, b):
            if self.direction == "ltr":
                x, y = a, (b if side > 0 else C - b)
            elif self.direction == "rtl":
                x, y = A - a, (b if side > 0 else C - b)
            elif self.direction == "ttb":
                y, x = a, (b if side > 0 else C - b)
            else:
                y, x = A - a, (b if side > 0 else C - b)
            return x, y

        o = np.array(can_to_img(a0, b0))
        pu = np.array(can_to_img(a0 + s, b0)) - o
        pv = np.array(can_to_img(a0, b0 + s)) - o
        cx, cy = W / 2, H / 2
        rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
        self.eu = rot @ pu
        self.ev = rot @ pv
        self.o = rot @ (o - [cx, cy]) + [cx, cy]
        self.M = np.stack([self.eu, self.ev], axis=1)  # 2x2, columns eu, ev
        self.Minv = np.linalg.inv(self.M)
        self.c = np.array([cx + d["pp"][0] * W, cy + d["pp"][1] * H])
        self._zones(d)

    def k(self, h):
        """Magnification of something h cm above the counter."""
        return self.Hc / (self.Hc - np.asarray(h, dtype=np.float64))

    def proj(self, u, v, h=0.0):
        u = np.asarray(u, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        x = self.o[0] + u * self.eu[0] + v * self.ev[0]
        y = self.o[1] + u * self.eu[1] + v * self.ev[1]
        k = self.k(h)
        return self.c[0] + (x - self.c[0]) * k, self.c[1] + (y - self.c[1]) * k

    def unproj(self, x, y, h=0.0):
        k = self.k(h)
        x0 = self.c[0] + (np.asarray(x, dtype=np.float64) - self.c[0]) / k - self.o[0]
        y0 = self.c[1] + (np.asarray(y, dtype=np.float64) - self.c[1]) / k - self.o[1]
        u = self.Minv[0, 0] * x0 + self.Minv[0, 1] * y0
        v = self.Minv[1, 0] * x0 + self.Minv[1, 1] * y0
        return u, v

    def img_angle(self, ang):
        """Image-space angle of a world direction at angle ang from +u."""
        d = self.eu * math.cos(ang) + self.ev * math.sin(ang)
        return math.atan2(d[1], d[0])

    def mirrored(self):
        """True when (u, v) maps to the image with a flip (rotation sense reversed)."""
        return (self.eu[0] * self.ev[1] - self.eu[1] * self.ev[0]) < 0

    def ppc(self, h=0.0):
        """Pixels per centimetre at height h."""
        return self.s * float(self.k(h))

    def norm(self, x, y):
        return np.asarray(x) / self.W, np.asarray(y) / self.H

    def world_poly_norm(self, pts, h):
        xs, ys = self.proj([p[0] for p in pts], [p[1] for p in pts], h)
        return [(float(a / self.W), float(b / self.H)) for a, b in zip(xs, ys)]

    # ------------------------------------------------------------ zones
    def _zones(self, d):
        m_p, m_s, m_b = d["margins"]
        jit = d["jit"]
        D = self.D
        # Fixture rectangles in world cm.
        if self.pickup_kind == "basket":
            bw = min(d["Lp"] - 3, 46.0)
            bd = min(0.55 * D, 34.0)
            self.basket = dict(cu=(self.u_p0 + self.u_p1) / 2, cv=D * 0.47, w=bw, d=bd,
                               ang=math.radians(d["basket_ang"]), h=16.0)
            b = self.basket
            poly = _rect(b["cu"], b["cv"], b["w"] / 2 + m_p, b["d"] / 2 + m_p, b["ang"])
            self.pick_rect = dict(cu=b["cu"], cv=b["cv"], w=b["w"] - 6, d=b["d"] - 6, ang=b["ang"], h=4.0)
            h_pick = 12.0
        else:
            v0, v1 = 4.0, D - 8.0
            cu = (self.u_p0 + self.u_p1) / 2
            poly = _rect(cu, (v0 + v1) / 2, (self.u_p1 - self.u_p0) / 2 + m_p * 0.5, (v1 - v0) / 2 + m_p * 0.5, 0.0)
            self.pick_rect = dict(cu=cu, cv=(v0 + v1) / 2, w=self.u_p1 - self.u_p0 - 4, d=v1 - v0 - 4, ang=0.0, h=0.0)
            h_pick = 3.0
        pick_poly = _shape(poly, d["pick_shape"], jit[0], d["cut"])

        scan_poly = _rect((self.u_s0 + self.u_s1) / 2, (self.v_s0 + self.v_s1) / 2,
                          (self.u_s1 - self.u_s0) / 2 + m_s, (self.v_s1 - self.v_s0) / 2 + m_s * 0.6, 0.0)
        scan_poly = _shape(scan_poly, d["scan_shape"], jit[1], d["cut"])

        bv0, bv1 = 5.0, D - 9.0
        self.bag_area = dict(u0=self.u_b0, u1=self.u_b1, v0=bv0, v1=bv1, h=32.0)
        bag_poly = _rect((self.u_b0 + self.u_b1) / 2, (bv0 + bv1) / 2, (self.u_b1 - self.u_b0) / 2 + m_b,
                         (bv1 - bv0) / 2 + m_b * 0.5, 0.0)
        bag_poly = _shape(bag_poly, d["bag_shape"], jit[2], d["cut"])

        self.terminal = dict(cu=(self.u_s1 + self.u_b0) / 2, cv=D - 9.5, w=9.0, d=13.5, h=9.0)
        # Customer screen on top of the housing behind the scanner.
        self.screen_world = (self.u_s0 - 4, self.u_s1 + 4, -self.Dback - 18, -self.Dback - 1, 40.0)
        self.zone_world = {"pickup": (pick_poly, h_pick), "scan": (scan_poly, 6.0), "bagging": (bag_poly, 22.0)}
        self.zones = {k: self.world_poly_norm(p, h) for k, (p, h) in self.zone_world.items()}
        if d["with_customer_zone"]:
            cz = [(self.u_s0 - 25, D + 4), (self.u_b1 - 5, D + 4), (self.u_b1 - 5, D + 40), (self.u_s0 - 25, D + 40)]
            pts = self.world_poly_norm(cz, 40.0)
            self.zones["customer"] = [(min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)) for x, y in pts]
        names = {
            "pickup": {"basket": "basket", "belt": "belt", "tray": "load_tray"}[self.pickup_kind],
            "scan": "scanner",
            "bagging": "bagging_area" if self.bag_slots == 1 else "bags",
            "customer": "customer",
        }
        self.zone_names = names

    def _fits(self):
        for role in ("pickup", "scan", "bagging"):
            for x, y in self.zones[role]:
                if not (0.01 <= x <= 0.99 and 0.01 <= y <= 0.99):
                    return False
        # Zones must not touch each other, and the terminal must be in none of them.
        grid = np.linspace(0, 1, 161)
        X, Y = np.meshgrid(grid, grid)
        masks = {r: R.points_in_polygon(X, Y, self.zones[r]) for r in ("pickup", "scan", "bagging")}
        if (masks["pickup"] & masks["scan"]).any() or (masks["scan"] & masks["bagging"]).any():
            return False
        t = self.terminal
        tx, ty = self.proj(t["cu"], t["cv"], t["h"])
        for r in ("pickup", "scan", "bagging"):
            if R.points_in_polygon([tx / self.W], [ty / self.H], self.zones[r])[0]:
                return False
        return True

    def inside(self, role, u, v, h):
        """Is the projected point (world cm) inside the zone polygon written to lane.json?"""
        x, y = self.proj(u, v, h)
        return R.points_in_polygon(np.asarray(x) / self.W, np.asarray(y) / self.H, self.zones[role])

    def lane_json(self, store, lane, rules):
        zones = []
        for role in ("pickup", "scan", "bagging", "customer"):
            if role in self.zones:
                zones.append({"name": self.zone_names[role], "role": role,
                              "polygon": [[round(x, 4), round(y, 4)] for x, y in self.zones[role]]})
        out = {"store": store, "lane": lane, "kind": "self_checkout", "source": "video.mp4", "zones": zones}
        if rules:
            out["rules"] = rules
        return out


def _rect(cu, cv, hw, hd, ang):
    c, s = math.cos(ang), math.sin(ang)
    pts = []
    for a, b in ((-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd)):
        pts.append((cu + a * c - b * s, cv + a * s + b * c))
    return pts


def _shape(rect, kind, jit, cut):
    """Quadrilateral with wobbly corners, a pentagon (one corner cut) or a trapezoid."""
    pts = [(x + jit[i][0], y + jit[i][1]) for i, (x, y) in enumerate(rect)]
    if kind == "pent":
        frac, i = cut
        p0, p1, p2 = pts[i - 1], pts[i], pts[(i + 1) % 4]
        a = (p1[0] + (p0[0] - p1[0]) * frac, p1[1] + (p0[1] - p1[1]) * frac)
        b = (p1[0] + (p2[0] - p1[0]) * frac, p1[1] + (p2[1] - p1[1]) * frac)
        pts = pts[:i] + [a, b] + pts[i + 1:]
    elif kind == "trap":
        # Far edge narrower than the near edge, as an installer following the glass might draw it.
        cu = sum(p[0] for p in pts) / 4
        shrink = 0.12
        pts[0] = (pts[0][0] + (cu - pts[0][0]) * shrink, pts[0][1])
        pts[1] = (pts[1][0] + (cu - pts[1][0]) * shrink, pts[1][1])
    return pts


# ================================================================ background

PALETTES = {
    "steel": ((150, 152, 156), 22),
    "laminate_beige": ((196, 184, 160), 16),
    "laminate_grey": ((150, 150, 146), 14),
    "wood": ((150, 108, 70), 26),
    "granite": ((58, 56, 60), 26),
    "white": ((214, 214, 208), 10),
    "blue_grey": ((104, 118, 132), 14),
}


class Background:
    """The counter, floor and fixtures, rendered once per session as float32."""

    def __init__(self, rng, lay):
        self.lay = lay
        self.rng = rng
        self.seed = int(rng.integers(1, 1 << 30))
        self.counter_kind = rng.choice(list(PALETTES))
        self.floor_rgb = np.array(rng.choice([(120, 118, 112), (84, 86, 92), (150, 140, 124), (60, 62, 66), (170, 170, 166)]), dtype=F)
        self.floor_rgb = self.floor_rgb * rng.uniform(0.85, 1.1)
        self.tile_cm = rng.uniform(30, 60)
        self.scanner_frame = np.array(rng.choice([(40, 40, 44), (70, 72, 76), (200, 200, 196), (24, 26, 30)]), dtype=F)
        self.housing_rgb = np.array(rng.choice([(52, 54, 58), (180, 182, 184), (34, 36, 40), (96, 100, 110)]), dtype=F)
        self.light_dir = rng.uniform(0, 2 * math.pi)
        self.light_spots = [(rng.uniform(-0.2, 1.2), rng.uniform(-0.3, 1.3), rng.uniform(0.25, 0.6), rng.uniform(0.05, 0.22))
                            for _ in range(int(rng.integers(1, 4)))]
        self.decals = int(rng.integers(0, 4))
        self.img = self._render()

    def _render(self):
        lay = self.lay
        W, H = lay.W, lay.H
        X = (np.arange(W, dtype=F) + 0.5)[None, :].repeat(H, 0)
        Y = (np.arange(H, dtype=F) + 0.5)[:, None].repeat(W, 1)
        img = np.zeros((H, W, 3), dtype=F)

        # Floor, 90 cm below the counter top.
        fu, fv = lay.unproj(X, Y, -90.0)
        fu = fu.astype(F)
        fv = fv.astype(F)
        n = R.fbm(fu / 9, fv / 9, self.seed + 1, 3)
        tile = ((np.abs(((fu / self.tile_cm) % 1) - 0.5) > 0.485) | (np.abs(((fv / self.tile_cm) % 1) - 0.5) > 0.485))
        img[:] = self.floor_rgb * (0.8 + 0.35 * n)[..., None]
        img[tile] *= 0.78

        # Counter top.
        cu, cv = lay.unproj(X, Y, 0.0)
        cu = cu.astype(F)
        cv = cv.astype(F)
        on = (cv >= -lay.Dback) & (cv <= lay.D)
        base, var = PALETTES[self.counter_kind]
        tex = self._counter_texture(cu, cv, var)
        ctr = np.asarray(base, dtype=F)[None, None, :] + tex[..., None]
        # Soft edge lip toward the customer.
        lip = np.clip((cv - (lay.D - 2.2)) / 2.2, 0, 1)
        ctr = ctr * (1 - 0.25 * lip[..., None])
        img[on] = ctr[on]
        # A sliver of the counter's front face where the camera can see it.
        self._front_face(img, X, Y, base)

        self._fixture_shadows(img)
        self._back_housing(img)
        self._pickup_fixture(img, cu, cv)
        self._scanner(img, cu, cv)
        self._bagging_fixture(img)
        self._terminal(img)
        self._decals(img, cu, cv)

        # Overhead lights: a few broad bright patches and a gentle falloff.
        g = np.full((H, W), 0.9, dtype=F)
        for sx, sy, rad, amp in self.light_spots:
            d2 = ((X / W - sx) ** 2 + (Y / H - sy) ** 2) / (rad * rad)
            g += amp * np.exp(-d2)
        img *= g[..., None]
        return np.clip(img, 0, 255)

    def _counter_texture(self, u, v, var):
        kind = self.counter_kind
        sd = self.seed
        if kind == "steel":
            streak = R.vnoise(u / 40, v * 3.0, sd + 3) - 0.5
            return (streak * 1.4 + (R.vnoise(u / 3, v / 3, sd + 4) - 0.5) * 0.5) * var
        if kind == "wood":
            w = v + 3 * R.fbm(u / 30, v / 10, sd + 5, 3)
            grain = np.sin(w * 2.1 + 2 * R.vnoise(u / 15, v / 2, sd + 6)) * 0.5
            return (grain * 0.9 + (R.vnoise(u / 2, v / 8, sd + 7) - 0.5)) * var
        if kind == "granite":
            n1 = R.vnoise(u * 1.6, v * 1.6, sd + 8)
            n2 = R.vnoise(u * 0.4, v * 0.4, sd + 9)
            speck = (n1 > 0.82).astype(F) * 2.2 + (n1 < 0.12).astype(F) * -0.8
            return (speck + (n2 - 0.5)) * var
        n = R.fbm(u / 6, v / 6, sd + 10, 3) - 0.5
        speck = (R.vnoise(u * 3, v * 3, sd + 11) - 0.5) * 0.8
        return (n + speck) * var

    def _front_face(self, img, X, Y, base):
        lay = self.lay
        # Quad between the counter edge at h=0 and 30 cm below it.
        us = np.array([-400.0, lay.L + 400.0])
        xa, ya = lay.proj(us, [lay.D, lay.D], 0.0)
        xb, yb = lay.proj(us, [lay.D, lay.D], -30.0)
        pts = [(xa[0], ya[0]), (xa[1], ya[1]), (xb[1], yb[1]), (xb[0], yb[0])]
        # Only visible when the camera is on the customer side of the edge.
        _, cv = lay.unproj(lay.c[0], lay.c[1], 0.0)
        if cv <= lay.D:
            return
        col = np.asarray(base, dtype=F) * 0.55
        R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, pts), _bbox(pts), col)

    def _prism(self, img, base_pts, h, top_rgb, side_rgb, top_fn=None):
        """A box-like fixture: sides then top, all projected."""
        lay = self.lay
        bx, by = lay.proj([p[0] for p in base_pts], [p[1] for p in base_pts], 0.0)
        tx, ty = lay.proj([p[0] for p in base_pts], [p[1] for p in base_pts], h)
        n = len(base_pts)
        for i in range(n):
            j = (i + 1) % n
            quad = [(bx[i], by[i]), (bx[j], by[j]), (tx[j], ty[j]), (tx[i], ty[i])]
            shade = 0.75 + 0.2 * math.cos(math.atan2(ty[j] - ty[i], tx[j] - tx[i]) - self.light_dir)
            R.fill_shape(img, lambda x, y, q=quad: R.sdf_polygon(x, y, q), _bbox(quad), np.asarray(side_rgb, dtype=F) * shade)
        top = list(zip(tx, ty))
        R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, top), _bbox(top), top_fn or top_rgb)
        return top

    def _fixture_shadows(self, img):
        lay = self.lay
        dx, dy = math.cos(self.light_dir), math.sin(self.light_dir)
        rects = [(lay.u_s0 - 8, lay.u_s1 + 8, -lay.Dback - 22, -lay.Dback + 3, 40)]
        rects.append((lay.u_s0 + 2, lay.u_s1 - 2, lay.v_s0 - 10, lay.v_s0 - 1, 22))
        for u0, u1, v0, v1, h in rects:
            pts = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
            xs, ys = lay.proj([p[0] for p in pts], [p[1] for p in pts], 0.0)
            off = 0.18 * h * lay.s
            poly = [(x + dx * off, y + dy * off) for x, y in zip(xs, ys)]
            g = R.bbox_grid(img.shape, *_bbox(poly, 30))
            if g is None:
                continue
            X, Y, sl = g
            a = R.coverage(R.sdf_polygon(X, Y, poly), aa=6 + 0.2 * h) * 0.35
            R.darken(img, sl, a)

    def _back_housing(self, img):
        lay = self.lay
        # Long low cabinet along the far edge, then the tall screen housing behind the scanner.
        base2 = [(-300, -lay.Dback - 14), (lay.L + 300, -lay.Dback - 14), (lay.L + 300, -lay.Dback), (-300, -lay.Dback)]
        self._prism(img, base2, 6.0, self.housing_rgb * 0.9, self.housing_rgb * 0.6)
        v1 = -lay.Dback + 3
        base = [(lay.u_s0 - 8, -lay.Dback - 22), (lay.u_s1 + 8, -lay.Dback - 22), (lay.u_s1 + 8, v1), (lay.u_s0 - 8, v1)]
        self._prism(img, base, 40.0, self.housing_rgb, self.housing_rgb * 0.7)
        # Screen inset on the housing top; its content is animated per frame.
        su0, su1, sv0, sv1, _ = lay.screen_world
        sx, sy = lay.proj([su0, su1, su1, su0], [sv0, sv0, sv1, sv1], 40.0)
        pts = list(zip(sx, sy))
        self.screen_poly = pts
        R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, pts), _bbox(pts), (18, 20, 26))

    def _pickup_fixture(self, img, cu, cv):
        lay = self.lay
        r = lay.pick_rect
        if lay.pickup_kind == "belt":
            on = (cu >= lay.u_p0) & (cu <= lay.u_p1) & (cv >= 3) & (cv <= lay.D - 7)
            groove = (np.sin(cu * 2 * math.pi / 1.6) > 0.6).astype(F)
            belt = 34 + 10 * R.vnoise(cu / 4, cv / 4, self.seed + 20) - 8 * groove
            img[on] = belt[on][:, None]
            # Side rails.
            for vv in (3.0, lay.D - 7.0):
                pts = [(lay.u_p0, vv - 1.2), (lay.u_p1, vv - 1.2), (lay.u_p1, vv + 1.2), (lay.u_p0, vv + 1.2)]
                xs, ys = lay.proj([p[0] for p in pts], [p[1] for p in pts], 2.0)
                q = list(zip(xs, ys))
                R.fill_shape(img, lambda x, y, q=q: R.sdf_polygon(x, y, q), _bbox(q), (150, 152, 158))
        else:
            pad = 4.0
            w, d = lay.u_p1 - lay.u_p0, lay.D - 8.0
            pts = _rect((lay.u_p0 + lay.u_p1) / 2, 4 + d / 2, w / 2, d / 2, 0.0)
            xs, ys = lay.proj([p[0] for p in pts], [p[1] for p in pts], 0.5)
            q = list(zip(xs, ys))
            col = (120, 124, 130) if lay.pickup_kind == "basket" else (176, 170, 160)
            R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, q), _bbox(q), col, alpha=0.55)
            del pad, r

    def _scanner(self, img, cu, cv):
        lay = self.lay
        fr = [(lay.u_s0, lay.v_s0), (lay.u_s1, lay.v_s0), (lay.u_s1, lay.v_s1), (lay.u_s0, lay.v_s1)]
        xs, ys = lay.proj([p[0] for p in fr], [p[1] for p in fr], 0.3)
        q = list(zip(xs, ys))
        R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, q), _bbox(q), self.scanner_frame)
        inset = 3.0
        gu0, gu1, gv0, gv1 = lay.u_s0 + inset, lay.u_s1 - inset, lay.v_s0 + inset, lay.v_s1 - inset
        sel = (cu >= gu0) & (cu <= gu1) & (cv >= gv0) & (cv <= gv1)
        # Dark glass with a faint reflection gradient and the red laser window.
        refl = 0.5 + 0.5 * np.sin((cu + cv) * 0.09)
        glass = np.stack([22 + 14 * refl, 24 + 14 * refl, 30 + 16 * refl], axis=-1)
        mid_u = (gu0 + gu1) / 2
        mid_v = (gv0 + gv1) / 2
        lx = np.exp(-((cu - mid_u) - (cv - mid_v) * 0.8) ** 2 / 0.5) + np.exp(-((cu - mid_u) + (cv - mid_v) * 0.8) ** 2 / 0.5)
        glass[..., 0] += 70 * np.clip(lx, 0, 1)
        img[sel] = glass[sel]
        # Tower on the far side of the bed, with a glass window facing the customer.
        base = [(lay.u_s0 + 2, lay.v_s0 - 10), (lay.u_s1 - 2, lay.v_s0 - 10), (lay.u_s1 - 2, lay.v_s0 - 1), (lay.u_s0 + 2, lay.v_s0 - 1)]
        self._prism(img, base, 22.0, self.scanner_frame * 0.9 + 6, (30, 26, 30))

    def _bagging_fixture(self, img):
        lay = self.lay
        b = lay.bag_area
        plate = [(b["u0"], b["v0"]), (b["u1"], b["v0"]), (b["u1"], b["v1"]), (b["u0"], b["v1"])]
        xs, ys = lay.proj([p[0] for p in plate], [p[1] for p in plate], 1.0)
        q = list(zip(xs, ys))
        R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, q), _bbox(q), (150, 152, 156), alpha=0.8)
        # Bag rails: a U of thin bars at rim height.
        h = b["h"]
        rails = [((b["u0"] + 1, b["v0"] + 1), (b["u1"] - 1, b["v0"] + 1)), ((b["u0"] + 1, b["v0"] + 1), (b["u0"] + 1, b["v1"] - 3)),
                 ((b["u1"] - 1, b["v0"] + 1), (b["u1"] - 1, b["v1"] - 3))]
        if lay.bag_slots == 2:
            mu = (b["u0"] + b["u1"]) / 2
            rails.append(((mu, b["v0"] + 1), (mu, b["v1"] - 3)))
        for (u0, v0), (u1, v1) in rails:
            x, y = lay.proj([u0, u1], [v0, v1], h)
            r = 0.9 * lay.ppc(h)
            p0, p1 = (x[0], y[0]), (x[1], y[1])
            R.fill_shape(img, lambda X, Y, p0=p0, p1=p1: R.sdf_capsule(X, Y, p0, p1, r, r),
                         (min(x) - r, min(y) - r, max(x) + r, max(y) + r), (176, 178, 182))

    def _terminal(self, img):
        lay = self.lay
        t = lay.terminal
        base = _rect(t["cu"], t["cv"], t["w"] / 2, t["d"] / 2, 0.0)
        top = self._prism(img, base, t["h"], (40, 42, 46), (26, 26, 30))
        # Small screen and a keypad on the top face, in face coordinates.
        def face(fu0, fu1, fv0, fv1):
            us = [t["cu"] - t["w"] / 2 + t["w"] * f for f in (fu0, fu1, fu1, fu0)]
            vs = [t["cv"] - t["d"] / 2 + t["d"] * f for f in (fv0, fv0, fv1, fv1)]
            x, y = lay.proj(us, vs, t["h"])
            return list(zip(x, y))
        scr = face(0.15, 0.85, 0.1, 0.42)
        R.fill_shape(img, lambda x, y: R.sdf_polygon(x, y, scr), _bbox(scr), (70, 110, 130))
        for i in range(3):
            for j in range(4):
                k = face(0.18 + i * 0.23, 0.18 + i * 0.23 + 0.16, 0.5 + j * 0.11, 0.5 + j * 0.11 + 0.07)
                R.fill_shape(img, lambda x, y, k=k: R.sdf_polygon(x, y, k), _bbox(k), (90, 92, 98))
        self.terminal_top = top

    def _decals(self, img, cu, cv):
        lay = self.lay
        rng = np.random.default_rng(self.seed)
        for _ in range(self.decals):
            # Stickers and worn patches, placed away from the zones' centres.
            u = rng.uniform(-10, lay.L + 10)
            v = rng.choice([rng.uniform(-lay.Dback + 1, 3), rng.uniform(lay.D - 8, lay.D - 2)])
            w, d = rng.uniform(4, 12), rng.uniform(3, 8)
            pts = _rect(u, v, w / 2, d / 2, rng.uniform(-0.4, 0.4))
            xs, ys = lay.proj([p[0] for p in pts], [p[1] for p in pts], 0.0)
            q = list(zip(xs, ys))
            col = np.array(rng.choice([(230, 200, 40), (240, 240, 236), (200, 40, 40), (40, 120, 200)]), dtype=F)
            R.fill_shape(img, lambda x, y, q=q: R.sdf_polygon(x, y, q), _bbox(q), col, alpha=rng.uniform(0.5, 0.95))


def _bbox(pts, pad=2.0):
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
