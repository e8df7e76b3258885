"""Procedural products: a catalog with prices and barcodes, and top-view sprites.

Each product has its own seed, and its print is a function of centimetre
coordinates, so the catalog reference picture and the item in the video show
the same design at different resolutions and lighting.
"""

import math

import numpy as np

import raster as R

F = np.float32

VIVID = [(200, 30, 40), (230, 120, 20), (240, 200, 30), (40, 140, 60), (20, 90, 170), (110, 40, 140),
         (230, 230, 225), (30, 30, 34), (160, 20, 90), (0, 150, 160), (150, 90, 40), (250, 160, 180),
         (90, 160, 220), (60, 70, 80), (190, 200, 60), (120, 20, 20)]

NAMES = {
    "box": ["Oat Crunch Cereal 500g", "Wholegrain Crackers 250g", "Green Tea 40 bags", "Fusilli Pasta 500g",
            "Rice Puffs 375g", "Choco Biscuits 300g", "Muesli Fruit 750g", "Cat Food Pouches 12x85g",
            "Dishwasher Tabs 30", "Cornflakes 500g", "Lasagne Sheets 250g", "Cocoa Powder 250g", "Tissues 3-ply"],
    "can": ["Tomato Soup 400g", "Cola 330ml", "Chickpeas 400g", "Tuna in Oil 160g", "Sparkling Lime 330ml",
            "Sweetcorn 340g", "Coconut Milk 400ml", "Energy Drink 500ml", "Baked Beans 415g"],
    "bottle": ["Orange Juice 1L", "Still Water 1.5L", "Olive Oil 750ml", "Ketchup 500ml", "Cola 1.25L",
               "Laundry Liquid 1L", "Shampoo 400ml", "Red Wine 75cl", "Soy Sauce 250ml", "Apple Juice 1L"],
    "snack": ["Sea Salt Crisps 150g", "Paprika Chips 175g", "Tortilla Chips 200g", "Gummy Bears 200g",
              "Salted Pretzels 175g", "Trail Mix 200g", "Popcorn Sweet 100g"],
    "carton": ["Whole Milk 1L", "Oat Drink 1L", "Orange Juice 1L", "Cream 500ml", "Almond Drink 1L"],
    "jar": ["Strawberry Jam 340g", "Honey 450g", "Pasta Sauce 500g", "Peanut Butter 340g", "Pickles 670g"],
    "tray": ["Beef Steak 400g", "Chicken Breast 500g", "Pork Chops 600g", "Salmon Fillets 240g", "Minced Beef 500g"],
    "eggs": ["Free Range Eggs 6", "Eggs Large 12"],
    "bread": ["Sourdough Loaf", "Seeded Bloomer", "Baguette", "Rye Bread 500g"],
}

PRODUCE = [
    # name, plu, kind, size (cm), colour(s), price/kg or each, weighed?
    ("Bananas", "4011", "banana", (19, 12), [(232, 200, 50)], 1.29, True),
    ("Gala Apples", "4133", "round", (7.5, 7.5), [(190, 40, 40), (230, 170, 60)], 2.79, True),
    ("Granny Smith Apples", "4017", "round", (7.8, 7.8), [(120, 190, 70), (150, 200, 90)], 2.99, True),
    ("Navel Oranges", "4012", "round", (8.2, 8.2), [(240, 140, 30), (250, 160, 40)], 2.49, True),
    ("Lemons", "4053", "lemon", (8.5, 6.2), [(245, 220, 60)], 0.59, False),
    ("Limes", "4048", "round", (5.5, 5.5), [(80, 160, 50)], 0.39, False),
    ("Avocado Hass", "4046", "oval", (10.5, 7.2), [(50, 70, 35)], 1.49, False),
    ("Red Peppers", "4088", "pepper", (8.5, 8.0), [(200, 30, 25)], 4.49, True),
    ("Brown Onions", "4093", "round", (7.5, 7.5), [(190, 130, 60), (160, 100, 45)], 1.19, True),
    ("Potatoes", "4072", "oval", (9.0, 6.5), [(180, 140, 90)], 0.99, True),
    ("Tomatoes on Vine", "4664", "round", (6.5, 6.5), [(220, 40, 30)], 3.99, True),
    ("Broccoli", "4060", "broc", (14, 12), [(60, 120, 50)], 2.29, True),
    ("Aubergine", "4081", "oval", (18, 8.5), [(70, 30, 70)], 0.99, False),
]


