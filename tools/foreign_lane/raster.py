"""Drawing primitives on numpy images: signed-distance shapes, RGBA sprites
warped with bilinear sampling, lattice noise, and a stdlib PNG writer.

Images are float32 HxWx3 in 0..255 (or uint8 for the per-frame canvas);
sprites are float32 HxWx4 with straight alpha in 0..1.
"""

import struct
import zlib

import numpy as np

F = np.float32


# ---------------------------------------------------------------- noise

def _hash(ix, iy, seed):
    # Integer lattice hash; the same (ix, iy, seed) always gives the same value,
    # so a product's print looks the same at any resolution.
    h = (ix * 374761393 + iy * 668265263 + (seed * 1013904223 + 12345)) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 1274126177) & 0xFFFFFFFF
    h = h ^ (h >> 16)
    return (h & 0xFFFFFF).astype(F) * F(1.0 / 0x1000000)


def vnoise(x, y, seed):
    """Smooth value noise in [0, 1) with a unit lattice."""
    fx0 = np.floor(x)
    fy0 = np.floor(y)
    fx = (x - fx0).astype(F)
    fy = (y - fy0).astype(F)
    ix = fx0.astype(np.int64)
    iy = fy0.astype(np.int64)
    sx = fx * fx * (3 - 2 * fx)
    sy = fy * fy * (3 - 2 * fy)
    a = _hash(ix, iy, seed)
    b = _hash(ix + 1, iy, seed)
    c = _hash(ix, iy + 1, seed)
    d = _hash(ix + 1, iy + 1, seed)
    top = a + (b - a) * sx
    bot = c + (d - c) * sx
    return top + (bot - top) * sy


def fbm(x, y, seed, octaves=4, gain=0.5):
    """Fractal noise roughly in [0, 1)."""
    total = 0.0
    amp = 1.0
    norm = 0.0
    for o in range(octaves):
        f = 2.0 ** o
        total = total + amp * vnoise(x * f, y * f, seed + 101 * o)
        norm += amp
        amp *= gain
    return (total / norm).astype(F)


# ---------------------------------------------------------------- grids and masks

def coverage(sdf, aa=0.75):
    """Anti-aliased coverage from a signed distance in pixels (negative inside)."""
    return np.clip(0.5 - sdf / (2 * aa), 0, 1).astype(F)


def bbox_grid(shape, x0, y0, x1, y1):
    """Pixel-centre grids for the clipped box; None if it is off the image."""
    h, w = shape[:2]
    ix0 = max(int(np.floor(x0)), 0)
    iy0 = max(int(np.floor(y0)), 0)
    ix1 = min(int(np.ceil(x1)) + 1, w)
    iy1 = min(int(np.ceil(y1)) + 1, h)
    if ix1 <= ix0 or iy1 <= iy0:
        return None
    X = (np.arange(ix0, ix1, dtype=F) + F(0.5))[None, :]
    Y = (np.arange(iy0, iy1, dtype=F) + F(0.5))[:, None]
    return X, Y, (slice(iy0, iy1), slice(ix0, ix1))


def sdf_ellipse(X, Y, cx, cy, rx, ry, ang=0.0):
    c, s = np.cos(ang), np.sin(ang)
    dx = X - cx
    dy = Y - cy
    lx = dx * c + dy * s
    ly = -dx * s + dy * c
    k = np.sqrt((lx / rx) ** 2 + (ly / ry) ** 2)
    return (k - 1) * min(rx, ry)


def sdf_rrect(X, Y, cx, cy, hw, hh, ang=0.0, r=0.0):
    c, s = np.cos(ang), np.sin(ang)
    dx = X - cx
    dy = Y - cy
    lx = np.abs(dx * c + dy * s) - (hw - r)
    ly = np.abs(-dx * s + dy * c) - (hh - r)
    ox = np.maximum(lx, 0)
    oy = np.maximum(ly, 0)
    return np.sqrt(ox * ox + oy * oy) + np.minimum(np.maximum(lx, ly), 0) - r


