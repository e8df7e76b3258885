import Foundation

typealias Col = SIMD3<Float>

extension SIMD3 where Scalar == Float {
    init(bytes r: Int, _ g: Int, _ b: Int) { self.init(Float(r) / 255, Float(g) / 255, Float(b) / 255) }
    static func gray(_ v: Float) -> Col { Col(v, v, v) }
    func scaled(_ k: Double) -> Col { self * Float(k) }
    func mixed(_ o: Col, _ t: Double) -> Col { self + (o - self) * Float(t) }
    var luma: Float { 0.299 * x + 0.587 * y + 0.114 * z }
    func clamped() -> Col { simd_clamp01(self) }
}

@inline(__always) func simd_clamp01(_ c: Col) -> Col {
    Col(min(1, max(0, c.x)), min(1, max(0, c.y)), min(1, max(0, c.z)))
}

enum Palette {
    /// HSV (all 0…1) to RGB.
    static func hsv(_ h: Double, _ s: Double, _ v: Double) -> Col {
        let hh = (h - h.rounded(.down)) * 6
        let i = Int(hh) % 6
        let f = hh - hh.rounded(.down)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch i {
        case 0: (r, g, b) = (v, t, p)
        case 1: (r, g, b) = (q, v, p)
        case 2: (r, g, b) = (p, v, t)
        case 3: (r, g, b) = (p, q, v)
        case 4: (r, g, b) = (t, p, v)
        default: (r, g, b) = (v, p, q)
        }
        return Col(Float(r), Float(g), Float(b))
    }
}

/// An offline floating-point painter used to build sprites and the static
/// counter. Pixels hold premultiplied colour; shapes are given by signed
/// distance (local units, negative inside) so their edges are antialiased.
struct Canvas {
    let width: Int
    let height: Int
    var color: [Col]
    var alpha: [Float]
    /// Pixel centre → local coordinates.
    let toLocal: Affine
    let toPixel: Affine
    /// Local units per pixel.
    let pxSize: Double

    init(width: Int, height: Int, toLocal: Affine, opaque: Col? = nil) {
        self.width = width
        self.height = height
        self.toLocal = toLocal
        self.toPixel = toLocal.inverse
        self.pxSize = toLocal.scaleFactor
        color = [Col](repeating: opaque ?? .zero, count: width * height)
        alpha = [Float](repeating: opaque == nil ? 0 : 1, count: width * height)
    }

    /// A transparent canvas covering local [lo, hi] at `pxPerUnit`, with a clear 1-pixel border.
    static func sprite(lo: V2, hi: V2, pxPerUnit: Double) -> Canvas {
        let w = Int(((hi.x - lo.x) * pxPerUnit).rounded(.up)) + 2
        let h = Int(((hi.y - lo.y) * pxPerUnit).rounded(.up)) + 2
        let k = 1 / pxPerUnit
        // pixel centre (i + 0.5) ↦ lo + (i + 0.5 − 1)·k
        let t = Affine(a: k, b: 0, c: 0, d: k, tx: lo.x - k, ty: lo.y - k)
        return Canvas(width: w, height: h, toLocal: t)
    }

    private func pixelBounds(_ lo: V2, _ hi: V2) -> (Int, Int, Int, Int)? {
        let corners = [V2(lo.x, lo.y), V2(hi.x, lo.y), V2(lo.x, hi.y), V2(hi.x, hi.y)].map { toPixel.apply($0) }
        let x0 = max(0, Int(corners.map(\.x).min()!.rounded(.down)) - 1)
        let x1 = min(width, Int(corners.map(\.x).max()!.rounded(.up)) + 1)
        let y0 = max(0, Int(corners.map(\.y).min()!.rounded(.down)) - 1)
        let y1 = min(height, Int(corners.map(\.y).max()!.rounded(.up)) + 1)
        return x0 < x1 && y0 < y1 ? (x0, x1, y0, y1) : nil
    }

    /// Paint a shape over what is there. `sdf` is the signed distance; `paint`
    /// gets the local point and that distance and returns the colour.
    mutating func fill(lo: V2, hi: V2, opacity: Float = 1, sdf: (V2) -> Double, paint: (V2, Double) -> Col) {
        guard let (x0, x1, y0, y1) = pixelBounds(lo, hi) else { return }
        let aa = pxSize
        for y in y0..<y1 {
            for x in x0..<x1 {
                let p = toLocal.apply(V2(Double(x) + 0.5, Double(y) + 0.5))
                let d = sdf(p)
                if d > aa { continue }
                let cov = Float(clamp(0.5 - d / aa, 0, 1)) * opacity
                if cov <= 0 { continue }
                let c = paint(p, d)
                let i = y * width + x
                color[i] = c * cov + color[i] * (1 - cov)
                alpha[i] = cov + alpha[i] * (1 - cov)
            }
        }
    }

    /// Change the colour of what is already painted (shading, print wear); alpha stays.
    mutating func modulate(lo: V2, hi: V2, _ f: (V2, Col) -> Col) {
        guard let (x0, x1, y0, y1) = pixelBounds(lo, hi) else { return }
        for y in y0..<y1 {
            for x in x0..<x1 {
                let i = y * width + x
                let a = alpha[i]
                if a <= 0 { continue }
                let p = toLocal.apply(V2(Double(x) + 0.5, Double(y) + 0.5))
                color[i] = f(p, color[i] / a) * a
            }
        }
    }