def ean13(rng, prefix):
    digits = [int(c) for c in prefix] + [int(x) for x in rng.integers(0, 10, size=12 - len(prefix))]
    s = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - s % 10) % 10)


class Product:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def size(self):
        return self.dims  # (long, short) cm, canonical long axis along x


def make_catalog(rng, n_packaged, n_produce):
    prods = []
    used_names = set()
    kinds = ["box", "box", "can", "can", "bottle", "bottle", "snack", "carton", "jar", "tray", "eggs", "bread"]
    prefix = rng.choice(["50", "40", "87", "30", "00", "76"])
    while len(prods) < n_packaged:
        kind = kinds[int(rng.integers(0, len(kinds)))]
        name = NAMES[kind][int(rng.integers(0, len(NAMES[kind])))]
        if name in used_names:
            continue
        used_names.add(name)
        bc = ean13(rng, prefix)
        p = Product(kind=kind, description=name, sku=bc, barcode=bc, seed=int(rng.integers(1, 1 << 30)),
                    weighed=False, plu=False)
        _packaged_look(rng, p)
        prods.append(p)
    idx = rng.permutation(len(PRODUCE))[:n_produce]
    for i in idx:
        name, plu, shape, dims, cols, price, weighed = PRODUCE[i]
        p = Product(kind="produce", shape=shape, description=name, sku=plu, barcode=plu,
                    seed=int(rng.integers(1, 1 << 30)), dims=(dims[0] * rng.uniform(0.92, 1.08), dims[1] * rng.uniform(0.92, 1.08)),
                    colors=[np.array(c, dtype=F) for c in cols], unit_price=price, weighed=weighed, plu=True,
                    height=dims[1] * 0.8, weight_g=int(rng.uniform(120, 260)) if not weighed else None)
        prods.append(p)
    return prods


def _packaged_look(rng, p):
    k = p.kind
    pick = lambda: np.array(VIVID[int(rng.integers(0, len(VIVID)))], dtype=F) * rng.uniform(0.85, 1.1)
    p.colors = [pick(), pick(), pick()]
    if k == "box":
        p.dims = (rng.uniform(16, 30), rng.uniform(10, 21)); p.height = rng.uniform(4, 8); price = rng.uniform(1.5, 6.5)
    elif k == "can":
        d = rng.uniform(6.5, 10); p.dims = (d, d); p.height = rng.uniform(9, 13); price = rng.uniform(0.7, 3.5)
    elif k == "bottle":
        p.dims = (rng.uniform(19, 32), rng.uniform(6, 9.5)); p.height = p.dims[1]; price = rng.uniform(1.0, 9.0)
        p.liquid = np.array(rng.choice([(240, 150, 30), (60, 30, 20), (170, 200, 230), (200, 170, 40), (120, 10, 30), (230, 230, 240)]), dtype=F)
        p.opaque = rng.random() < 0.35
        if "Wine" in p.description:
            price = rng.uniform(6, 24); p.liquid = np.array((30, 50, 30), dtype=F)
    elif k == "snack":
        p.dims = (rng.uniform(20, 30), rng.uniform(14, 21)); p.height = rng.uniform(5, 8); price = rng.uniform(1.2, 4.5)
    elif k == "carton":
        s = rng.uniform(7, 9.5); p.dims = (s, s); p.height = 24; price = rng.uniform(0.9, 3.2)
    elif k == "jar":
        d = rng.uniform(7, 10); p.dims = (d, d); p.height = rng.uniform(9, 14); price = rng.uniform(1.8, 6.5)
        p.content = np.array(rng.choice([(160, 20, 40), (220, 150, 30), (180, 50, 30), (150, 100, 50), (120, 140, 60)]), dtype=F)
    elif k == "tray":
        p.dims = (rng.uniform(18, 25), rng.uniform(13, 18)); p.height = 4; price = rng.uniform(5.5, 24)
        p.meat = np.array(rng.choice([(170, 40, 50), (230, 170, 160), (200, 80, 80), (240, 120, 90)]), dtype=F)
        p.foam = np.array(rng.choice([(235, 235, 230), (30, 30, 32)]), dtype=F)
    elif k == "eggs":
        n = rng.choice([6, 12]); p.n_eggs = int(n)
        p.dims = (15.5 if n == 6 else 30, 10.5); p.height = 7; price = rng.uniform(1.8, 4.5)
        p.colors[0] = np.array(rng.choice([(190, 180, 160), (150, 150, 150), (200, 190, 170)]), dtype=F)
    else:  # bread
        p.dims = (rng.uniform(22, 34), rng.uniform(10, 15)); p.height = 9; price = rng.uniform(1.4, 4.5)
        p.colors[0] = np.array(rng.choice([(190, 130, 70), (160, 100, 50), (210, 170, 110)]), dtype=F)
    p.unit_price = round(price, 2) - (0.01 if rng.random() < 0.5 else 0.0)
    p.unit_price = max(0.29, round(p.unit_price, 2))
    p.weight_g = int(p.dims[0] * p.dims[1] * p.height * rng.uniform(0.3, 0.8))