def seg_param(X, Y, p0, p1):
    """Projection parameter t in [0,1] and distance to segment p0-p1."""
    vx, vy = p1[0] - p0[0], p1[1] - p0[1]
    L2 = vx * vx + vy * vy + 1e-9
    t = np.clip(((X - p0[0]) * vx + (Y - p0[1]) * vy) / L2, 0, 1)
    dx = X - (p0[0] + t * vx)
    dy = Y - (p0[1] + t * vy)
    return t, np.sqrt(dx * dx + dy * dy)


def capsule_pixels(shape, p0, p1, rmax):
    """Pixels near segment p0-p1 (within rmax), found row by row so a long
    diagonal tube costs its area, not its bounding box. Returns
    (slice, flat indices into the slice, x centres, y centres) or None."""
    x0 = min(p0[0], p1[0]) - rmax
    x1 = max(p0[0], p1[0]) + rmax
    y0 = min(p0[1], p1[1]) - rmax
    y1 = max(p0[1], p1[1]) + rmax
    g = bbox_grid(shape, x0, y0, x1, y1)
    if g is None:
        return None
    X, Y, sl = g
    ys = Y[:, 0]
    dy = p1[1] - p0[1]
    if abs(dy) < 1e-6:
        ta = np.zeros_like(ys)
        tb = np.ones_like(ys)
    else:
        t_lo = (ys - rmax - p0[1]) / dy
        t_hi = (ys + rmax - p0[1]) / dy
        ta = np.clip(np.minimum(t_lo, t_hi), 0, 1)
        tb = np.clip(np.maximum(t_lo, t_hi), 0, 1)
    xa = p0[0] + (p1[0] - p0[0]) * ta
    xb = p0[0] + (p1[0] - p0[0]) * tb
    lo = np.minimum(xa, xb) - rmax
    hi = np.maximum(xa, xb) + rmax
    m = (X >= lo[:, None]) & (X <= hi[:, None])
    idx = np.flatnonzero(m)
    if idx.size == 0:
        return None
    w = X.shape[1]
    return sl, idx, X[0, idx % w], ys[idx // w]


def sdf_capsule(X, Y, p0, p1, r0, r1):
    t, d = seg_param(X, Y, p0, p1)
    return d - (r0 + (r1 - r0) * t)


def sdf_polygon(X, Y, pts):
    """Signed distance to a simple polygon (list of (x, y))."""
    pts = [(float(a), float(b)) for a, b in pts]
    n = len(pts)
    dmin = None
    inside = np.zeros(np.broadcast(X, Y).shape, dtype=bool)
    for i in range(n):
        ax, ay = pts[i]
        bx, by = pts[(i + 1) % n]
        _, d = seg_param(X, Y, (ax, ay), (bx, by))
        dmin = d if dmin is None else np.minimum(dmin, d)
        cond = (ay > Y) != (by > Y)
        xint = ax + (Y - ay) * (bx - ax) / ((by - ay) if by != ay else 1e-9)
        inside ^= cond & (X < xint)
    return np.where(inside, -dmin, dmin)


def points_in_polygon(px, py, poly):
    """Even-odd test for arrays of points against polygon [(x, y), ...]."""
    px = np.asarray(px, dtype=np.float64)
    py = np.asarray(py, dtype=np.float64)
    inside = np.zeros(px.shape, dtype=bool)
    n = len(poly)
    for i in range(n):
        ax, ay = poly[i]
        bx, by = poly[(i + 1) % n]
        cond = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = ax + (py - ay) * (bx - ax) / (by - ay)
        inside ^= cond & (px < xint)
    return inside


# ---------------------------------------------------------------- blending

def blend(img, sl, alpha, color):
    """img[sl] = mix(img, color, alpha); works for uint8 and float images."""
    if alpha.ndim == 2:
        alpha = alpha[..., None]
    patch = img[sl]
    if patch.dtype == np.uint8:
        p = patch.astype(F)
        p += (np.asarray(color, dtype=F) - p) * alpha
        img[sl] = np.clip(p + 0.5, 0, 255).astype(np.uint8)
    else:
        patch += (np.asarray(color, dtype=F) - patch) * alpha


def darken(img, sl, amount):
    """Multiply by (1 - amount): soft shadows."""
    if amount.ndim == 2:
        amount = amount[..., None]
    patch = img[sl]
    if patch.dtype == np.uint8:
        img[sl] = (patch.astype(F) * (1 - amount) + 0.5).astype(np.uint8)
    else:
        patch *= (1 - amount)


def fill_shape(img, sdf_fn, bbox, color, alpha=1.0, aa=0.75):
    g = bbox_grid(img.shape, *bbox)
    if g is None:
        return
    X, Y, sl = g
    a = coverage(sdf_fn(X, Y), aa) * F(alpha)
    if callable(color):
        color = color(X, Y)
    blend(img, sl, a, color)


def box_blur(a, r):
    """Separable box blur (radius r px) of a 2-D or 3-D float array, same shape."""
    r = int(r)
    if r < 1:
        return a
    out = a.astype(F)
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r + 1, r)
        c = np.cumsum(np.pad(out, pad, mode="edge"), axis=axis, dtype=F)
        n = out.shape[axis]
        hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
        lo = np.take(c, np.arange(0, n), axis=axis)
        out = (hi - lo) / F(2 * r + 1)
    return out