    /// Everything painted so far, in every pixel.
    mutating func modulateAll(_ f: (V2, Col) -> Col) {
        let lo = toLocal.apply(V2(0, 0)), hi = toLocal.apply(V2(Double(width), Double(height)))
        modulate(lo: V2(min(lo.x, hi.x), min(lo.y, hi.y)), hi: V2(max(lo.x, hi.x), max(lo.y, hi.y)), f)
    }

    /// Separable box blur of colour and alpha (softens procedural edges the way optics do).
    mutating func blur(radius: Int) {
        guard radius > 0 else { return }
        func pass(_ horizontal: Bool) {
            var outC = color, outA = alpha
            let n = horizontal ? width : height
            let m = horizontal ? height : width
            let k = Float(2 * radius + 1)
            for j in 0..<m {
                var sc = Col.zero, sa: Float = 0
                func idx(_ i: Int) -> Int {
                    let c = min(n - 1, max(0, i))
                    return horizontal ? j * width + c : c * width + j
                }
                for i in -radius...radius { sc += color[idx(i)]; sa += alpha[idx(i)] }
                for i in 0..<n {
                    outC[idx(i)] = sc / k
                    outA[idx(i)] = sa / k
                    sc += color[idx(i + radius + 1)] - color[idx(i - radius)]
                    sa += alpha[idx(i + radius + 1)] - alpha[idx(i - radius)]
                }
            }
            color = outC
            alpha = outA
        }
        pass(true)
        pass(false)
    }

    func sprite() -> Sprite {
        var data = [UInt8](repeating: 0, count: width * height * 4)
        for i in 0..<(width * height) {
            let c = simd_clamp01(color[i]), a = min(1, max(0, alpha[i]))
            data[4 * i] = UInt8(min(a, c.x) * 255 + 0.5)
            data[4 * i + 1] = UInt8(min(a, c.y) * 255 + 0.5)
            data[4 * i + 2] = UInt8(min(a, c.z) * 255 + 0.5)
            data[4 * i + 3] = UInt8(a * 255 + 0.5)
        }
        let origin = toPixel.apply(.zero)
        return Sprite(width: width, height: height, data: data, origin: origin, pxPerUnit: 1 / pxSize)
    }

    /// Opaque RGB bytes (for the background).
    func rgbBytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let c = simd_clamp01(color[i])
            out[3 * i] = UInt8(c.x * 255 + 0.5)
            out[3 * i + 1] = UInt8(c.y * 255 + 0.5)
            out[3 * i + 2] = UInt8(c.z * 255 + 0.5)
        }
        return out
    }
}

/// Signed distance functions (negative inside), in local units.
enum SDF {
    static func circle(_ p: V2, _ c: V2, _ r: Double) -> Double { (p - c).length - r }

    static func ellipse(_ p: V2, _ c: V2, _ rx: Double, _ ry: Double) -> Double {
        // Scaled-circle approximation: good near the outline, which is all AA needs.
        let q = p - c
        let k = ((q.x / rx) * (q.x / rx) + (q.y / ry) * (q.y / ry)).squareRoot()
        let g = ((q.x / (rx * rx)) * (q.x / (rx * rx)) + (q.y / (ry * ry)) * (q.y / (ry * ry))).squareRoot()
        return g > 1e-9 ? k * (k - 1) / g : -min(rx, ry)
    }

    static func roundedRect(_ p: V2, _ c: V2, _ half: V2, _ r: Double, angle: Double = 0) -> Double {
        let q0 = (p - c).rotated(-angle)
        let q = V2(abs(q0.x) - half.x + r, abs(q0.y) - half.y + r)
        let outside = V2(max(q.x, 0), max(q.y, 0)).length
        return outside + min(max(q.x, q.y), 0) - r
    }

    static func capsule(_ p: V2, _ a: V2, _ b: V2, _ r: Double) -> Double {
        Polygon.segmentDistance(p, a, b) - r
    }

    static func polygon(_ p: V2, _ poly: [V2]) -> Double {
        let d = Polygon.edgeDistance(poly, p)
        return Polygon.contains(poly, p) ? -d : d
    }
}

/// Premultiplied RGBA picture with its local frame: local (0, 0) sits at
/// `origin` (pixel coordinates), `pxPerUnit` pixels per local unit (cm).
struct Sprite: Sendable {
    let width: Int
    let height: Int
    let data: [UInt8]
    let origin: V2
    let pxPerUnit: Double
    /// The same pixels as floats (0…255), which the per-frame compositor samples.
    let texels: [SIMD4<Float>]

    init(width: Int, height: Int, data: [UInt8], origin: V2, pxPerUnit: Double) {
        self.width = width
        self.height = height
        self.data = data
        self.origin = origin
        self.pxPerUnit = pxPerUnit
        var t = [SIMD4<Float>](repeating: .zero, count: width * height)
        for i in 0..<(width * height) {
            t[i] = SIMD4(Float(data[4 * i]), Float(data[4 * i + 1]), Float(data[4 * i + 2]), Float(data[4 * i + 3]))
        }
        texels = t
    }

    /// Straight-alpha RGBA (for reference PNGs).
    func straightRGBA() -> [UInt8] {
        var out = data
        for i in 0..<(width * height) {
            let a = Int(data[4 * i + 3])
            if a > 0 && a < 255 {
                for c in 0..<3 { out[4 * i + c] = UInt8(min(255, (Int(data[4 * i + c]) * 255 + a / 2) / a)) }
            }
        }
        return out
    }

    /// Mean straight colour of the covered pixels (for shadows/occlusion sizing).
    var coverage: Double {
        var s = 0
        for i in 0..<(width * height) { s += Int(data[4 * i + 3]) }
        return Double(s) / 255 / Double(width * height)
    }
}
