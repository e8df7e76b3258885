import Foundation

/// A point or vector in the lane's canonical plane (centimetres) or in pixels.
struct V2: Hashable, Sendable {
    var x: Double
    var y: Double
    init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    static let zero = V2(0, 0)

    static func + (a: V2, b: V2) -> V2 { V2(a.x + b.x, a.y + b.y) }
    static func - (a: V2, b: V2) -> V2 { V2(a.x - b.x, a.y - b.y) }
    static func * (a: V2, k: Double) -> V2 { V2(a.x * k, a.y * k) }
    static func * (k: Double, a: V2) -> V2 { V2(a.x * k, a.y * k) }
    static prefix func - (a: V2) -> V2 { V2(-a.x, -a.y) }
    static func += (a: inout V2, b: V2) { a = a + b }

    func dot(_ o: V2) -> Double { x * o.x + y * o.y }
    var length: Double { (x * x + y * y).squareRoot() }
    var normalized: V2 { let l = length; return l > 1e-12 ? V2(x / l, y / l) : V2(1, 0) }
    /// Rotated a quarter turn (x right, y down: clockwise on screen).
    var perp: V2 { V2(-y, x) }
    func rotated(_ a: Double) -> V2 { let c = cos(a), s = sin(a); return V2(c * x - s * y, s * x + c * y) }
    var angle: Double { atan2(y, x) }
    static func lerp(_ a: V2, _ b: V2, _ t: Double) -> V2 { a + (b - a) * t }
    static func polar(_ a: Double, _ r: Double = 1) -> V2 { V2(cos(a) * r, sin(a) * r) }
}

/// x' = a·x + b·y + tx, y' = c·x + d·y + ty.
struct Affine: Sendable {
    var a = 1.0, b = 0.0, c = 0.0, d = 1.0, tx = 0.0, ty = 0.0

    static let identity = Affine()
    static func translation(_ t: V2) -> Affine { Affine(a: 1, b: 0, c: 0, d: 1, tx: t.x, ty: t.y) }
    static func scale(_ sx: Double, _ sy: Double) -> Affine { Affine(a: sx, b: 0, c: 0, d: sy, tx: 0, ty: 0) }
    static func rotation(_ r: Double) -> Affine { Affine(a: cos(r), b: -sin(r), c: sin(r), d: cos(r), tx: 0, ty: 0) }

    func apply(_ p: V2) -> V2 { V2(a * p.x + b * p.y + tx, c * p.x + d * p.y + ty) }
    func applyLinear(_ p: V2) -> V2 { V2(a * p.x + b * p.y, c * p.x + d * p.y) }
    var determinant: Double { a * d - b * c }
    var inverse: Affine {
        let det = determinant
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        return Affine(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
    }
    /// `self` after `other`.
    static func * (l: Affine, r: Affine) -> Affine {
        Affine(a: l.a * r.a + l.b * r.c, b: l.a * r.b + l.b * r.d,
               c: l.c * r.a + l.d * r.c, d: l.c * r.b + l.d * r.d,
               tx: l.a * r.tx + l.b * r.ty + l.tx, ty: l.c * r.tx + l.d * r.ty + l.ty)
    }
    /// Length scale of the linear part (geometric mean of the axes).
    var scaleFactor: Double { abs(determinant).squareRoot() }
}

enum Polygon {
    static func contains(_ poly: [V2], _ p: V2) -> Bool {
        var inside = false
        var j = poly.count - 1
        for i in 0..<poly.count {
            let a = poly[i], b = poly[j]
            if (a.y > p.y) != (b.y > p.y) {
                let x = (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x
                if p.x < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Distance from p to the polygon's outline.
    static func edgeDistance(_ poly: [V2], _ p: V2) -> Double {
        var best = Double.infinity
        var j = poly.count - 1
        for i in 0..<poly.count {
            best = min(best, segmentDistance(p, poly[j], poly[i]))
            j = i
        }
        return best
    }

    static func segmentDistance(_ p: V2, _ a: V2, _ b: V2) -> Double {
        let ab = b - a
        let l2 = ab.dot(ab)
        let t = l2 > 0 ? max(0, min(1, (p - a).dot(ab) / l2)) : 0
        return (p - (a + ab * t)).length
    }

    static func centroid(_ poly: [V2]) -> V2 {
        var s = V2.zero
        for p in poly { s += p }
        return s * (1.0 / Double(poly.count))
    }

    /// A rectangle (centre, size, rotation) as four corners, clockwise on screen.
    static func rect(center: V2, size: V2, angle: Double = 0) -> [V2] {
        let hx = size.x / 2, hy = size.y / 2
        return [V2(-hx, -hy), V2(hx, -hy), V2(hx, hy), V2(-hx, hy)].map { center + $0.rotated(angle) }
    }
}

/// Position and heading of something on the counter.
struct Pose: Sendable {
    var p: V2
    var angle: Double
    var scale: Double = 1
    init(_ p: V2, _ angle: Double, scale: Double = 1) { self.p = p; self.angle = angle; self.scale = scale }
    /// `local` (expressed in this pose's frame) in the parent frame.
    func compose(_ local: Pose) -> Pose {
        Pose(p + local.p.rotated(angle) * scale, angle + local.angle, scale: scale * local.scale)
    }
}

@inline(__always) func clamp(_ v: Double, _ lo: Double, _ hi: Double) -> Double { min(hi, max(lo, v)) }
@inline(__always) func smoothstep(_ e0: Double, _ e1: Double, _ x: Double) -> Double {
    let t = clamp((x - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)
}
/// Minimum-jerk profile: how people move a hand from rest to rest.
@inline(__always) func minJerk(_ t: Double) -> Double {
    let u = clamp(t, 0, 1)
    return u * u * u * (10 - 15 * u + 6 * u * u)
}
@inline(__always) func mix(_ a: Double, _ b: Double, _ t: Double) -> Double { a + (b - a) * t }

/// Angles interpolated the short way round.
func angleLerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
    var d = (b - a).truncatingRemainder(dividingBy: 2 * .pi)
    if d > .pi { d -= 2 * .pi }
    if d < -.pi { d += 2 * .pi }
    return a + d * t
}

func bezier(_ p0: V2, _ c: V2, _ p1: V2, _ t: Double) -> V2 {
    let u = 1 - t
    return p0 * (u * u) + c * (2 * u * t) + p1 * (t * t)
}