def soft_blur(a, r):
    """Three box passes approximate a Gaussian of sigma ~ r."""
    for _ in range(3):
        a = box_blur(a, max(1, int(round(r * 0.58))))
    return a


# ---------------------------------------------------------------- sprites

def pad_sprite(sp, p):
    return np.pad(sp, ((p, p), (p, p), (0, 0)))


def warp_sprite(img, sprite, cx, cy, ang, scale, tint=1.0, alpha_mul=1.0, shadow=None):
    """Composite an RGBA sprite centred at (cx, cy), rotated by ang (radians,
    image coordinates) and scaled, with bilinear sampling.

    tint multiplies the colour (scalar or RGB); shadow=(dx, dy, strength, blurred_alpha_sprite)
    darkens under the sprite first.
    """
    if shadow is not None:
        dx, dy, k, sa = shadow
        _warp_core(img, sa, cx + dx, cy + dy, ang, scale, None, k * alpha_mul, shadow_only=True)
    _warp_core(img, sprite, cx, cy, ang, scale, tint, alpha_mul)


def _warp_core(img, sprite, cx, cy, ang, scale, tint, alpha_mul, shadow_only=False):
    sh, sw = sprite.shape[:2]
    c, s = np.cos(ang), np.sin(ang)
    hw, hh = sw * 0.5 * scale, sh * 0.5 * scale
    ex = abs(hw * c) + abs(hh * s)
    ey = abs(hw * s) + abs(hh * c)
    g = bbox_grid(img.shape, cx - ex, cy - ey, cx + ex, cy + ey)
    if g is None:
        return
    X, Y, sl = g
    dx = X - F(cx)
    dy = Y - F(cy)
    inv = F(1.0 / scale)
    # Inverse rotation back into sprite pixels.
    sx = (dx * F(c * inv) + dy * F(s * inv)) + F(sw * 0.5 - 0.5)
    sy = (dy * F(c * inv) - dx * F(s * inv)) + F(sh * 0.5 - 0.5)
    x0 = np.floor(sx)
    y0 = np.floor(sy)
    fx = (sx - x0)[..., None]
    fy = (sy - y0)[..., None]
    # A two-pixel transparent border: any tap outside the sprite reads zero.
    sp, occ = _bordered(sprite)
    W2 = sw + 4
    xi = np.clip(x0.astype(np.int32) + 2, 0, sw + 2)
    yi = np.clip(y0.astype(np.int32) + 2, 0, sh + 2)
    idx = (yi * W2 + xi).ravel()
    # Only output pixels whose taps touch an opaque texel do any work.
    sel = np.flatnonzero(occ[idx])
    if sel.size == 0:
        return
    idx = idx[sel]
    fx = fx.reshape(-1, 1)[sel]
    fy = fy.reshape(-1, 1)[sel]
    flat = sp.reshape(-1, 4)
    v00 = flat[idx]
    v10 = flat[idx + 1]
    top = v00 + (v10 - v00) * fx
    v01 = flat[idx + W2]
    v11 = flat[idx + W2 + 1]
    bot = v01 + (v11 - v01) * fx
    v = top + (bot - top) * fy
    patch = img[sl]
    pflat = patch.reshape(-1, 3)
    if shadow_only:
        k = v[:, 3:4] * F(alpha_mul)
        if patch.dtype == np.uint8:
            pflat[sel] = (pflat[sel].astype(F) * (1 - k) + 0.5).astype(np.uint8)
        else:
            pflat[sel] *= (1 - k)
        if not patch.flags.c_contiguous:
            img[sl] = pflat.reshape(patch.shape)
        return
    a = v[:, 3:4]
    rgb = v[:, :3]
    if alpha_mul != 1.0:
        a = a * F(alpha_mul)
        rgb = rgb * F(alpha_mul)
    if tint is not None and not (np.isscalar(tint) and tint == 1.0):
        rgb = rgb * np.asarray(tint, dtype=F)
    # Colours are premultiplied, so over-compositing is one multiply-add.
    out = pflat[sel].astype(F)
    out *= (1 - a)
    out += rgb
    if patch.dtype == np.uint8:
        np.clip(out, 0, 255, out=out)
        pflat[sel] = out.astype(np.uint8)
    else:
        pflat[sel] = out
    if not patch.flags.c_contiguous:  # reshape copied the strided patch; write it back
        img[sl] = pflat.reshape(patch.shape)