# ================================================================ rendering

def render(p, ppc, light=1.0):
    """Top view of a product as an RGBA float32 sprite, long axis along x."""
    L, S = p.dims
    pad = 0.6
    w = int(math.ceil((L + 2 * pad) * ppc)) | 1
    h = int(math.ceil((S + 2 * pad) * ppc)) | 1
    # Centimetre coordinates of pixel centres, origin at the product centre.
    x = ((np.arange(w, dtype=F) + 0.5) - w / 2) / ppc
    y = ((np.arange(h, dtype=F) + 0.5) - h / 2) / ppc
    X = np.broadcast_to(x[None, :], (h, w))
    Y = np.broadcast_to(y[:, None], (h, w))
    aa = 0.75 / ppc
    fn = _RENDERERS[p.kind if p.kind != "produce" else "produce_" + p.shape]
    rgb, sd = fn(p, X, Y)
    a = np.clip(0.5 - sd / (2 * aa), 0, 1)
    out = np.zeros((h, w, 4), dtype=F)
    out[..., :3] = np.clip(rgb * light, 0, 255)
    out[..., 3] = a
    return out


def _shade_flat(X, Y, L, S):
    # Soft bevel near the edges and a broad highlight.
    ex = np.clip((L / 2 - np.abs(X)) / 1.0, 0, 1)
    ey = np.clip((S / 2 - np.abs(Y)) / 1.0, 0, 1)
    bevel = 0.78 + 0.22 * np.minimum(ex, ey)
    hl = 1.0 + 0.08 * np.exp(-((X + L * 0.2) ** 2 + (Y + S * 0.25) ** 2) / (0.15 * L * S))
    return (bevel * hl)[..., None]


def _text_lines(X, Y, seed, x0, y0, x1, y1, rows, ink):
    """Rows of dashes that read as print from a distance; returns mask."""
    inside = (X > x0) & (X < x1) & (Y > y0) & (Y < y1)
    ry = (Y - y0) / max(y1 - y0, 1e-3) * rows
    row = np.floor(ry)
    line = (ry - row) < 0.55
    word = R.vnoise(X * 1.3, row * 7.0, seed) > 0.35
    return inside & line & word


def _logo(X, Y, cx, cy, rx, ry):
    return ((X - cx) / rx) ** 2 + ((Y - cy) / ry) ** 2 < 1


def _r_box(p, X, Y):
    L, S = p.dims
    c0, c1, c2 = p.colors
    sd = p.seed
    rng = np.random.default_rng(sd)
    rgb = np.empty(X.shape + (3,), dtype=F)
    rgb[:] = c0
    # A diagonal or straight band, a logo, a food-picture blob, print lines.
    ang = rng.uniform(-0.6, 0.6)
    band = np.abs((Y * math.cos(ang) - X * math.sin(ang)) - rng.uniform(-S / 4, S / 4)) < rng.uniform(1.0, S / 4)
    rgb[band] = c1
    pic = R.fbm(X / 3 + 10, Y / 3, sd, 3)
    blob = (((X - L * 0.22) / (L * 0.22)) ** 2 + ((Y - S * 0.1) / (S * 0.3)) ** 2 + (pic - 0.5) * 1.2) < 1
    food = np.stack([150 + 100 * pic, 90 + 80 * pic, 40 + 50 * pic], -1)
    rgb[blob] = food[blob]
    lg = _logo(X, Y, -L * 0.2, -S * 0.18, L * 0.2, S * 0.16)
    rgb[lg] = c2
    txt = _text_lines(X, Y, sd + 1, -L * 0.36, -S * 0.26, -L * 0.04, -S * 0.1, 2, None)
    rgb[txt] = np.where(c2.mean() > 128, 30, 240)
    small = _text_lines(X, Y, sd + 2, -L * 0.42, S * 0.2, L * 0.1, S * 0.42, 3, None)
    rgb[small] = np.where(c0.mean() > 128, 40, 230)
    rgb *= _shade_flat(X, Y, L, S)
    return rgb, R.sdf_rrect(X, Y, 0, 0, L / 2, S / 2, 0, 0.4)


