"""The session's script: customers, item passes (normal and dishonest), props,
passers-by, occlusions and lighting, plus the POS journal and the truth spans
derived from the same motion tracks the renderer draws."""

import math
import time as _time

import numpy as np

import actors as A
import products as P
from motion import Track, move_time

KINDS = ["normal", "missed_scan", "fake_scan", "multi_item", "wrong_scan", "multi_ok"]
KIND_P = [0.80, 0.04, 0.04, 0.035, 0.04, 0.045]
EXCEPTIONS = ["missed_scan", "fake_scan", "multi_item", "wrong_scan"]


class Container:
    """Something items sit in, or a prop: basket, bag, cloth on the scanner, the counter itself."""

    def __init__(self, cid, kind, track, ang, t_show, t_hide=1e18, back=None, front=None, ppc=1.0, tint=1.0, obj=None):
        self.cid, self.kind, self.track, self.ang = cid, kind, track, ang
        self.t_show, self.t_hide = t_show, t_hide
        self.back, self.front, self.ppc, self.tint, self.obj = back, front, ppc, tint, obj

    def visible(self, t):
        return self.t_show <= t < self.t_hide

    def pose(self, t):
        return self.track.at(t)


class Item:
    def __init__(self, iid, prod):
        self.iid, self.prod = iid, prod
        self.phases = []  # (t0, t1, kind, data)

    def add(self, t0, t1, kind, data):
        self.phases.append([t0, t1, kind, data])

    def phase_index(self, t):
        for i, ph in enumerate(self.phases):
            if ph[0] <= t < ph[1]:
                return i
        return None

    def pose(self, t, i=None):
        """(u, v, h_top, ang, tint, container_or_None) or None when not in view."""
        if i is None:
            i = self.phase_index(t)
        if i is None:
            return None
        _, _, kind, d = self.phases[i]
        if kind == "in":
            c, lu, lv, lh, la, tint = d
            cp = c.pose(t)
            ca, sa = math.cos(c.ang), math.sin(c.ang)
            return (cp[0] + lu * ca - lv * sa, cp[1] + lu * sa + lv * ca, cp[2] + lh, c.ang + la, tint, c)
        G, GA, off, la = d
        g = G.at(t)
        ga = float(GA.at(t)[0])
        ca, sa = math.cos(ga), math.sin(ga)
        return (g[0] + off[0] * ca - off[1] * sa, g[1] + off[0] * sa + off[1] * ca, g[2] + off[2], ga + la, 1.0, None)


class Visit:
    def __init__(self, person, t0):
        self.person = person
        self.t0 = t0
        self.t1 = t0
        self.torso = None
        self.hands = [None, None]  # 0 = right hand (low-u side), 1 = left hand
        self.at_rest = [True, True]
        self.grips = [[], []]      # (t, state) changes
        self.props = []            # (hand, t0, t1, kind) cards, phones
        self.rest = [None, None]
        self.transaction = None
        self.lean = []

    def grip_state(self, hand, t):
        s = "open"
        for tt, st in self.grips[hand]:
            if tt <= t:
                s = st
            else:
                break
        return s


def iso(t_epoch):
    ms = int(round(t_epoch * 1000))
    s, ms = divmod(ms, 1000)
    return _time.strftime("%Y-%m-%dT%H:%M:%S", _time.gmtime(s)) + ".%03dZ" % ms


