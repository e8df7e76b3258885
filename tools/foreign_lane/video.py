"""Per-frame rendering of the scripted session and H.264 encoding through the ffmpeg CLI."""

import math
import subprocess
import sys

import numpy as np

import actors as A
import products as P
import raster as R

F = np.float32


class ProductArt:
    """Sprites of one product at the session's scale: top, side silhouette, shadow."""

    def __init__(self, lay, prod):
        self.ppc = lay.ppc(18.0)
        self.top = P.render(prod, self.ppc)
        side = np.zeros_like(self.top)
        side[..., :3] = P.side_colour(prod)
        side[..., 3] = self.top[..., 3]
        self.side = side
        self.shadow = R.shadow_sprite(self.top, max(1.5, 1.2 * self.ppc))
        self.height = prod.height


class Renderer:
    def __init__(self, lay, bg, plan, catalog, rng):
        self.lay, self.bg, self.plan = lay, bg, plan
        self.placer = A.Placer(lay)
        self.art = {p.sku: ProductArt(lay, p) for p in catalog}
        self.light = (math.cos(bg.light_dir), math.sin(bg.light_dir))
        self._static_key = None
        self._static = None
        self._people = {}
        self._walkers = {}
        self.screen_quad = bg.screen_poly
        marks = sorted(plan.screen_marks, key=lambda m: m[0])
        self.marks = marks
        self.card = {}
        self.rng = rng

    # ------------------------------------------------------------ items and containers
    def draw_item(self, img, it, pose, shadow_k=0.3, surface=False):
        u, v, h, ang, tint, _ = pose
        art = self.art[it.prod.sku]
        lay = self.lay
        place = self.placer.place
        hb = h - art.height
        # Soft shadow on the counter, further off and fainter the higher the item is.
        if shadow_k > 0:
            # Resting things shade what they stand on; carried ones shade the counter.
            plane = max(hb, 0.0) if surface else 0.0
            lift = max(hb - plane, 0.0)
            off = (1.0 + 0.35 * lift) * lay.s
            k = shadow_k * max(0.15, 1 - lift / 60)
            x0, y0 = lay.proj(u, v, plane)
            sa = self.placer.oriented(art.shadow)
            scale = lay.ppc(plane) / art.ppc
            R._warp_core(img, sa, float(x0 + self.light[0] * off), float(y0 + self.light[1] * off),
                         self.placer.image_angle(ang), scale, None, k, shadow_only=True)
        # Sides: the silhouette stacked between bottom and top, visible off-centre.
        x0, y0 = lay.proj(u, v, hb)
        x1, y1 = lay.proj(u, v, h)
        dpx = math.hypot(x1 - x0, y1 - y0) + abs(lay.ppc(h) - lay.ppc(hb)) * max(it.prod.dims) * 0.5
        steps = min(2, int(dpx / 2.0))
        for i in range(steps):
            hh = hb + (h - hb) * (i / max(steps, 1))
            place(img, art.side, art.ppc, u, v, hh, ang, tint=tint)
        place(img, art.top, art.ppc, u, v, h, ang, tint=tint)

    def draw_container(self, img, c, t, items_in):
        p = c.pose(t)
        # A basket's floor sits on the counter and its rim 16 cm up; bags hang from the rim.
        if c.back is not None:
            self.placer.place(img, c.back, c.ppc, p[0], p[1], p[2] + (2.0 if c.kind == "basket" else 0.0), c.ang)
        for it, pose in sorted(items_in, key=lambda x: x[1][2]):
            self.draw_item(img, it, pose, shadow_k=0.22, surface=True)
        if c.front is not None:
            self.placer.place(img, c.front, c.ppc, p[0], p[1], p[2] + (16.0 if c.kind == "basket" else 0.0), c.ang)

    def _split(self, t):
        """Which containers and items are still (cacheable) and which move."""
        plan = self.plan
        static_c, moving_c = [], []
        for c in plan.containers:
            if not c.visible(t):
                continue
            (static_c if c.track.static_at(t) else moving_c).append(c)
        contents = {}
        loose_static, held = [], []
        for it in plan.items:
            i = it.phase_index(t)
            if i is None:
                continue
            kind = it.phases[i][2]
            pose = it.pose(t, i)
            if kind == "in":
                c = it.phases[i][3][0]
                if c is plan.counter:
                    loose_static.append((it, pose, i))
                else:
                    if not c.visible(t):
                        continue
                    contents.setdefault(c.cid, []).append((it, pose, i))
            else:
                held.append((it, pose))
        return static_c, moving_c, contents, loose_static, held

    def static_layer(self, t, static_c, contents, loose):
        key = tuple(sorted((c.cid, c.track.seg_index(t)) for c in static_c))
        key += tuple(sorted((it.iid, i) for it, _, i in loose))
        key += tuple(sorted((it.iid, i) for c in static_c for it, _, i in contents.get(c.cid, [])))
        if key == self._static_key:
            return self._static
        img = self.bg.img.copy()
        for it, pose, _ in loose:
            self.draw_item(img, it, pose, shadow_k=0.3, surface=True)
        order = {"bag": 0, "basket": 1, "cloth": 2}
        for c in sorted(static_c, key=lambda c: order.get(c.kind, 3)):
            self.draw_container(img, c, t, [(it, pose) for it, pose, _ in contents.get(c.cid, [])])
        self._static = np.clip(img + 0.5, 0, 255).astype(np.uint8)
        self._static_key = key
        return self._static

    # ------------------------------------------------------------ people
    def person_art(self, vis):
        key = id(vis)
        art = self._people.get(key)
        if art is None:
            lay = self.lay
            p = vis.person
            tor = A.torso_sprite(p, lay.ppc(43))
            head = A.head_sprite(p, lay.ppc(68))
            angles = np.linspace(-0.24, 0.24, 9)
            hands = A.hand_sprites(p, lay.ppc(15))
            left = {k: np.ascontiguousarray(v[::-1]) for k, v in hands.items()}
            art = dict(torso=A.Paster(self.placer, tor, angles),
                       head=A.Paster(self.placer, head, angles),
                       hands=[hands, left], hand_ppc=lay.ppc(15))
            self._people = {key: art}  # one customer at a time; drop the previous
        return art

    def draw_customer(self, img, vis, t):
        lay = self.lay
        p = vis.person
        art = self.person_art(vis)
        base = vis.torso.at(t)
        hp = [vis.hands[0].at(t), vis.hands[1].at(t)]
        mean_u = (hp[0][0] + hp[1][0]) / 2
        sway = float(np.clip(0.22 * (mean_u - base[0]), -9, 9))
        # Lean over the counter when a hand goes further than the arm alone reaches.
        reach = max(base[1] - hp[0][1], base[1] - hp[1][1])
        lean = -float(np.clip(0.12 * (reach - 35), 0, 6) + np.clip(0.5 * (reach - 62), 0, 22))
        tp = base + np.array([sway, lean, 0.0])
        ang = float(np.clip(0.004 * (hp[1][0] + hp[0][0] - 2 * base[0]) + 0.003 * (hp[0][1] - hp[1][1]), -0.22, 0.22))
        ca, sa = math.cos(ang), math.sin(ang)
        for h in (0, 1):
            sx = -1 if h == 0 else 1
            lx, ly = sx * p.shoulder_w * 0.44, -1.0
            sh = np.array([tp[0] + lx * ca - ly * sa, tp[1] + lx * sa + ly * ca, 41.0])
            hand = hp[h]
            d = hand[:2] - sh[:2]
            n = float(np.hypot(*d)) + 1e-6
            dirv = d / n
            wrist = np.array([hand[0] - dirv[0] * 6.5 * p.hand_scale, hand[1] - dirv[1] * 6.5 * p.hand_scale, hand[2] + 1.0])
            outward = (sx * 0.5, 0.9)  # elbows drop back and a little out
            elbow = A.solve_elbow(sh, wrist, 30.0, 28.0, outward)
            A.draw_arm(img, lay, p, sh, elbow, wrist)
            # Card or phone held against the fingers.
            for hh, t0, t1, kind in vis.props:
                if hh == h and t0 <= t < t1:
                    self._draw_card(img, kind, hand, dirv, p)
            state = vis.grip_state(h, t)
            spr = art["hands"][h][state]
            world_ang = math.atan2(dirv[1], dirv[0])
            self.placer.place(img, spr, art["hand_ppc"], hand[0], hand[1], hand[2] + 1.5, world_ang,
                              shadow=None)
        x, y = lay.proj(tp[0], tp[1], 43.0)
        art["torso"].paste(img, x, y, ang)
        head = tp + np.array([0.0, -p.depth * 0.22 + lean * 0.15, 0.0])
        x, y = lay.proj(head[0], head[1], 68.0)
        art["head"].paste(img, x, y, ang * 1.3)

    def _draw_card(self, img, kind, hand, dirv, p):
        spr = self.card.get(kind)
        lay = self.lay
        if spr is None:
            ppc = lay.ppc(15)
            w, h = (8.6, 5.4) if kind == "card" else (15.0, 7.4)
            X, Y = A._grid(w + 1, h + 1, ppc)
            spr = np.zeros(X.shape + (4,), F)
            col = np.array((30, 80, 160) if kind == "card" else (20, 20, 24), F)
            A._layer(spr, col, R.sdf_rrect(X, Y, 0, 0, w / 2, h / 2, 0, 0.5), ppc)
            if kind == "phone":
                A._layer(spr, np.array((70, 90, 120), F), R.sdf_rrect(X, Y, 0, 0, w / 2 - 0.6, h / 2 - 0.5, 0, 0.4), ppc)
            else:
                A._layer(spr, np.array((220, 190, 60), F), R.sdf_rrect(X, Y, -2.5, -0.3, 0.7, 0.5, 0, 0.1), ppc)
            self.card[kind] = (spr, ppc)
        spr, ppc = self.card[kind]
        u = hand[0] + dirv[0] * 3.0
        v = hand[1] + dirv[1] * 3.0
        self.placer.place(img, spr, ppc, u, v, hand[2], math.atan2(dirv[1], dirv[0]))

    def draw_walker(self, img, w, t):
        lay = self.lay
        key = id(w)
        pa = self._walkers.get(key)
        if pa is None:
            sp = A.walker_sprite(w["person"], lay.ppc(50), lay.ppc(70))
            ang = 0.0 if w["dir"] > 0 else math.pi
            pa = A.Paster(self.placer, sp, [ang])
            self._walkers[key] = pa
            if len(self._walkers) > 6:
                self._walkers.pop(next(iter(self._walkers)))
        p = w["track"].at(t)
        bob = 2.0 * math.sin(2 * math.pi * 1.7 * t)
        x, y = lay.proj(p[0], p[1] + bob, 50.0)
        pa.paste(img, x, y, pa.variants[0][0])

    # ------------------------------------------------------------ screen
    def draw_screen(self, img, t):
        q = self.screen_quad
        state, n_items, t_last = "idle", 0, -99.0
        for tm, what in self.marks:
            if tm > t:
                break
            if what == "start":
                state, n_items = "trans", 0
            elif what == "item":
                n_items += 1
                t_last = tm
                state = "trans"
            elif what == "pay":
                state = "pay"
            elif what == "paid":
                state = "paid"
                t_last = tm
        if state == "paid" and t - t_last > 4.0:
            state = "idle"
        if state == "idle":
            ph = 0.5 + 0.5 * math.sin(t * 0.6)
            col = (40 + 60 * ph, 90 + 40 * ph, 170)
        elif state == "paid":
            col = (60, 170, 90)
        elif state == "pay":
            col = (230, 230, 235)
        else:
            col = (235, 236, 240) if t - t_last > 0.35 else (150, 230, 160)
        shrink = [(q[i][0] * 0.9 + sum(p[0] for p in q) / 4 * 0.1, q[i][1] * 0.9 + sum(p[1] for p in q) / 4 * 0.1) for i in range(4)]
        R.fill_shape(img, lambda X, Y: R.sdf_polygon(X, Y, shrink), _bbox(shrink), col)
        if state in ("trans", "pay"):
            # Receipt lines grow down the screen.
            a, b, c, d = shrink
            for i in range(min(n_items, 8)):
                f0 = 0.12 + i * 0.1
                f1 = f0 + 0.05
                pts = [_lerp(_lerp(a, d, f0), _lerp(b, c, f0), 0.1), _lerp(_lerp(a, d, f0), _lerp(b, c, f0), 0.7),
                       _lerp(_lerp(a, d, f1), _lerp(b, c, f1), 0.7), _lerp(_lerp(a, d, f1), _lerp(b, c, f1), 0.1)]
                R.fill_shape(img, lambda X, Y, pts=pts: R.sdf_polygon(X, Y, pts), _bbox(pts), (70, 72, 80))

    # ------------------------------------------------------------ frame
    def frame(self, t):
        plan = self.plan
        lay = self.lay
        static_c, moving_c, contents, loose, held = self._split(t)
        img = self.static_layer(t, static_c, contents, loose).copy()
        self.draw_screen(img, t)
        for w in plan.walkers:
            if w["far"] and w["t0"] <= t <= w["t1"]:
                self.draw_walker(img, w, t)
        vis = None
        for v in plan.visits:
            if v.t0 <= t <= v.t1:
                vis = v
        # Things below the customer's hands: moving bags, baskets, cloths, carried items.
        for c in sorted(moving_c, key=lambda c: c.pose(t)[2]):
            self.draw_container(img, c, t, [(it, pose) for it, pose, _ in contents.get(c.cid, [])])
        for it, pose in sorted(held, key=lambda x: x[1][2]):
            self.draw_item(img, it, pose, shadow_k=0.35)
        for w in plan.walkers:
            if not w["far"] and w["t0"] <= t <= w["t1"]:
                self.draw_walker(img, w, t)
        if vis is not None:
            self.draw_customer(img, vis, t)
        for rec in plan.lens:
            k = plan.lens_t_in(rec, t)
            if k > 0:
                self._lens(img, rec, k, t)
        del lay
        return img

    def _lens(self, img, rec, k, t):
        H, W = img.shape[:2]
        s = 4
        gy = (np.arange(0, H, s, dtype=F) + s / 2)[:, None]
        gx = (np.arange(0, W, s, dtype=F) + s / 2)[None, :]
        a = A.lens_alpha(rec["blk"], gx, gy, W, H, k)
        a = np.repeat(np.repeat(a, s, 0), s, 1)[:H, :W]
        b = rec["blk"]
        shade = (0.6 + 0.4 * a)[..., None]
        col = b["col"] * shade
        R.blend(img, (slice(0, H), slice(0, W)), a.astype(F), col)
        del t