def _r_can(p, X, Y):
    d = p.dims[0]
    r = d / 2
    rr = np.sqrt(X * X + Y * Y)
    c0 = p.colors[0]
    metal = 175 + 40 * np.cos(np.arctan2(Y, X) * 2 + 0.7)
    tint = (1.0, 1.0, 1.02) if "ml" in p.description else (1.05, 0.93, 0.7)
    rgb = np.stack([metal * tint[0], metal * tint[1], metal * tint[2]], -1).astype(F)
    ring = (rr > r * 0.78) & (rr < r * 0.86)
    rgb[ring] *= 0.72
    rim = rr > r * 0.9
    rgb[rim] = rgb[rim] * 0.6 + c0 * 0.4
    # Coloured label visible as a crescent, and a tab or a printed lid.
    cres = (np.sqrt((X + r * 0.22) ** 2 + (Y + r * 0.14) ** 2) > r * 0.97) & (rr <= r)
    rgb[cres] = c0
    if "ml" in p.description:
        tab = (np.abs(Y) < r * 0.16) & (X > -r * 0.05) & (X < r * 0.45)
        rgb[tab] *= 0.8
        hole = ((X - r * 0.42) ** 2 + Y * Y) < (r * 0.12) ** 2
        rgb[hole] = (60, 60, 62)
    else:
        lid = rr < r * 0.74
        lid_col = c0 * 0.25 + rgb * 0.75
        rgb[lid] = lid_col[lid]
    return rgb, rr - r


def _cyl_shade(Y, S):
    t = np.clip(Y / (S / 2), -1, 1)
    base = 0.55 + 0.45 * np.sqrt(np.clip(1 - t * t, 0, 1))
    spec = 0.35 * np.exp(-((t + 0.35) ** 2) / 0.01)
    return base[..., None], spec[..., None]


def _r_bottle(p, X, Y):
    L, S = p.dims
    r = S / 2
    neck0 = L / 2 - L * 0.28
    # Radius along the body: full, then tapering to the neck and cap.
    t = np.clip((X - neck0) / (L * 0.16), 0, 1)
    prof = r * (1 - 0.62 * (t * t * (3 - 2 * t)))
    sdf = np.abs(Y) - prof
    sdf = np.maximum(sdf, np.abs(X) - L / 2)
    rgb = np.empty(X.shape + (3,), dtype=F)
    if p.opaque:
        rgb[:] = p.colors[0]
    else:
        rgb[:] = p.liquid * 0.7 + 40
    cap = X > L / 2 - L * 0.07
    rgb[cap] = p.colors[2]
    lab = (X > -L * 0.3) & (X < L * 0.12)
    rgb[lab] = p.colors[1]
    txt = _text_lines(X, Y, p.seed + 3, -L * 0.26, -r * 0.6, L * 0.08, r * 0.6, 3, None)
    rgb[txt & lab] = np.where(p.colors[1].mean() > 128, 30, 235)
    shade, spec = _cyl_shade(Y, 2 * prof)
    rgb = rgb * shade + 255 * spec * (0.5 if p.opaque else 1.0)
    return rgb, sdf


def _r_snack(p, X, Y):
    L, S = p.dims
    c0, c1, c2 = p.colors
    sd = p.seed
    crinkle = R.fbm(X * 0.9, Y * 0.9, sd + 5, 3)
    rgb = np.empty(X.shape + (3,), dtype=F)
    rgb[:] = c0
    seal = np.abs(X) > L / 2 - 1.6
    rgb[seal] = c0 * 0.85
    win = _logo(X, Y, L * 0.1, S * 0.05, L * 0.24, S * 0.3)
    pic = R.fbm(X / 2, Y / 2, sd + 6, 3)
    chips = np.stack([200 + 50 * pic, 160 + 60 * pic, 60 + 40 * pic], -1)
    rgb[win] = chips[win]
    lg = _logo(X, Y, -L * 0.2, -S * 0.1, L * 0.16, S * 0.2)
    rgb[lg] = c1
    txt = _text_lines(X, Y, sd + 7, -L * 0.32, -S * 0.2, -L * 0.08, -S * 0.0, 2, None)
    rgb[txt] = c2
    # Pillow shading plus crinkles with glossy highlights.
    pil = 0.7 + 0.3 * np.sqrt(np.clip(1 - (Y / (S / 2)) ** 2, 0, 1))
    gl = np.clip((crinkle - 0.62) * 4, 0, 1) * 110
    rgb = rgb * (pil * (0.8 + 0.4 * crinkle))[..., None] + gl[..., None]
    serr = 0.35 * (np.abs(((Y * 1.5) % 1) - 0.5))
    sdf = np.maximum(np.abs(X) - (L / 2 - serr), np.abs(Y) - S / 2 * (1 - 0.05 * (X / (L / 2)) ** 2))
    return rgb, sdf