class Planner:
    def __init__(self, rng, lay, catalog, duration, clock_offset, video_start, store, lane, guarantee=True):
        self.rng = rng
        self.lay = lay
        self.catalog = catalog
        self.T = duration
        self.offset = clock_offset
        self.t_epoch0 = video_start
        self.store, self.lane = store, lane
        self.items, self.containers, self.visits, self.walkers = [], [], [], []
        self.lens, self.lights, self.pos, self.incidents, self.events = [], [], [], [], []
        self.screen_marks = []
        self.pass_records = []
        self.passes = 0
        self.n_trans = 0
        self._ids = 0
        self.use_event_ids = rng.random() < 0.5
        self.trans_no = int(rng.integers(1000, 90000))
        self.counter = Container(-1, "counter", Track(0.0, (0, 0, 0)), 0.0, 0.0)
        self.left_basket = None
        self.guarantee = guarantee
        self.log = []
        self._kind_queue = self._kinds_up_front()
        self._occl_needed = guarantee and duration >= 150
        self._plan()

    # ------------------------------------------------------------ helpers
    def nid(self):
        self._ids += 1
        return self._ids

    def _kinds_up_front(self):
        # About one pass every 12 s of video; the queue only needs to cover that.
        est = max(6, int(self.T / 12.0))
        ks = [str(k) for k in self.rng.choice(KINDS, size=est, p=KIND_P)]
        if self.guarantee and self.T >= 150:
            # One of each exception early enough that a short session still shows it.
            early = max(len(EXCEPTIONS) + 2, int(est * 0.6))
            for k in EXCEPTIONS:
                if k in ks[:early]:
                    continue
                slots = [i for i in range(1, early) if ks[i] not in EXCEPTIONS]
                ks[slots[int(self.rng.integers(0, len(slots)))]] = k
        return ks

    def _next_kind(self):
        if self._kind_queue:
            return self._kind_queue.pop(0)
        return str(self.rng.choice(KINDS, p=KIND_P))

    def scan_bed(self):
        L = self.lay
        return (L.u_s0 + L.u_s1) / 2, (L.v_s0 + L.v_s1) / 2, L.u_s1 - L.u_s0, L.v_s1 - L.v_s0

    def zone_world_extent(self, role, h):
        """Unprojected zone polygon at height h, in world (u, v)."""
        L = self.lay
        poly = L.zones[role]
        xs = [p[0] * L.W for p in poly]
        ys = [p[1] * L.H for p in poly]
        u, v = L.unproj(xs, ys, h)
        return np.asarray(u), np.asarray(v)

    def inside(self, role, pts):
        """pts: array (n, 3) of world (u, v, h) -> bool array (projected point in zone)."""
        pts = np.asarray(pts)
        return self.lay.inside(role, pts[:, 0], pts[:, 1], pts[:, 2])

    def add_pos(self, tc, etype, trans, **kw):
        ev = {"tc": tc, "type": etype, "transaction": trans}
        ev.update(kw)
        self.pos.append(ev)

    def event(self, kind, t0, t1, **kw):
        e = {"kind": kind, "start": t0, "end": t1}
        e.update({k: v for k, v in kw.items() if v is not None})
        self.events.append(e)

    # ------------------------------------------------------------ session
    def _plan(self):
        rng = self.rng
        t = rng.uniform(0.5, 5.0)
        while True:
            n_items = int(rng.integers(3, 16))
            remaining = self.T - t - 3
            # Fixed cost of a visit (walk in, bags, start, pay, leave, a possible occlusion) and per item.
            per = 6.0 + (1.7 if self.lay.pickup_kind != "basket" else 0.0)
            fit = int((remaining - 32) / per)
            if fit < 1:
                break
            n_items = min(n_items, fit)
            t = self.visit(t, n_items)
            t += rng.uniform(1.5, 8.0)
        if self._occl_needed and not any(i["type"] == "occlusion" for i in self.incidents):
            self._idle_lens_block()
        for v in self.visits:
            for g in v.grips:
                g.sort(key=lambda x: x[0])
        # Nothing the video cannot show: a span cut off by the end would be wrong truth.
        cut = [i for i in self.incidents if i["end"] > self.T - 0.05]
        for i in cut:
            self.log.append("dropped a %s that runs past the end of the video" % i["type"])
        self.incidents = [i for i in self.incidents if not any(i is c for c in cut)]
        late = [p for p in self.pass_records if p["release"] > self.T]
        self.passes -= len(late)
        self.pass_records = [p for p in self.pass_records if not any(p is q for q in late)]
        self._walkers()
        self._lighting()

    # ------------------------------------------------------------ a customer visit
    def visit(self, t0, n_items):
        rng, L = self.rng, self.lay
        person = A.Person(rng)
        vis = Visit(person, t0)
        self.visits.append(vis)
        su, sv, sw, sd = self.scan_bed()
        u_home = su + rng.uniform(-22, 8)
        v_home = L.D + person.depth / 2 + rng.uniform(2, 8)
        vis.home = np.array([u_home, v_home, 45.0])
        vis.speed = rng.uniform(0.75, 1.35)
        side_in = -1 if rng.random() < 0.5 else 1
        off = np.array([u_home + side_in * 170, v_home + 25, 45.0])
        torso = Track(t0, off)
        walk = rng.uniform(1.8, 3.0)
        torso.move(t0 + walk, vis.home, ease="out")
        vis.torso = torso
        hidden = rng.random() < 0.3
        for h in (0, 1):
            sx = -1 if h == 0 else 1
            if hidden:
                # Arms hanging by the sides: hands below the counter top, under the shoulders.
                vis.rest[h] = np.array([sx * person.shoulder_w * 0.46, 1.0, -60.0])
            else:
                vis.rest[h] = np.array([sx * person.shoulder_w * rng.uniform(0.2, 0.38), -person.depth / 2 - rng.uniform(2, 8), -32.0])
            tr = Track(t0, off + vis.rest[h])
            vis.hands[h] = tr
        self.trans_no += int(rng.integers(1, 4))
        trans = "T%d" % self.trans_no
        vis.transaction = trans
        self.n_trans += 1

        # Plan the passes now: the basket is packed to suit them.
        plan = []
        while len(plan) < n_items:
            kind = self._next_kind()
            plan.append(self._choose_products(kind))

        t = t0 + walk
        if self.left_basket is not None:
            t = self._clear_old_basket(vis, t)
        if L.pickup_kind == "basket":
            t = self._bring_basket(vis, t0, t, plan)
        else:
            t = self._unload(vis, t, plan)
        t = self._open_bags(vis, t)
        t = self._tap_screen(vis, t, "start")
        self.add_pos(t, "transaction_start", trans)

        occl_at = int(rng.integers(1, len(plan))) if (rng.random() < 0.25 or self._occl_needed) and len(plan) > 1 else -1
        short_at = int(rng.integers(0, len(plan))) if rng.random() < 0.3 else -1
        for i, step in enumerate(plan):
            t += rng.uniform(0.05, 1.0) if rng.random() < 0.85 else rng.uniform(2.0, 4.5)
            if i == occl_at:
                t = self._cloth_on_scanner(vis, t, incident=True)
                self._occl_needed = False
            if i == short_at:
                t = self._cloth_on_scanner(vis, t, incident=False)
            if rng.random() < 0.18:
                t = self._empty_hand(vis, t)
            t = self._pass(vis, t, step)
        t += rng.uniform(0.5, 2.5)
        if rng.random() < 0.15 and self._occl_needed is False and rng.random() < 0.5:
            t = self._lens_block(vis, t, incident=rng.random() < 0.5)
        t = self._pay(vis, t)
        t = self._take_bags(vis, t)
        t = self._leave(vis, t)
        vis.t1 = t
        return t

    def _choose_products(self, kind):
        rng = self.rng
        cat = self.catalog
        if kind in ("multi_item", "multi_ok"):
            n = 2 if (kind == "multi_ok" or rng.random() < 0.7) else 3
            two_hands = n == 2 and rng.random() < 0.4
            small = [p for p in cat if max(p.dims) <= 14.5]
            pool = cat if two_hands else (small or cat)
            prods = [pool[int(rng.integers(0, len(pool)))] for _ in range(n)]
            return {"kind": kind, "prods": prods, "two_hands": two_hands}
        p = cat[int(rng.integers(0, len(cat)))]
        if kind == "wrong_scan":
            cheaper = [q for q in cat if q.unit_price < p.unit_price - 0.2 and q.sku != p.sku]
            tries = 0
            while not cheaper and tries < 20:
                p = cat[int(rng.integers(0, len(cat)))]
                cheaper = [q for q in cat if q.unit_price < p.unit_price - 0.2 and q.sku != p.sku]
                tries += 1
            if not cheaper:
                return {"kind": "normal", "prods": [p], "two_hands": False}
            # Often a look-alike of the same kind, sometimes cheap produce keyed in.
            same = [q for q in cheaper if q.kind == p.kind]
            pool = same if (same and rng.random() < 0.5) else cheaper
            q = pool[int(rng.integers(0, len(pool)))]
            return {"kind": kind, "prods": [p], "two_hands": False, "scanned_as": q}
        return {"kind": kind, "prods": [p], "two_hands": False}

    # ------------------------------------------------------------ hands
    def idle_to(self, vis, h, t):
        """Keep hand h busy until t: hover briefly where it is, or go back to rest and wait there."""
        tr = vis.hands[h]
        if tr.end >= t:
            return
        if not vis.at_rest[h]:
            if t - tr.end < 1.2:
                tr.tremor(t, 0.8, int(self.rng.integers(1, 1 << 30)))
                return
            self.hand_return(vis, h, tr.end)
            if tr.end >= t:
                return
        rest = vis.rest[h]
        torso = vis.torso
        seed = int(self.rng.integers(1, 1 << 30))
        ph = np.random.default_rng(seed).uniform(0, 6.28, 2)

        def fn(tt, rest=rest, ph=ph):
            p = torso.at(tt) + rest
            p[0] += 1.2 * math.sin(0.9 * tt + ph[0])
            p[1] += 0.9 * math.sin(0.7 * tt + ph[1])
            return p
        tr.follow_fn(t, fn)

    def hand_return(self, vis, h, t, speed=90.0):
        tr = vis.hands[h]
        if tr.end < t:
            self.idle_to(vis, h, t)
        rest = vis.rest[h]
        torso = vis.torso
        p0 = tr.at(tr.end)
        dur = move_time(p0, torso.at(tr.end) + rest, speed * vis.speed, 0.35)
        tr.move(tr.end + dur, lambda tt: torso.at(tt) + rest, bulge=(0, 0, 4), ease="smooth")
        vis.at_rest[h] = True
        return tr.end

    def hand_to(self, vis, h, t_arrive, target, bulge_xy=6.0, lift=6.0):
        """Move hand h so it arrives at target at t_arrive, starting as late as it can."""
        tr = vis.hands[h]
        p_now = tr.at(min(tr.end, t_arrive))
        dur = move_time(p_now, target, 100.0 * vis.speed, 0.3)
        start = max(tr.end, t_arrive - dur)
        self.idle_to(vis, h, start)
        b = self.rng.uniform(-bulge_xy, bulge_xy, 3)
        b[2] = lift
        tr.move(max(t_arrive, tr.end + 0.2), target, bulge=b)
        vis.at_rest[h] = False
        return tr.end

    def reach_time(self, vis, h, target):
        tr = vis.hands[h]
        return move_time(tr.at(tr.end), target, 100.0 * vis.speed, 0.3)

    # ------------------------------------------------------------ arrival
    def _bring_basket(self, vis, t_walk0, t, plan):
        rng, L = self.rng, self.lay
        b = L.basket
        back, front = A.basket_sprites(rng, b["w"], b["d"], L.ppc(16) * 1.05)
        carry_off = np.array([rng.uniform(-6, 6), -vis.person.depth / 2 - b["d"] / 2 - 4, -22.0])
        track = Track(t_walk0, vis.torso.at(t_walk0) + carry_off)
        track.follow(t, vis.torso, carry_off)
        c = Container(self.nid(), "basket", track, b["ang"], t_walk0, back=back, front=front, ppc=L.ppc(16) * 1.05)
        self.containers.append(c)
        rest = np.array([b["cu"], b["cv"], 0.0])
        dur = rng.uniform(0.8, 1.3)
        # Hands hold the rim on the near long side while walking in and setting it down.
        ca, sa = math.cos(b["ang"]), math.sin(b["ang"])
        grips = []
        for h, lx in ((0, -b["w"] * 0.28), (1, b["w"] * 0.28)):
            ly = b["d"] / 2 - 1
            grips.append(np.array([lx * ca - ly * sa, lx * sa + ly * ca, 15.0]))
        for h in (0, 1):
            tr = vis.hands[h]
            tr.truncate(0)
            tr.starts.append(t_walk0)
            g = grips[h]
            tr.segs.append((t_walk0, t_walk0, "const", lambda tt, g=g: c.pose(tt) + g))
            tr.follow(t + dur, track, g)
            vis.grips[h].append((t_walk0, "grip"))
            vis.grips[h].append((t + dur, "open"))
        track.move(t + dur, rest, bulge=(0, 0, 6), ease="smooth")
        track.hold(t + dur + 0.01)
        self._pack(c, plan, interior=(b["w"] - 7, b["d"] - 7), floor=2.0)
        t_end = t + dur
        for h in (0, 1):
            self.hand_return(vis, h, t_end)
        self.event("basket_in", t, t_end)
        vis.basket = c
        return t_end + rng.uniform(0.2, 0.8)

    def _pack(self, c, plan, interior, floor):
        """Lay the planned items in a container, first-picked on top, every centre
        inside the pickup polygon as the camera sees it."""
        rng, L = self.rng, self.lay
        iw, idp = interior
        b = L.basket
        ca, sa = math.cos(b["ang"]), math.sin(b["ang"])
        for step in reversed(plan):
            step["items"] = []
            n = len(step["prods"])
            cu = rng.uniform(-iw / 2 + 6, iw / 2 - 6)
            cv = rng.uniform(-idp / 2 + 5, idp / 2 - 5)
            sp = max(p.dims[1] for p in step["prods"]) + 0.6 + (3 if step["two_hands"] else 0)
            lvs = [rng.uniform(-1.0, 1.0) for _ in range(n)]
            las = [rng.uniform(-0.5, 0.5) + (math.pi / 2 if (rng.random() < 0.3 and n == 1) else 0) for _ in range(n)]
            lhs = [floor + p.height + rng.uniform(0, 2.5) for p in step["prods"]]
            for _ in range(12):
                spots = []
                for k, p in enumerate(step["prods"]):
                    lu = cu + (k - (n - 1) / 2) * sp if n > 1 else cu
                    lv = cv + (lvs[k] if n > 1 else 0.0)
                    lu = float(np.clip(lu, -iw / 2 + min(p.dims) / 2, iw / 2 - min(p.dims) / 2))
                    lv = float(np.clip(lv, -idp / 2 + min(p.dims) / 2, idp / 2 - min(p.dims) / 2))
                    spots.append((lu, lv))
                pts = [(b["cu"] + lu * ca - lv * sa, b["cv"] + lu * sa + lv * ca, lhs[k]) for k, (lu, lv) in enumerate(spots)]
                if self.inside("pickup", pts).all() and self._margin_ok("pickup", pts, 2.0):
                    break
                cu *= 0.7
                cv *= 0.7
                sp *= 0.92
            for k, p in enumerate(step["prods"]):
                it = Item(self.nid(), p)
                self.items.append(it)
                lu, lv = spots[k]
                it.add(c.t_show, 1e18, "in", (c, lu, lv, lhs[k], las[k], 0.92))
                step["items"].append(it)

    def _margin_ok(self, role, pts, cm):
        """Each point stays inside even when nudged by cm in any direction."""
        for du, dv in ((cm, 0), (-cm, 0), (0, cm), (0, -cm)):
            q = [(p[0] + du, p[1] + dv, p[2]) for p in pts]
            if not self.inside(role, q).all():
                return False
        return True

    def _unload(self, vis, t, plan):
        """Belt or tray: the customer lifts items one by one from a bag at their side."""
        rng, L = self.rng, self.lay
        r = L.pick_rect
        c = self.counter
        slots = []
        for step in plan:
            step["items"] = []
        order = list(range(len(plan)))
        order.reverse()
        t_start = t
        for idx in order:
            step = plan[idx]
            n = len(step["prods"])
            top_h = max(p.height for p in step["prods"])
            sp0 = max(q.dims[1] for q in step["prods"]) + 0.8 + (3 if step["two_hands"] else 0)
            for tries in range(40):
                f = 1.0 if tries < 25 else 0.5
                cu = r["cu"] + f * rng.uniform(-r["w"] / 2 + 7, r["w"] / 2 - 7)
                cv = r["cv"] + f * rng.uniform(-r["d"] / 2 + 6, r["d"] / 2 - 6)
                pts = [(cu + (k - (n - 1) / 2) * sp0, cv, top_h) for k in range(n)]
                if not (self.inside("pickup", pts).all() and self._margin_ok("pickup", pts, 2.0)):
                    continue
                if tries >= 25 or all(math.hypot(cu - a, cv - b) > 9 for a, b in slots):
                    break
            slots.append((cu, cv))
            h = 0 if rng.random() < 0.6 else 1
            self.idle_to(vis, h, t)
            t = max(t, vis.hands[h].end)
            # Items come up from a bag hanging at the customer's side, under the torso.
            src = vis.torso.at(t) + np.array([(-1 if h == 0 else 1) * 12, 2, -25])
            t = self.hand_to(vis, h, t + self.reach_time(vis, h, src), src)
            G = Track(t, src)
            dst_items = []
            for k, p in enumerate(step["prods"]):
                lu = cu + (k - (n - 1) / 2) * sp0
                dst_items.append((p, lu, cv + rng.uniform(-0.5, 0.5)))
            top = max(p.height for p in step["prods"])
            dest = np.array([cu, cv, top])
            dur = move_time(src, dest, 115 * vis.speed, 0.5)
            t_pick = t + 0.05
            G.hold(t_pick)
            G.move(t_pick + dur, dest + [0, 0, 4], bulge=(0, 0, 8))
            G.move(t_pick + dur + 0.25, dest)
            GA = Track(t, [rng.uniform(-0.4, 0.4)])
            t_rel = G.end
            vis.hands[h].hold(t_pick)
            vis.hands[h].follow(t_rel, G, (0, 0, 1.0))
            vis.at_rest[h] = False
            vis.grips[h].append((t_pick, "grip"))
            vis.grips[h].append((t_rel, "open"))
            for k, (p, lu, lv) in enumerate(dst_items):
                it = Item(self.nid(), p)
                self.items.append(it)
                off = (lu - cu, lv - cv, p.height - top)
                it.add(t_pick, t_rel, "held", (G, GA, off, 0.0))
                pose = it.pose(t_rel - 1e-6)
                it.add(t_rel, 1e18, "in", (c, pose[0], pose[1], p.height, pose[3], 0.96))
                step["items"].append(it)
            t = t_rel + rng.uniform(0.0, 0.3)
        self.event("unload", t_start, t)
        return t

    def _clear_old_basket(self, vis, t):
        c = self.left_basket
        self.left_basket = None
        g = np.array([0.0, 8.0, 15.0])
        t_arr = self.hand_to(vis, 0, t + self.reach_time(vis, 0, c.pose(t) + g), c.pose(t) + g)
        vis.grips[0].append((t_arr, "grip"))
        c.track.hold(t_arr)
        dst = vis.torso.at(t_arr) + np.array([-vis.person.shoulder_w * 0.6, 6, -40])
        c.track.move(t_arr + 1.0, dst, bulge=(0, 0, 10))
        c.t_hide = t_arr + 1.0
        vis.hands[0].follow(t_arr + 1.0, c.track, g)
        vis.grips[0].append((t_arr + 1.0, "open"))
        self.event("basket_out", t, t_arr + 1.0)
        return self.hand_return(vis, 0, t_arr + 1.0)

    def _open_bags(self, vis, t):
        rng, L = self.rng, self.lay
        ba = L.bag_area
        n = L.bag_slots
        vis.bags = []
        w_all = ba["u1"] - ba["u0"]
        for k in range(n):
            w = w_all / n - 5
            d = ba["v1"] - ba["v0"] - 4
            cu = ba["u0"] + w_all / n * (k + 0.5)
            cv = (ba["v0"] + ba["v1"]) / 2
            back, front, col = A.bag_sprites(rng, w, d, L.ppc(ba["h"]))
            target = np.array([cu + rng.uniform(-5, 5), cv + rng.uniform(-4, 4), ba["h"] + 4])
            t_arr = self.hand_to(vis, 1, t + self.reach_time(vis, 1, target), target)
            vis.grips[1].append((t_arr - 0.2, "grip"))
            vis.hands[1].tremor(t_arr + rng.uniform(0.4, 1.0), 2.0, int(rng.integers(1, 1 << 30)))
            t_open = t_arr + 0.15
            c = Container(self.nid(), "bag", Track(t_open, (cu, cv, ba["h"])), 0.0, t_open, back=back, front=front,
                          ppc=L.ppc(ba["h"]))
            c.w, c.d, c.n = w, d, 0
            self.containers.append(c)
            vis.bags.append(c)
            vis.grips[1].append((vis.hands[1].end, "open"))
            t = self.hand_return(vis, 1, vis.hands[1].end)
            self.event("open_bag", t_arr - 0.5, t)
        return t

    def _tap_screen(self, vis, t, what):
        rng, L = self.rng, self.lay
        su0, su1, sv0, sv1, sh = L.screen_world
        target = np.array([rng.uniform(su0 + 4, su1 - 4), rng.uniform(sv0 + 3, sv1 - 2), sh + 2])
        h = 1 if rng.random() < 0.6 else 0
        t_arr = self.hand_to(vis, h, t + self.reach_time(vis, h, target), target, lift=10)
        vis.grips[h].append((t_arr - 0.3, "flat"))
        vis.hands[h].tremor(t_arr + rng.uniform(0.25, 0.7), 0.6, int(rng.integers(1, 1 << 30)))
        vis.grips[h].append((vis.hands[h].end, "open"))
        self.screen_marks.append((t_arr, what))
        t_end = self.hand_return(vis, h, vis.hands[h].end)
        self.event("empty_hand", t, t_end, note="tap on the screen")
        return t_arr + 0.1 if what == "start" else t_end

    # ------------------------------------------------------------ item passes
    def _pass(self, vis, t, step):
        rng = self.rng
        kind = step["kind"]
        items = step["items"]
        for attempt in range(8):
            res = self._plan_group(vis, t, step, attempt)
            if res is not None:
                break
        else:
            if kind == "missed_scan":
                self.log.append("missed_scan at %.1fs could not avoid the scan zone; made it a normal pass" % t)
                step["kind"] = kind = "normal"
                res = self._plan_group(vis, t, step, 0)
            if res is None:
                raise RuntimeError("could not plan a %s pass at t=%.1f: %s" % (kind, t, getattr(self, "_why", "?")))
        G, GA, times, offs, hands_plan = res
        t_grab, t_rel = times["grab"], times["release"]

        # Items follow the group from grab to release, then rest in the bag.
        bag = times["bag"]
        for it, off in zip(items, offs):
            it.phases[-1][1] = t_grab
            it.add(t_grab, t_rel, "held", (G, GA, off, it.pose(t_grab - 1e-6)[3] - float(GA.at(t_grab)[0])))
            pw = it.pose(t_rel - 1e-6)
            bp = bag.pose(t_rel)
            it.add(t_rel, 1e18, "in", (bag, pw[0] - bp[0], pw[1] - bp[1], pw[2] - bp[2], pw[3], 0.8 - 0.02 * min(bag.n, 8)))
        bag.n += len(items)

        # Hands.
        for h, (t_on, t_off, hoff, weigh) in hands_plan.items():
            tr = vis.hands[h]
            g0 = G.at(t_on) + np.asarray(hoff)
            above = g0 + np.array([0, 0, 7.0])
            settle = rng.uniform(0.12, 0.3)
            if t_on == t_grab:
                self.hand_to(vis, h, t_on - settle, above)
                tr.move(t_on, g0)
            else:
                # Hand-over: the second hand meets the item where it is.
                self.idle_to(vis, h, t_on - 0.5)
                tr.move(t_on, lambda tt, hoff=hoff: G.at(tt) + hoff, bulge=(0, 0, 4))
            vis.grips[h].append((t_on - 0.08, "grip"))
            if weigh is not None:
                tp, tr_ = weigh
                tr.follow_fn(tp, lambda tt, hoff=hoff: _rot_off(G, GA, tt, hoff))
                vis.grips[h].append((tp, "open"))
                up = tr.at(tp) + np.array([0, 5.0, 6.0])
                tr.move(tp + 0.3, up)
                tr.tremor(tr_ - 0.3, 0.8, int(rng.integers(1, 1 << 30)))
                tr.move(tr_, lambda tt, hoff=hoff: _rot_off(G, GA, tt, hoff))
                vis.grips[h].append((tr_ - 0.08, "grip"))
            tr.follow_fn(t_off, lambda tt, hoff=hoff: _rot_off(G, GA, tt, hoff))
            vis.grips[h].append((t_off, "open"))
            vis.at_rest[h] = False
            if t_off < t_rel:
                self.hand_return(vis, h, t_off)  # the hand that passed the item on
        for h in (0, 1):
            vis.grips[h].sort(key=lambda x: x[0])

        # POS and truth.
        trans = vis.transaction
        n_pos0 = len(self.pos)
        scanned = []
        prods = [it.prod for it in items]
        t_scan = times.get("scan")
        if kind in ("normal", "multi_ok", "multi_item", "wrong_scan"):
            jit = float(np.clip(rng.normal(0, 0.45), -1.0, 1.0))
            double = kind == "normal" and rng.random() < 0.05
            if double:
                jit = min(jit, 0.2)
            to_scan = prods if kind == "multi_ok" else [prods[0]]
            if kind == "multi_item":
                to_scan = [prods[int(rng.integers(0, len(prods)))]]
            if kind == "wrong_scan":
                to_scan = [step["scanned_as"]]
            for k, p in enumerate(to_scan):
                ts = t_scan + jit + k * rng.uniform(0.3, 0.8)
                self._pos_item(ts, trans, p, times.get("weigh_qty"), kind == "wrong_scan", prods[0])
                scanned.append(p.sku)
                self.screen_marks.append((ts, "item"))
            if double:
                # Double beep, voided a few seconds later.
                ts2 = min(t_scan + jit + rng.uniform(0.3, 0.7), t_scan + 0.98)
                self._pos_item(ts2, trans, prods[0], times.get("weigh_qty"), False, prods[0])
                tv = t_rel + rng.uniform(1.5, 5.0)
                self.add_pos(tv, "void", trans, sku=prods[0].sku, quantity=1, unit_price=prods[0].unit_price,
                             operator="A%03d" % int(rng.integers(1, 400)))
                self.event("void", ts2, tv)
        self.passes += 1
        self.pass_records.append({"kind": kind, "items": items, "grab": t_grab, "release": t_rel, "scan": t_scan,
                                  "scans": [(ev["tc"], ev["sku"]) for ev in self.pos[n_pos0:] if ev["type"] == "item"]})
        path = "around_scanner" if kind == "missed_scan" else "over_scanner"
        inc_type = kind if kind in EXCEPTIONS else None
        note = None
        if inc_type:
            span = self._span(kind, items, t_grab, t_rel)
            if inc_type == "wrong_scan":
                note = "saw %s, scanned %s" % (prods[0].sku, step["scanned_as"].sku)
            elif inc_type == "multi_item":
                note = "%d items, %d scan" % (len(items), len(scanned))
            self.incidents.append({"type": inc_type, "start": span[0], "end": span[1], "transaction": trans, "note": note,
                                   "_items": items, "_grab": t_grab, "_release": t_rel})
        self.event("pass", t_grab, t_rel, items=len(items), skus=[p.sku for p in prods], scanned=scanned, path=path,
                   incident=inc_type)
        return t_rel + rng.uniform(0.05, 0.3)

    def _pos_item(self, tc, trans, p, weigh_qty, wrong, seen):
        rng = self.rng
        if p.kind == "produce":
            if p.weighed:
                qty = weigh_qty if (weigh_qty and not wrong) else round(rng.uniform(0.25, 1.4), 3)
                entry = "weighed"
            else:
                qty = 1
                entry = "plu"
        else:
            qty = 1
            entry = "scan" if not wrong or rng.random() < 0.6 else "keyed"
        self.add_pos(tc, "item", trans, sku=p.sku, barcode=p.barcode, description=p.description, quantity=qty,
                     unit_price=p.unit_price, entry=entry)

    def _plan_group(self, vis, t, step, attempt):
        """Motion of the carried item(s) and which hands hold them; None if it
        breaks what the pass is meant to show (checked against the zone polygons)."""
        rng = self.rng
        kind = step["kind"]
        items = step["items"]
        poses = [it.pose(t + 0.5) for it in items]
        c = np.array([np.mean([p[0] for p in poses]), np.mean([p[1] for p in poses]), max(p[2] for p in poses)])
        offs = [(p[0] - c[0], p[1] - c[1], p[2] - c[2]) for p in poses]
        two = step.get("two_hands") and len(items) == 2
        if two:
            hands = [0, 1] if offs[0][0] <= offs[1][0] else [1, 0]
        else:
            hands = [0 if rng.random() < (0.78 if vis.person.seed % 5 else 0.35) else 1]
        h0 = hands[0]
        # Settle where each hand will start from, then time the reach from there.
        self.idle_to(vis, h0, t)
        reach = self.reach_time(vis, h0, c + [0, 0, 7])
        t_grab = vis.hands[h0].end + reach + 0.32
        if two:
            self.idle_to(vis, 1 - h0, t)
            t_grab = max(t_grab, vis.hands[1 - h0].end + self.reach_time(vis, 1 - h0, c + [0, 0, 7]) + 0.32)
        G = Track(t_grab, c)
        a0 = rng.uniform(-0.3, 0.3)
        GA = Track(t_grab, [0.0])
        sp = 95 * vis.speed * rng.uniform(0.8, 1.25)
        su, sv, sw, sd = self.scan_bed()
        top = c[2]
        lift = c + np.array([rng.uniform(2, 6), rng.uniform(-3, 3), rng.uniform(8, 18)])
        G.move(t_grab + rng.uniform(0.18, 0.35), lift, ease="in")
        times = {"grab": t_grab}
        weigh = None
        bag = self._pick_bag(vis)
        if kind == "missed_scan":
            side = 1
            h_c = rng.uniform(14, 30)
            u_poly, v_poly = self.zone_world_extent("scan", h_c)
            margin = rng.uniform(5, 13) + attempt * 3
            v_around = float(v_poly.max()) + margin if side > 0 else float(v_poly.min()) - margin
            w1 = np.array([float(u_poly.min()) - rng.uniform(2, 8), v_around + rng.uniform(0, 4), h_c])
            w2 = np.array([float(u_poly.max()) + rng.uniform(2, 8), v_around + rng.uniform(0, 4), h_c])
            G.move(G.end + move_time(lift, w1, sp * 1.1), w1, bulge=(0, 3, 2))
            G.move(G.end + move_time(w1, w2, sp * 1.1), w2, bulge=(0, rng.uniform(1, 5), 0))
            GA.move(G.end, [a0 + rng.uniform(-0.6, 0.6)])
        else:
            h_pres = rng.uniform(3, 13) + top * 0.0 + 4
            target = np.array([su + rng.uniform(-0.22, 0.22) * sw, sv + rng.uniform(-0.22, 0.22) * sd, h_pres])
            if attempt >= 3:
                target[:2] = [su, sv]
            entry = target - np.array([rng.uniform(3, 7), 0, -2])
            G.move(G.end + move_time(lift, entry, sp), entry, bulge=(0, rng.uniform(-8, 8), 3))
            G.move(G.end + rng.uniform(0.12, 0.3), target, ease="out")
            GA.move(G.end, [a0 + rng.uniform(-0.8, 0.8)])
            prod = items[0].prod
            t_arrive = G.end
            if kind == "normal" and prod.kind == "produce" and rng.random() < 0.75:
                # Put it down on the scale, let go, wait for the weight, pick it up again.
                rest = np.array([target[0], target[1], prod.height + 0.3])
                G.move(G.end + 0.35, rest)
                tp = G.end
                wdur = rng.uniform(1.0, 2.4)
                G.hold(tp + wdur)
                weigh = (tp + 0.05, tp + wdur)
                times["scan"] = tp + wdur * 0.6
                times["weigh_qty"] = round(rng.uniform(0.18, 1.6), 3) if prod.weighed else None
                G.move(G.end + 0.3, target + [2, 0, 3])
            else:
                dwell = rng.uniform(0.25, 1.3)
                G.wiggle(G.end + dwell, (rng.uniform(1.5, 4), rng.uniform(1.5, 4), rng.uniform(0.5, 2)), rng.uniform(1.2, 2.8),
                         int(rng.integers(1, 1 << 30)))
                GA.hold(t_arrive)
                GA.wiggle(t_arrive + dwell, [rng.uniform(0.1, 0.5)], rng.uniform(0.8, 2.0), int(rng.integers(1, 1 << 30)))
                times["scan"] = t_arrive + dwell * rng.uniform(0.3, 0.8)
        # Into the bag; a group is turned so it lies along the bag's long side and kept clear of its edges.
        ext = max(math.hypot(o[0], o[1]) for o in offs)
        shrink = 1.0 / (1 + attempt)
        long_u = bag.w >= bag.d
        su_ = max(bag.w / 2 - 6 - (ext if long_u else 0), 0.0) * shrink
        sv_ = max(bag.d / 2 - 5 - (0 if long_u else ext), 0.0) * shrink
        lu = rng.uniform(-su_, su_)
        lv = rng.uniform(-sv_, sv_)
        bp = bag.pose(G.end)
        depth = max(-26.0 + 1.2 * bag.n, -14.0)
        # Tall things lie down in the bag, so their top ends up no higher than a box's.
        above = np.array([bp[0] + lu, bp[1] + lv, bp[2] + 7 + min(top, 12.0)])
        drop = np.array([bp[0] + lu, bp[1] + lv, bp[2] + depth + min(top, 12.0)])
        cur = G.at(G.end)
        if GA.end < G.end:
            GA.hold(G.end)
        G.move(G.end + move_time(cur, above, sp), above, bulge=(0, rng.uniform(-6, 3), 5))
        # Turn long items to fit the bag's long side (sprite long axis is u at angle 0).
        if len(items) == 1:
            rest_ang = items[0].pose(t_grab - 1e-6)[3]
            want = (0.0 if long_u else math.pi / 2) + rng.uniform(-0.3, 0.3)
            delta = (want - rest_ang + math.pi / 2) % math.pi - math.pi / 2
            GA.move(G.end, [delta])
        else:
            # Group offsets run along u (side by side as packed).
            GA.move(G.end, [(0.0 if long_u else math.pi / 2) + rng.uniform(-0.15, 0.15)])
        G.move(G.end + rng.uniform(0.25, 0.45), drop, ease="out")
        t_rel = G.end + rng.uniform(0.05, 0.2)
        G.hold(t_rel)
        GA.hold(t_rel)
        times["release"] = t_rel
        times["bag"] = bag

        # Check against the polygons written to lane.json.
        ts = np.arange(t_grab, t_rel, 0.01)
        ins = []
        for off in offs:
            pts = np.array([_rot_off(G, GA, tt, off) for tt in ts])
            ins.append(self.inside("scan", pts))
            if not self.inside("pickup", pts[:1])[0]:
                self._why = "item not in pickup zone at grab"
                return None
            if not self.inside("bagging", pts[-1:])[0]:
                self._why = "item not in bagging zone at release"
                return None
        any_in = np.any(ins, axis=0)
        if kind == "missed_scan":
            if any_in.any():
                self._why = "path touches the scan zone"
                return None
        elif any_in.sum() * 0.01 < 0.25:
            self._why = "too short over the scan zone"
            return None

        hands_plan = {}
        hoffs = [np.array([offs[k][0], offs[k][1], offs[k][2] + 1.0]) for k in range(len(offs))]
        hgrip = np.mean(hoffs, axis=0) if not two else None
        if two:
            hands_plan[hands[0]] = (t_grab, t_rel, hoffs[0], None)
            hands_plan[hands[1]] = (t_grab, t_rel, hoffs[1], None)
        elif kind != "missed_scan" and weigh is None and rng.random() < 0.15 and vis.at_rest[1 - h0] and \
                vis.hands[1 - h0].end < times["scan"] - 0.8:
            t_x = times["scan"]
            hands_plan[h0] = (t_grab, t_x, hgrip, None)
            hands_plan[1 - h0] = (t_x, t_rel, hgrip, None)
        else:
            hands_plan[h0] = (t_grab, t_rel, hgrip, weigh)
        return G, GA, times, offs, hands_plan

    def _pick_bag(self, vis):
        bags = vis.bags
        return min(bags, key=lambda b: (b.n + self.rng.uniform(0, 3)))

    def _span(self, kind, items, t0, t1):
        ts = np.arange(t0, t1 + 1e-9, 0.005)
        if kind == "missed_scan":
            starts, ends = [], []
            for it in items:
                pts = np.array([it.pose(tt)[:3] for tt in ts])
                inp = self.inside("pickup", pts)
                inb = self.inside("bagging", pts)
                out_i = np.argmax(~inp)
                reach_i = out_i + np.argmax(inb[out_i:])
                starts.append(ts[out_i])
                ends.append(ts[reach_i])
            return min(starts), max(ends)
        mask = np.zeros(len(ts), dtype=bool)
        for it in items:
            pts = np.array([it.pose(tt)[:3] for tt in ts])
            mask |= self.inside("scan", pts)
        idx = np.nonzero(mask)[0]
        return ts[idx[0]], ts[idx[-1]]

    # ------------------------------------------------------------ other behaviour
    def _empty_hand(self, vis, t):
        """A hand crosses the lane with nothing in it: rummaging, then fixing the bag."""
        rng, L = self.rng, self.lay
        h = 0 if rng.random() < 0.7 else 1
        su, sv, sw, sd = self.scan_bed()
        tr = vis.hands[h]
        pr = L.pick_rect
        p1 = np.array([pr["cu"] + rng.uniform(-8, 8), pr["cv"] + rng.uniform(-6, 6), 14.0])
        t1 = self.hand_to(vis, h, max(t, tr.end) + self.reach_time(vis, h, p1), p1)
        tr.tremor(t1 + rng.uniform(0.3, 1.0), 2.5, int(rng.integers(1, 1 << 30)))
        over = np.array([su + rng.uniform(-0.2, 0.2) * sw, sv + rng.uniform(-0.2, 0.2) * sd, rng.uniform(8, 20)])
        tr.move(tr.end + move_time(p1, over, 100 * vis.speed), over, bulge=(0, rng.uniform(-5, 5), 3))
        bag = vis.bags[int(rng.integers(0, len(vis.bags)))]
        bp = bag.pose(tr.end)
        p3 = np.array([bp[0] + rng.uniform(-6, 6), bp[1] + rng.uniform(-5, 5), bp[2] + 3])
        tr.move(tr.end + move_time(over, p3, 100 * vis.speed), p3)
        tr.tremor(tr.end + rng.uniform(0.3, 1.2), 2.0, int(rng.integers(1, 1 << 30)))
        t_end = self.hand_return(vis, h, tr.end)
        self.event("empty_hand", t1, t_end, path="over_scanner")
        return t_end

    def _cloth_on_scanner(self, vis, t, incident):
        """A jacket or tote put on the scanner: long enough to be an occlusion, or just a moment."""
        rng, L = self.rng, self.lay
        su, sv, sw, sd = self.scan_bed()
        pu, pv = self.zone_world_extent("scan", 4.0)
        zw, zd = float(pu.max() - pu.min()), float(pv.max() - pv.min())
        ppc = L.ppc(6)
        if incident:
            cw, cd = zw * rng.uniform(1.1, 1.35), zd * rng.uniform(1.1, 1.35)
        else:
            cw, cd = sw * rng.uniform(0.8, 1.2), sd * rng.uniform(0.8, 1.2)
        cl = A.Cloth(rng, cw, cd, ppc)
        h = 0 if rng.random() < 0.5 else 1
        t = max(t, vis.hands[h].end)
        hold_off = np.array([0, cd * 0.4, 2.0])
        start = vis.torso.at(t) + np.array([(-1 if h == 0 else 1) * 10, -2, -24])
        tr = Track(t, start)
        c = Container(self.nid(), "cloth", tr, rng.uniform(-0.3, 0.3), t, back=cl.sprite, ppc=ppc, obj=cl)
        self.containers.append(c)
        ht = vis.hands[h]
        ht.move(t + 0.4, start + hold_off, bulge=(0, 0, 3))
        vis.grips[h].append((t + 0.35, "grip"))
        rest = np.array([(float(pu.max() + pu.min()) / 2) + rng.uniform(-1.5, 1.5), (float(pv.max() + pv.min()) / 2) + rng.uniform(-1.5, 1.5), 4.0])
        tr.hold(t + 0.4)
        tr.move(t + 0.4 + rng.uniform(0.6, 1.0), rest, bulge=(0, 0, 10))
        ht.follow(tr.end, tr, hold_off)
        t_down = tr.end
        vis.grips[h].append((t_down, "open"))
        stay = rng.uniform(3.8, 10.0) if incident else rng.uniform(0.0, 0.6)
        if stay > 2.0:
            self.hand_return(vis, h, t_down)
            self.idle_to(vis, h, t_down + stay - 0.6)
            ht.move(t_down + stay, lambda tt: tr.at(tt) + hold_off)
        else:
            ht.tremor(t_down + stay, 1.0, int(rng.integers(1, 1 << 30)))
        tr.hold(t_down + stay)
        vis.grips[h].append((t_down + stay, "grip"))
        t_pick = t_down + stay
        rel = np.array([(-1 if h == 0 else 1) * 8, 0, -26])
        tr.move(t_pick + rng.uniform(0.6, 1.0), lambda tt: vis.torso.at(tt) + rel, bulge=(0, 0, 8))
        t_gone = tr.end
        ht.follow(t_gone, tr, hold_off)
        vis.grips[h].append((t_gone, "open"))
        c.t_hide = t_gone
        t_end = self.hand_return(vis, h, t_gone)
        span = self._cloth_blocked(c, t, t_gone)
        what = "%s on the scanner" % cl.kind
        if span is None:
            self.event("occlusion", t_down, t_pick, note="%s partly on the scanner" % cl.kind)
            return t_end
        dur = span[1] - span[0]
        if dur >= 3.0 and (incident or dur >= 3.3):
            self.incidents.append({"type": "occlusion", "start": span[0], "end": span[1], "transaction": vis.transaction,
                                   "note": what, "_cloth": c})
            self.event("occlusion", span[0], span[1], note=what, incident="occlusion")
            if incident and dur < 3.3:
                self.log.append("occlusion of only %.1fs kept as an incident" % dur)
        else:
            self.event("occlusion", span[0], span[1], note=what + ", brief")
            if incident:
                self.log.append("planned occlusion came out at %.1fs; recorded as brief" % dur)
        return t_end

    def scan_samples(self):
        """Points spread over the scan polygon, normalized image coordinates."""
        if not hasattr(self, "_scan_pts"):
            poly = self.lay.zones["scan"]
            xs = [p[0] for p in poly]
            ys = [p[1] for p in poly]
            gx, gy = np.meshgrid(np.linspace(min(xs), max(xs), 40), np.linspace(min(ys), max(ys), 40))
            import raster as R
            m = R.points_in_polygon(gx, gy, poly)
            self._scan_pts = (gx[m], gy[m])
        return self._scan_pts

    def cloth_coverage(self, c, t):
        L = self.lay
        px, py = self.scan_samples()
        p = c.pose(t)
        u, v = L.unproj(px * L.W, py * L.H, p[2])
        du, dv = u - p[0], v - p[1]
        ca, sa = math.cos(-c.ang), math.sin(-c.ang)
        lu = du * ca - dv * sa
        lv = du * sa + dv * ca
        return float(c.obj.covers(lu, lv).mean())

    def _cloth_blocked(self, c, t0, t1):
        ts = np.arange(t0, t1, 0.02)
        cov = np.array([self.cloth_coverage(c, tt) for tt in ts])
        idx = np.nonzero(cov >= 0.6)[0]
        if len(idx) == 0:
            return None
        return ts[idx[0]], ts[idx[-1]]

    def _lens_block(self, vis, t, incident):
        rng = self.rng
        b = A.lens_blocker(rng)
        slide = rng.uniform(0.25, 0.6)
        hold = rng.uniform(3.6, 8.0) if incident else rng.uniform(0.3, 1.2)
        rec = dict(blk=b, t0=t, t_in=t + slide, t_out=t + slide + hold, t1=t + 2 * slide + hold)
        self.lens.append(rec)
        span = self._lens_span(rec)
        if span:
            if span[1] - span[0] >= 3.3:
                self.incidents.append({"type": "occlusion", "start": span[0], "end": span[1],
                                       "transaction": vis.transaction if vis else None, "note": "%s over the lens" % b["kind"],
                                       "_lens": rec})
                self.event("occlusion", span[0], span[1], note="%s over the lens" % b["kind"], incident="occlusion")
                self._occl_needed = False
            else:
                self.event("occlusion", span[0], span[1], note="%s over the lens, brief" % b["kind"])
        return rec["t1"] + rng.uniform(0.3, 1.0)

    def lens_t_in(self, rec, t):
        if t <= rec["t0"] or t >= rec["t1"]:
            return 0.0
        if t < rec["t_in"]:
            return (t - rec["t0"]) / (rec["t_in"] - rec["t0"])
        if t <= rec["t_out"]:
            return 1.0
        return (rec["t1"] - t) / (rec["t1"] - rec["t_out"])

    def lens_coverage(self, rec, t):
        """Share of the view hidden (opacity above one half)."""
        L = self.lay
        gx, gy = np.meshgrid(np.linspace(0, L.W, 48), np.linspace(0, L.H, 27))
        return float((A.lens_alpha(rec["blk"], gx, gy, L.W, L.H, self.lens_t_in(rec, t)) > 0.5).mean())

    def _lens_span(self, rec):
        ts = np.arange(rec["t0"], rec["t1"], 0.02)
        cov = np.array([self.lens_coverage(rec, tt) for tt in ts])
        idx = np.nonzero(cov >= 0.6)[0]
        if len(idx) == 0:
            return None
        return ts[idx[0]], ts[idx[-1]]

    def _idle_lens_block(self):
        """Make sure a long session has an occlusion: someone covers the camera between customers."""
        gaps = []
        prev = 0.0
        for v in self.visits:
            gaps.append((prev, v.t0))
            prev = v.t1
        gaps.append((prev, self.T))
        gaps = [g for g in gaps if g[1] - g[0] > 11]
        if not gaps:
            self.log.append("no room for an occlusion incident")
            return
        g = gaps[int(self.rng.integers(0, len(gaps)))]
        t = self.rng.uniform(g[0] + 1, g[1] - 10)
        self._lens_block(None, t, incident=True)

    def _pay(self, vis, t):
        rng, L = self.rng, self.lay
        t = self._tap_screen(vis, t, "pay")
        term = L.terminal
        tender = rng.choice(["card", "card", "card", "mobile", "cash"])
        h = 1
        if tender == "cash":
            su0, su1, sv0, sv1, sh = L.screen_world
            target = np.array([su1 - 3, sv1 + 2, sh - 6])
        else:
            target = np.array([term["cu"] + rng.uniform(-2, 2), term["cv"] + rng.uniform(-3, 3), term["h"] + 3])
        # Lean in toward where the hand goes.
        home = vis.home
        lean = np.array([np.clip(target[0] - home[0], -15, 15) * 0.5, -rng.uniform(5, 14), 0])
        t_arr = self.hand_to(vis, h, t + self.reach_time(vis, h, target) + 0.2, target)
        tor = vis.torso
        tor.hold(max(tor.end, t))
        tor.move(t_arr, home + lean, ease="smooth")
        vis.props.append((h, t_arr - 0.6, t_arr + 0.1, "card" if tender != "mobile" else "phone"))
        wait = rng.uniform(1.5, 5.0)
        vis.hands[h].tremor(t_arr + wait, 0.8, int(rng.integers(1, 1 << 30)))
        vis.props.append((h, t_arr + 0.1, t_arr + wait, "card" if tender != "mobile" else "phone"))
        tor.tremor(t_arr + wait, 1.0, int(rng.integers(1, 1 << 30)))
        t_end = self.hand_return(vis, h, t_arr + wait)
        tor.move(t_end + 0.3, home)
        items_total = 0.0
        for ev in self.pos:
            if ev["transaction"] == vis.transaction:
                if ev["type"] == "item":
                    items_total += ev["quantity"] * ev["unit_price"]
                elif ev["type"] == "void":
                    items_total -= ev["quantity"] * ev["unit_price"]
        self.add_pos(t_arr + wait + rng.uniform(0.2, 1.2), "transaction_end", vis.transaction, total=round(items_total, 2),
                     tender=str(tender))
        self.screen_marks.append((t_arr + wait, "paid"))
        self.event("lean_in", t_arr - 0.6, t_end)
        return t_end

    def _take_bags(self, vis, t):
        """Lift each bag off the rails and hang it at the customer's side."""
        rng = self.rng
        for k, bag in enumerate(vis.bags):
            h = 1 if k == len(vis.bags) - 1 else 0
            bp = bag.pose(t)
            g = np.array([0.0, -bag.d / 2 + 2, 4.0])
            target = bp + g
            t_arr = self.hand_to(vis, h, max(t, vis.hands[h].end) + self.reach_time(vis, h, target), target)
            vis.grips[h].append((t_arr - 0.08, "grip"))
            bag.track.hold(t_arr)
            side = np.array([(-1 if h == 0 else 1) * vis.person.shoulder_w * 0.55, 4.0, -38.0])
            dur = rng.uniform(0.8, 1.3)
            bag.track.move(t_arr + dur, lambda tt, side=side: vis.torso.at(tt) + side, bulge=(0, 0, 14))
            bag.side = side
            vis.hands[h].follow(t_arr + dur, bag.track, g)
            vis.grips[h].append((t_arr + dur, "open"))
            self.hand_return(vis, h, t_arr + dur)
            t = t_arr + dur * 0.7
            self.event("bag_out", t_arr, t_arr + dur)
        return max(t, vis.hands[0].end, vis.hands[1].end)

    def _leave(self, vis, t):
        rng = self.rng
        tor = vis.torso
        carried = [b for b in vis.bags if hasattr(b, "side")]
        basket = getattr(vis, "basket", None)
        if basket is not None:
            if rng.random() < 0.8:
                g = np.array([0.0, 10.0, 15.0])
                bp = basket.pose(t)
                t_arr = self.hand_to(vis, 0, max(t, vis.hands[0].end) + self.reach_time(vis, 0, bp + g), bp + g)
                vis.grips[0].append((t_arr - 0.08, "grip"))
                basket.track.hold(t_arr)
                side = np.array([-vis.person.shoulder_w * 0.5, 6, -42])
                basket.track.move(t_arr + 0.9, lambda tt: tor.at(tt) + side, bulge=(0, 0, 8))
                basket.side = side
                vis.hands[0].follow(t_arr + 0.9, basket.track, g)
                vis.grips[0].append((t_arr + 0.9, "open"))
                self.hand_return(vis, 0, t_arr + 0.9)
                carried.append(basket)
                t = t_arr + 0.9
                self.event("basket_out", t_arr, t)
            else:
                basket.track.hold(t)
                self.left_basket = basket
        tor.hold(max(tor.end, t))
        side_out = -1 if rng.random() < 0.5 else 1
        dur = rng.uniform(2.0, 3.2)
        out = vis.home + np.array([side_out * 180, 30, 0])
        t0 = tor.end
        tor.move(t0 + dur, out, ease="in")
        t_end = t0 + dur
        for c in carried:
            c.track.follow(t_end, tor, c.side)
            c.t_hide = t_end
        for h in (0, 1):
            self.idle_to(vis, h, t_end)
        for it in self.items:
            ph = it.phases[-1]
            if ph[1] > 1e17 and ph[2] == "in" and ph[3][0] in carried:
                ph[1] = ph[3][0].t_hide
        return t_end

    # ------------------------------------------------------------ background life
    def _walkers(self):
        rng, L = self.rng, self.lay
        n = int(rng.poisson(self.T / 22.0))
        for _ in range(n):
            p = A.Person(rng)
            t0 = rng.uniform(-3, self.T)
            speed = rng.uniform(80, 150)
            d = 1 if rng.random() < 0.5 else -1
            busy = any(v.t0 - 2 < t0 < v.t1 + 2 for v in self.visits)
            far = rng.random() < 0.35
            v_w = self._edge_v(far, close=not busy and not far and rng.random() < 0.5)
            if v_w is None:
                continue
            u0, u1 = (-120, L.L + 120) if d > 0 else (L.L + 120, -120)
            dur = abs(u1 - u0) / speed
            tr = Track(t0, (u0, v_w, 50.0))
            tr.move(t0 + dur, (u1, v_w + rng.uniform(-10, 10), 50.0), ease="linear")
            self.walkers.append(dict(person=p, track=tr, dir=d, t0=t0, t1=t0 + dur, far=far))
            self.event("walker", max(0.0, t0), min(self.T, t0 + dur), note="far side" if far else "behind the customer")

    def _edge_v(self, far, close):
        """A world v whose projection (at shoulder height) just grazes the frame edge."""
        L = self.lay
        um = L.L / 2
        if close:
            return L.D + 30.0
        sgn = -1 if far else 1
        v = L.D + 10 if not far else -L.Dback - 20
        for _ in range(200):
            x, y = L.proj(um, v, 50.0)
            if not (-60 < x < L.W + 60 and -60 < y < L.H + 60):
                return v - sgn * self.rng.uniform(8, 22)
            v += sgn * 2
        return None

    def _lighting(self):
        rng = self.rng
        self.light = dict(
            drift_amp=rng.uniform(0.02, 0.09), drift_per=rng.uniform(40, 200), drift_ph=rng.uniform(0, 6.3),
            wb=rng.uniform(-0.05, 0.05, 3), wb_per=rng.uniform(60, 300),
            flicker_amp=rng.uniform(0.0, 0.045), mains=rng.choice([100.0, 120.0]),
            band=rng.random() < 0.3, band_rows=rng.uniform(0.6, 2.5),
        )
        self.dims = []
        for _ in range(int(rng.integers(0, 3))):
            t0 = rng.uniform(0, self.T)
            dur = rng.uniform(4, 40)
            lvl = rng.uniform(0.5, 0.8)
            self.dims.append((t0, t0 + dur, lvl))
            self.event("light_change", t0, min(self.T, t0 + dur), note="lights dim to %.0f%%" % (lvl * 100))
        self.bursts = []
        for _ in range(int(rng.integers(0, 3))):
            t0 = rng.uniform(0, self.T)
            dur = rng.uniform(0.8, 4)
            self.bursts.append((t0, t0 + dur, rng.uniform(0.08, 0.25)))
            self.event("flicker", t0, min(self.T, t0 + dur))
        self.blurs = []
        for _ in range(int(rng.integers(0, 3))):
            t0 = rng.uniform(0, self.T)
            dur = rng.uniform(0.6, 2.5)
            self.blurs.append((t0, t0 + dur, int(rng.integers(2, 5))))
            self.event("blur", t0, min(self.T, t0 + dur))

    def gain(self, t):
        """Scene brightness multiplier (without the per-frame flicker)."""
        lt = self.light
        g = 1.0 + lt["drift_amp"] * math.sin(2 * math.pi * t / lt["drift_per"] + lt["drift_ph"])
        for t0, t1, lvl in self.dims:
            if t0 <= t < t1:
                # A few frames of transition, not a perfect step.
                k = min(1.0, (t - t0) / 0.15, (t1 - t) / 0.3)
                g *= 1 - (1 - lvl) * k
        return g

    # ------------------------------------------------------------ output
    def pos_lines(self):
        rng = self.rng
        out = []
        evs = sorted(self.pos, key=lambda e: e["tc"])
        for ev in evs:
            d = {"time": iso(self.t_epoch0 + ev["tc"] + self.offset), "store": self.store, "lane": self.lane,
                 "type": ev["type"], "transaction": ev["transaction"]}
            for k in ("sku", "barcode", "description", "quantity", "unit_price", "entry", "total", "tender", "operator"):
                if k in ev:
                    d[k] = ev[k]
            if self.use_event_ids:
                d["id"] = "%s-%07d" % (self.lane, int(self.nid()))
            out.append(d)
        del rng
        return out


def _rot_off(G, GA, t, off):
    g = G.at(t)
    a = float(GA.at(t)[0])
    ca, sa = math.cos(a), math.sin(a)
    return np.array([g[0] + off[0] * ca - off[1] * sa, g[1] + off[0] * sa + off[1] * ca, g[2] + off[2]])