_BORDER_CACHE = {}


def _bordered(sprite):
    key = id(sprite)
    hit = _BORDER_CACHE.get(key)
    if hit is not None and hit[0] is sprite:
        return hit[1]
    sp = np.zeros((sprite.shape[0] + 4, sprite.shape[1] + 4, 4), dtype=F)
    if sprite.shape[2] == 4:
        sp[2:-2, 2:-2, :3] = sprite[..., :3] * sprite[..., 3:4]
        sp[2:-2, 2:-2, 3] = sprite[..., 3]
    else:  # one-channel shadow sprite
        sp[2:-2, 2:-2, 3] = sprite[..., 0]
    # Occupancy grown by one texel: a pixel whose top-left tap is empty may still blend its neighbours.
    o = sp[..., 3] > 0.002
    g = o.copy()
    g[1:] |= o[:-1]
    g[:, 1:] |= o[:, :-1]
    g[1:, 1:] |= o[:-1, :-1]
    g[:-1] |= o[1:]
    g[:, :-1] |= o[:, 1:]
    occ = g.ravel()
    if len(_BORDER_CACHE) > 4000:
        _BORDER_CACHE.clear()
    _BORDER_CACHE[key] = (sprite, (sp, occ))
    return sp, occ


def shadow_sprite(sprite, blur_px):
    """Blurred alpha of a sprite, padded so the blur is not cut off."""
    p = int(blur_px * 2) + 2
    a = np.pad(sprite[..., 3], p)
    a = soft_blur(a, blur_px)
    return a[..., None].astype(F)


def trim_sprite(sp, pad=2):
    """Crop transparent margins, keep the content centred on the original centre."""
    a = sp[..., 3] > 0.004
    if not a.any():
        return sp
    ys, xs = np.nonzero(a)
    h, w = a.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    ry = int(max(cy - ys.min(), ys.max() - cy)) + pad
    rx = int(max(cx - xs.min(), xs.max() - cx)) + pad
    y0, y1 = int(round(cy - ry)), int(round(cy + ry)) + 1
    x0, x1 = int(round(cx - rx)), int(round(cx + rx)) + 1
    y0, x0 = max(y0, 0), max(x0, 0)
    return np.ascontiguousarray(sp[y0:y1, x0:x1])


# ---------------------------------------------------------------- PNG

def write_png(path, rgb):
    """8-bit RGB or RGBA PNG with the standard library only."""
    arr = np.clip(np.asarray(rgb) + 0.5, 0, 255).astype(np.uint8) if np.asarray(rgb).dtype != np.uint8 else np.asarray(rgb)
    h, w, ch = arr.shape
    ctype = {3: 2, 4: 6}[ch]
    raw = b"".join(b"\x00" + arr[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))