def _r_carton(p, X, Y):
    s = p.dims[0]
    c0, c1, c2 = p.colors
    rgb = np.empty(X.shape + (3,), dtype=F)
    rgb[:] = (235, 235, 230)
    # Gable top: two slopes meeting at a ridge, ridge fin along x.
    slope = np.where(Y < 0, 0.85, 1.05)
    band = np.abs(np.abs(Y) - s * 0.28) < s * 0.1
    rgb[band] = c0
    lg = _logo(X, np.abs(Y), 0, s * 0.3, s * 0.22, s * 0.12)
    rgb[lg] = c1
    ridge = np.abs(Y) < s * 0.05
    rgb[ridge] = c2 * 0.5 + 120
    spout = ((X - s * 0.25) ** 2 + (Y - s * 0.2) ** 2) < (s * 0.1) ** 2
    rgb[spout] = (250, 250, 250)
    rgb = rgb * slope[..., None] if np.ndim(slope) else rgb
    return rgb, R.sdf_rrect(X, Y, 0, 0, s / 2, s / 2, 0, 0.3)


def _r_jar(p, X, Y):
    r = p.dims[0] / 2
    rr = np.sqrt(X * X + Y * Y)
    rgb = np.empty(X.shape + (3,), dtype=F)
    rgb[:] = p.content * 0.8
    lid = rr < r * 0.78
    lc = p.colors[0]
    shine = 0.75 + 0.25 * np.cos(np.arctan2(Y, X) + 2.2)
    rgb[lid] = (lc * shine[..., None])[lid]
    ring = (rr > r * 0.6) & (rr < r * 0.66)
    rgb[ring] *= 0.75
    glass = (rr > r * 0.86)
    rgb[glass] = rgb[glass] * 0.6 + 90
    return rgb, rr - r


def _r_tray(p, X, Y):
    L, S = p.dims
    sd = p.seed
    rgb = np.empty(X.shape + (3,), dtype=F)
    rgb[:] = p.foam
    inner = R.sdf_rrect(X, Y, 0, 0, L / 2 - 1.4, S / 2 - 1.4, 0, 1.5) < 0
    n = R.fbm(X / 1.6, Y / 1.6, sd + 8, 4)
    fat = (R.fbm(X / 0.9 + 3, Y / 0.9, sd + 9, 3) > 0.62)
    meat = p.meat[None, None, :] * (0.75 + 0.5 * n)[..., None]
    meat[fat] = (235, 225, 215)
    rgb[inner] = meat[inner]
    # Film glare streaks and a price label.
    glare = np.clip(np.sin((X * 0.8 + Y * 1.7)) - 0.85, 0, 1) * 600
    rgb += glare[..., None] * inner[..., None]
    lab = (X > L * 0.1) & (X < L * 0.42) & (Y > -S * 0.42) & (Y < -S * 0.12)
    rgb[lab] = (245, 245, 240)
    txt = _text_lines(X, Y, sd + 10, L * 0.13, -S * 0.38, L * 0.39, -S * 0.16, 3, None)
    rgb[txt] = (40, 40, 40)
    return rgb, R.sdf_rrect(X, Y, 0, 0, L / 2, S / 2, 0, 1.2)