def _lerp(p, q, f):
    return (p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f)


def _bbox(pts, pad=2.0):
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


class Optics:
    """Exposure drift, dimming, flicker and white balance applied per frame."""

    def __init__(self, plan, fps, H, rng):
        self.plan = plan
        lt = plan.light
        self.fps = fps
        # Mains flicker aliased by the frame rate.
        f = lt["mains"]
        alias = abs(f - round(f / fps) * fps)
        self.f_alias = alias if alias > 0.05 else rng.uniform(0.1, 0.4)
        self.rows = (np.arange(H, dtype=F) / H)[:, None, None]
        self.rng = np.random.default_rng(int(rng.integers(1, 1 << 30)))
        self.buf = None
        # Lens falloff toward the corners, off-centre like a real mount.
        self.vig_strength = float(rng.uniform(0.12, 0.38))
        self.vig_c = (rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6))
        self._vig = None

    def vignette(self, shape):
        if self._vig is None or self._vig.shape[:2] != shape[:2]:
            H, W = shape[:2]
            y = (np.arange(H, dtype=F) / H - self.vig_c[1])[:, None]
            x = (np.arange(W, dtype=F) / W - self.vig_c[0])[None, :]
            r2 = (x * x * (W / H) ** 2 + y * y) / (0.25 * ((W / H) ** 2 + 1))
            self._vig = (1 - self.vig_strength * r2 ** 1.5).astype(F)[..., None]
        return self._vig

    def apply(self, img, t):
        plan = self.plan
        lt = plan.light
        g = plan.gain(t)
        g *= 1 + lt["flicker_amp"] * math.sin(2 * math.pi * self.f_alias * t)
        for t0, t1, amp in plan.bursts:
            if t0 <= t < t1:
                g *= 1 + amp * (self.rng.random() * 2 - 1)
        wb = 1 + lt["wb"] * math.sin(2 * math.pi * t / lt["wb_per"])
        gains = (g * wb).astype(F)
        for t0, t1, r in plan.blurs:
            if t0 <= t < t1:
                img = np.clip(R.box_blur(img.astype(F), r) + 0.5, 0, 255).astype(np.uint8)
                break
        if lt["band"] and lt["flicker_amp"] > 0.01:
            m = gains[None, None, :] * (1 + 0.6 * lt["flicker_amp"] * np.sin(2 * math.pi * (self.rows * lt["band_rows"] - self.f_alias * t)))
        else:
            m = gains[None, None, :]
        if self.buf is None or self.buf.shape != img.shape:
            self.buf = np.empty(img.shape, dtype=F)
        np.multiply(img, self.vignette(img.shape), out=self.buf)
        self.buf *= m
        np.clip(self.buf, 0, 255, out=self.buf)
        return self.buf.astype(np.uint8)


