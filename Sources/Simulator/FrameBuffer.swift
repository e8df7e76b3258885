import Foundation

/// The frame being composited: packed RGB bytes, drawn into with raw pointers
/// (the renderer owns it on one thread).
final class FrameBuffer {
    let width: Int
    let height: Int
    let data: UnsafeMutablePointer<UInt8>
    var count: Int { width * height * 3 }

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        data = .allocate(capacity: width * height * 3)
        data.initialize(repeating: 0, count: width * height * 3)
    }

    deinit { data.deallocate() }

    func load(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { src in data.update(from: src.baseAddress!, count: count) }
    }

    func bytes() -> [UInt8] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Draw `sprite` with `toFrame` mapping its local units to frame pixels.
    /// `blur` is how far (frame pixels) it moved during the exposure: it is
    /// smeared along that vector. `tint` multiplies its colour.
    func blit(_ sprite: Sprite, toFrame: Affine, tint: Col = Col(1, 1, 1), opacity: Float = 1, blur: V2 = .zero) {
        // frame pixel → sprite pixel
        let toLocal = toFrame.inverse
        let k = sprite.pxPerUnit
        let m = Affine(a: k, b: 0, c: 0, d: k, tx: sprite.origin.x, ty: sprite.origin.y) * toLocal
        let sw = Double(sprite.width), sh = Double(sprite.height)
        let blurLen = blur.length
        let n = max(1, min(8, Int((blurLen / 3).rounded(.up))))
        // Samples spread over the motion centred on the pose.
        let dq = n > 1 ? m.applyLinear(blur * (1.0 / Double(n - 1))) : .zero
        let start = n > 1 ? m.applyLinear(blur * -0.5) : .zero

        // Bounding box in frame pixels.
        let inv = m.inverse
        var xs: [Double] = [], ys: [Double] = []
        for c in [V2(0, 0), V2(sw, 0), V2(0, sh), V2(sw, sh)] {
            let p = inv.apply(c)
            for s in [-0.5, 0.5] { xs.append(p.x + blur.x * s); ys.append(p.y + blur.y * s) }
        }
        let x0 = max(0, Int(xs.min()!.rounded(.down)) - 1), x1 = min(width, Int(xs.max()!.rounded(.up)) + 1)
        let y0 = max(0, Int(ys.min()!.rounded(.down)) - 1), y1 = min(height, Int(ys.max()!.rounded(.up)) + 1)
        guard x0 < x1, y0 < y1 else { return }

        let ma = Float(m.a), mc = Float(m.c)
        let dqx = Float(dq.x), dqy = Float(dq.y)
        let w = sprite.width, h = sprite.height
        let fw = Float(w - 1), fh = Float(h - 1)
        let invN = 1 / Float(n)
        let tr = tint.x * opacity * invN, tg = tint.y * opacity * invN, tb = tint.z * opacity * invN
        let ta = opacity * invN / 255
        let dst = data
        let stride = width * 3

        sprite.texels.withUnsafeBufferPointer { sp in
            let s = sp.baseAddress!
            for y in y0..<y1 {
                let p0 = m.apply(V2(Double(x0) + 0.5, Double(y) + 0.5)) + start
                var qx = Float(p0.x) - 0.5, qy = Float(p0.y) - 0.5
                // Skip the empty ends of the row: where no sample lands inside the sprite.
                var lo = x0, hi = x1
                if !spanOnRow(&lo, &hi, qx: qx, qy: qy, ma: ma, mc: mc, dqx: dqx * Float(n - 1), dqy: dqy * Float(n - 1), fw: fw, fh: fh) { continue }
                qx += ma * Float(lo - x0)
                qy += mc * Float(lo - x0)
                var o = y * stride + lo * 3
                for _ in lo..<hi {
                    var acc = SIMD4<Float>.zero
                    var sx = qx, sy = qy
                    for _ in 0..<n {
                        if sx >= 0 && sy >= 0 && sx < fw && sy < fh {
                            let ix = Int(sx), iy = Int(sy)
                            let fx = sx - Float(ix), fy = sy - Float(iy)
                            let i00 = iy * w + ix
                            let t00 = s[i00], t10 = s[i00 + 1], t01 = s[i00 + w], t11 = s[i00 + w + 1]
                            if t00.w + t10.w + t01.w + t11.w > 0 {
                                let top = t00 + (t10 - t00) * fx
                                let bottom = t01 + (t11 - t01) * fx
                                acc += top + (bottom - top) * fy
                            }
                        }
                        sx += dqx
                        sy += dqy
                    }
                    if acc.w > 0.5 {
                        let keep = 1 - acc.w * ta
                        dst[o] = UInt8(min(255, acc.x * tr + Float(dst[o]) * keep + 0.5))
                        dst[o + 1] = UInt8(min(255, acc.y * tg + Float(dst[o + 1]) * keep + 0.5))
                        dst[o + 2] = UInt8(min(255, acc.z * tb + Float(dst[o + 2]) * keep + 0.5))
                    }
                    qx += ma
                    qy += mc
                    o += 3
                }
            }
        }
    }

    /// Narrow [lo, hi) to the x range where a sample path starting at (qx, qy) (at x = lo)
    /// and spanning (ex, ey) can touch [0, fw) × [0, fh). False when none can.
    @inline(__always)
    private func spanOnRow(_ lo: inout Int, _ hi: inout Int, qx: Float, qy: Float, ma: Float, mc: Float,
                           dqx: Float, dqy: Float, fw: Float, fh: Float) -> Bool {
        var tLo: Float = 0, tHi = Float(hi - lo)
        func limit(_ q: Float, _ d: Float, _ e: Float, _ maxv: Float) -> Bool {
            // Sample coordinate along x: q + d·t + e·u, u ∈ [0, 1]; need some u with value in [0, maxv].
            let qMin = q + min(0, e), qMax = q + max(0, e)
            if abs(d) < 1e-9 { return qMax >= 0 && qMin <= maxv }
            var a = (0 - qMax) / d, b = (maxv - qMin) / d
            if a > b { swap(&a, &b) }
            tLo = max(tLo, a)
            tHi = min(tHi, b)
            return tLo <= tHi
        }
        guard limit(qx, ma, dqx, fw), limit(qy, mc, dqy, fh) else { return false }
        let base = lo
        lo = max(base, base + Int(tLo.rounded(.down)) - 1)
        hi = min(hi, base + Int(tHi.rounded(.up)) + 2)
        return lo < hi
    }

    /// A soft shadow: darkens an ellipse by up to `strength` with a smooth falloff.
    func shadow(center: V2, radii: V2, strength: Double) {
        let rx = radii.x * 1.3, ry = radii.y * 1.3
        let y0 = max(0, Int(center.y - ry)), y1 = min(height, Int(center.y + ry) + 1)
        guard y0 < y1, rx > 0.5, ry > 0.5 else { return }
        let irx = Float(1 / rx), iry = Float(1 / ry)
        let cx = Float(center.x), cy = Float(center.y), st = Float(strength)
        for y in y0..<y1 {
            let v = (Float(y) + 0.5 - cy) * iry
            let span = 1 - v * v
            if span <= 0 { continue }
            let half = Double(span.squareRoot()) * rx
            let x0 = max(0, Int(center.x - half)), x1 = min(width, Int(center.x + half) + 1)
            if x0 >= x1 { continue }
            var o = (y * width + x0) * 3
            for x in x0..<x1 {
                let u = (Float(x) + 0.5 - cx) * irx
                let f = max(0, 1 - u * u - v * v)
                let k = 1 - st * f * f
                data[o] = UInt8(Float(data[o]) * k)
                data[o + 1] = UInt8(Float(data[o + 1]) * k)
                data[o + 2] = UInt8(Float(data[o + 2]) * k)
                o += 3
            }
        }
    }

    /// A limb in a sleeve: a tapered capsule from a (radius ra) to b (radius rb),
    /// shaded as a cylinder, with fabric texture that moves with it.
    func limb(_ a: V2, _ b: V2, ra: Double, rb: Double, color: Col, texture: NoiseTile, texScale: Double) {
        let rmax = max(ra, rb) + 1.5
        let x0 = max(0, Int(min(a.x, b.x) - rmax)), x1 = min(width, Int(max(a.x, b.x) + rmax) + 1)
        let y0 = max(0, Int(min(a.y, b.y) - rmax)), y1 = min(height, Int(max(a.y, b.y) + rmax) + 1)
        guard x0 < x1, y0 < y1 else { return }
        let ab = b - a
        let len2 = max(1e-6, ab.dot(ab))
        let len = len2.squareRoot()
        let ax = Float(a.x), ay = Float(a.y), abx = Float(ab.x), aby = Float(ab.y)
        let il2 = Float(1 / len2), fra = Float(ra), frb = Float(rb)
        let nx = -aby / Float(len), ny = abx / Float(len)
        let cr = color.x * 255, cg = color.y * 255, cb = color.z * 255
        let ts = Float(texScale), flen = Float(len)
        let R = rmax, nrm = ab.perp.normalized
        for y in y0..<y1 {
            let py = Float(y) + 0.5 - ay
            // The row's stretch inside the capsule: end circles and the two side lines.
            let yc = Double(y) + 0.5
            var lo = Double.infinity, hi = -Double.infinity
            for e in [a, b] {
                let dy = yc - e.y
                if abs(dy) <= R { let w = (R * R - dy * dy).squareRoot(); lo = min(lo, e.x - w); hi = max(hi, e.x + w) }
            }
            if abs(ab.y) > 1e-9 {
                for sgn in [-1.0, 1.0] {
                    let o0 = a + nrm * (R * sgn)
                    let tt = (yc - o0.y) / ab.y
                    if tt >= 0 && tt <= 1 { let x = o0.x + tt * ab.x; lo = min(lo, x); hi = max(hi, x) }
                }
            }
            if lo > hi { continue }
            let rx0 = max(x0, Int(lo.rounded(.down)) - 1), rx1 = min(x1, Int(hi.rounded(.up)) + 1)
            if rx0 >= rx1 { continue }
            var o = (y * width + rx0) * 3
            for x in rx0..<rx1 {
                let px = Float(x) + 0.5 - ax
                var t = (px * abx + py * aby) * il2
                t = min(1, max(0, t))
                let ex = px - t * abx, ey = py - t * aby
                let d2 = ex * ex + ey * ey
                let r = fra + (frb - fra) * t
                if d2 < (r + 1) * (r + 1) {
                    let d = d2.squareRoot()
                    let cov = min(1, r + 0.5 - d)
                    if cov > 0 {
                        let across = (ex * nx + ey * ny) / r  // −1…1
                        let shade = 0.55 + 0.5 * (max(0, 1 - across * across)).squareRoot() - 0.12 * across
                        let tex = texture.sample(t * flen * ts, (across + 1) * r * ts)
                        let k = shade * (0.82 + 0.36 * tex)
                        let keep = 1 - cov
                        data[o] = UInt8(min(255, cr * k * cov + Float(data[o]) * keep))
                        data[o + 1] = UInt8(min(255, cg * k * cov + Float(data[o + 1]) * keep))
                        data[o + 2] = UInt8(min(255, cb * k * cov + Float(data[o + 2]) * keep))
                    }
                }
                o += 3
            }
        }
    }
}