def _r_eggs(p, X, Y):
    L, S = p.dims
    rgb = np.empty(X.shape + (3,), dtype=F)
    rgb[:] = p.colors[0]
    cols = p.n_eggs // 2
    cx = (np.floor((X / L + 0.5) * cols) + 0.5) / cols * L - L / 2
    cy = np.where(Y < 0, -S / 4, S / 4)
    d = np.sqrt(((X - cx) / (L / cols / 2)) ** 2 + ((Y - cy) / (S / 4)) ** 2)
    bump = np.clip(1 - d, 0, 1)
    rgb *= (0.8 + 0.35 * bump)[..., None]
    lab = (np.abs(X) < L * 0.3) & (np.abs(Y) < S * 0.12)
    rgb[lab] = p.colors[1]
    return rgb, R.sdf_rrect(X, Y, 0, 0, L / 2, S / 2, 0, 1.0)


def _r_bread(p, X, Y):
    L, S = p.dims
    sd = p.seed
    e = (X / (L / 2)) ** 2 + (Y / (S / 2)) ** 2
    n = R.fbm(X / 2, Y / 2, sd + 11, 3)
    crust = p.colors[0] * (0.7 + 0.5 * n)[..., None]
    score = (np.abs(((X + Y * 0.6) / (L / 5)) % 1 - 0.5) < 0.05) & (e < 0.7)
    crust[score] = p.colors[0] * 1.3
    dome = (0.65 + 0.35 * np.sqrt(np.clip(1 - e, 0, 1)))[..., None]
    rgb = crust * dome
    # Clear bag: a pale sheen over the loaf with a knot at one end.
    sheen = np.clip(np.sin(X * 1.1 + Y * 0.4) - 0.8, 0, 1) * 300
    rgb += sheen[..., None]
    sdf = (np.sqrt(e) - 1) * min(L, S) / 2
    return rgb, sdf


def _produce_colour(p, X, Y, n):
    c = p.colors
    if len(c) > 1:
        m = np.clip((R.fbm(X / 2.5, Y / 2.5, p.seed + 12, 3) - 0.35) * 2.5, 0, 1)[..., None]
        base = c[0] * (1 - m) + c[1] * m
    else:
        base = np.broadcast_to(c[0], X.shape + (3,)).astype(F)
    return base * (0.85 + 0.3 * n)[..., None]


def _sphere_shade(X, Y, rx, ry):
    e = (X / rx) ** 2 + (Y / ry) ** 2
    z = np.sqrt(np.clip(1 - e, 0, 1))
    spec = np.exp(-(((X + rx * 0.35) / rx) ** 2 + ((Y + ry * 0.35) / ry) ** 2) / 0.04) * 90
    return (0.5 + 0.5 * z)[..., None], spec[..., None], e


def _r_round(p, X, Y):
    rx, ry = p.dims[0] / 2, p.dims[1] / 2
    ang = np.arctan2(Y, X)
    wob = 1 + 0.04 * np.sin(ang * 3 + p.seed % 7) + 0.03 * np.sin(ang * 5 + p.seed % 5)
    n = R.fbm(X * 1.5, Y * 1.5, p.seed + 13, 3)
    rgb = _produce_colour(p, X, Y, n)
    sh, spec, e = _sphere_shade(X, Y, rx * wob, ry * wob)
    rgb = rgb * sh + spec
    stem = (X * X + Y * Y) < (rx * 0.1) ** 2
    rgb[stem] = (80, 60, 30)
    return rgb, (np.sqrt(e) - 1) * rx


def _r_oval(p, X, Y):
    rx, ry = p.dims[0] / 2, p.dims[1] / 2
    n = R.fbm(X * 1.2, Y * 1.2, p.seed + 14, 4)
    rgb = _produce_colour(p, X, Y, n)
    bumps = R.vnoise(X * 3, Y * 3, p.seed + 15)
    sh, spec, e = _sphere_shade(X, Y, rx, ry)
    rgb = rgb * sh * (0.85 + 0.3 * bumps)[..., None] + spec * 0.5
    return rgb, (np.sqrt(e) - 1) * ry


def _r_lemon(p, X, Y):
    rx, ry = p.dims[0] / 2, p.dims[1] / 2
    e = (np.abs(X) / rx) ** 1.6 + (np.abs(Y) / ry) ** 2
    n = R.vnoise(X * 4, Y * 4, p.seed + 16)
    rgb = _produce_colour(p, X, Y, n) * (0.55 + 0.45 * np.sqrt(np.clip(1 - e, 0, 1)))[..., None]
    return rgb, (np.sqrt(e) - 1) * ry