def encode(out_path, frames, W, H, fps, creation_time, quality, log=sys.stderr):
    """Pipe RGB frames into ffmpeg: libx264, yuv420p, faststart, creation_time set."""
    # Sensor noise and optical softness are cheapest on the 4:2:0 planes.
    vf = "format=yuv420p,noise=c0s=%d:c1s=%d:c2s=%d:allf=t:all_seed=%d" % (
        quality["noise"], max(1, quality["noise"] // 2), max(1, quality["noise"] // 2), quality["noise_seed"])
    if quality["blur"] > 0:
        vf += ",gblur=sigma=%.2f" % quality["blur"]
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "%dx%d" % (W, H), "-r", str(fps), "-i", "-",
           "-vf", vf, "-c:v", "libx264", "-preset", quality["preset"], "-crf", str(quality["crf"]),
           "-maxrate", "%dk" % quality["maxrate_kbps"], "-bufsize", "%dk" % (2 * quality["maxrate_kbps"]),
           "-g", str(int(fps * 2)), "-pix_fmt", "yuv420p", "-movflags", "+faststart",
           "-metadata", "creation_time=%s" % creation_time, "-r", str(fps), out_path]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    n = 0
    try:
        for fr in frames:
            proc.stdin.write(memoryview(np.ascontiguousarray(fr)))
            n += 1
    except BrokenPipeError:
        pass
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    rc = proc.wait()
    if rc != 0:
        raise RuntimeError("ffmpeg failed with exit code %d while writing %s" % (rc, out_path))
    return n