/// A small tileable noise texture for things drawn every frame.
struct NoiseTile: Sendable {
    static let size = 64
    let values: [Float]

    init(seed: UInt64, scale: Double = 6, streaks: Bool = false) {
        let n = ValueNoise(seed: seed)
        var v = [Float](repeating: 0, count: Self.size * Self.size)
        let s = Double(Self.size)
        for y in 0..<Self.size {
            for x in 0..<Self.size {
                // Periodic by blending the four wrapped copies.
                let fx = Double(x) / s, fy = Double(y) / s
                func f(_ u: Double, _ w: Double) -> Double {
                    streaks ? n.fbm(u * scale * 0.3, w * scale * 2.5, octaves: 3) : n.fbm(u * scale, w * scale, octaves: 3)
                }
                let a = f(fx, fy), b = f(fx - 1, fy), c = f(fx, fy - 1), d = f(fx - 1, fy - 1)
                v[y * Self.size + x] = Float(mix(mix(a, b, fx), mix(c, d, fx), fy))
            }
        }
        // Stretch to 0…1.
        let lo = v.min()!, hi = v.max()!
        values = v.map { ($0 - lo) / max(1e-6, hi - lo) }
    }

    @inline(__always)
    func sample(_ x: Float, _ y: Float) -> Float {
        let ix = Int(x.rounded(.down)) & (Self.size - 1), iy = Int(y.rounded(.down)) & (Self.size - 1)
        return values[iy * Self.size + ix]
    }
}