def _r_pepper(p, X, Y):
    rx = p.dims[0] / 2
    ang = np.arctan2(Y, X)
    rr = np.sqrt(X * X + Y * Y)
    lobes = rx * (0.88 + 0.12 * np.cos(ang * 4 + 0.5))
    rgb = _produce_colour(p, X, Y, R.vnoise(X, Y, p.seed + 17))
    z = np.sqrt(np.clip(1 - (rr / lobes) ** 2, 0, 1))
    rgb = rgb * (0.45 + 0.55 * z)[..., None] + 120 * np.exp(-((X + rx * 0.3) ** 2 + (Y + rx * 0.3) ** 2) / (rx * rx * 0.05))[..., None]
    stem = rr < rx * 0.22
    rgb[stem] = (60, 110, 40)
    return rgb, rr - lobes


def _r_banana(p, X, Y):
    L, S = p.dims
    # Three or four fingers: arcs about a common centre below the bunch.
    Rc = L * 0.9
    cy = Rc - S * 0.1
    rr = np.sqrt(X * X + (Y - cy) ** 2)
    ang = np.arctan2(X, cy - Y)
    half = (L / 2) / Rc
    sd = None
    rgb = np.zeros(X.shape + (3,), dtype=F)
    n_f = 3 + (p.seed % 2)
    for i in range(n_f):
        r0 = Rc - S * 0.38 + i * (S * 0.78 / n_f)
        w = S / n_f * 0.62 * np.clip(1.15 - (ang / half) ** 2, 0.2, 1)
        d = np.maximum(np.abs(rr - r0) - w, np.abs(ang) * Rc - L / 2)
        shade = 0.6 + 0.4 * np.sqrt(np.clip(1 - ((rr - r0) / np.maximum(w, 1e-3)) ** 2, 0, 1))
        col = p.colors[0] * shade[..., None]
        tip = np.abs(ang) * Rc > L / 2 - 1.3
        col[tip] = (80, 60, 30)
        m = d < (0 if sd is None else sd)
        rgb[m] = col[m]
        sd = d if sd is None else np.minimum(sd, d)
    return rgb, sd


def _r_broc(p, X, Y):
    rx = p.dims[0] / 2
    rr = np.sqrt(X * X + Y * Y)
    n = R.fbm(X * 1.4, Y * 1.4, p.seed + 18, 4)
    edge = rx * (0.85 + 0.25 * (R.vnoise(np.arctan2(Y, X) * 3 + 10, rr * 0, p.seed + 19) - 0.5))
    florets = R.vnoise(X * 2.2, Y * 2.2, p.seed + 20)
    rgb = p.colors[0] * (0.55 + 0.6 * florets * (0.7 + 0.6 * n))[..., None]
    return rgb, rr - edge


_RENDERERS = {
    "box": _r_box, "can": _r_can, "bottle": _r_bottle, "snack": _r_snack, "carton": _r_carton, "jar": _r_jar,
    "tray": _r_tray, "eggs": _r_eggs, "bread": _r_bread,
    "produce_round": _r_round, "produce_oval": _r_oval, "produce_lemon": _r_lemon, "produce_pepper": _r_pepper,
    "produce_banana": _r_banana, "produce_broc": _r_broc,
}


def reference_image(p, rng):
    """Catalog picture: brighter studio light, plain backdrop, any quarter turn."""
    L, S = p.dims
    ppc = rng.uniform(200, 300) / max(L, S)
    sp = render(p, ppc, light=rng.uniform(1.02, 1.15))
    k = int(rng.integers(0, 4))
    sp = np.rot90(sp, k).copy()
    h, w = sp.shape[:2]
    bgc = np.array(rng.choice([(255, 255, 255), (246, 246, 244), (235, 238, 240)]), dtype=F)
    out = np.empty((h, w, 3), dtype=F)
    out[:] = bgc
    # Soft drop shadow, offset 4 px down and right of the product.
    sh = R.soft_blur(np.pad(sp[..., 3], 8), ppc * 0.6)[4:-12, 4:-12] if min(h, w) > 30 else sp[..., 3]
    out *= (1 - 0.25 * sh[:h, :w])[..., None]
    a = sp[..., 3:4]
    out = out * (1 - a) + sp[..., :3] * a
    return out


def side_colour(p):
    """Colour of the item's sides, seen when it is off the image centre."""
    if p.kind in ("can", "bottle", "snack", "box", "carton", "jar"):
        return p.colors[0] * 0.55
    if p.kind == "tray":
        return p.foam * 0.6
    return p.colors[0] * 0.45
