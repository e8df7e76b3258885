import Contract

/// Plane geometry on normalized coordinates.
public enum Polygon {
    /// Even-odd rule; points on an edge may land either side.
    public static func contains(_ poly: [NormalizedPoint], x: Double, y: Double) -> Bool {
        var inside = false
        var j = poly.count - 1
        for i in 0..<poly.count {
            let a = poly[i], b = poly[j]
            if (a.y > y) != (b.y > y) {
                let xCross = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
                if x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Absolute area (shoelace).
    public static func area(_ poly: [NormalizedPoint]) -> Double {
        abs(signedArea(poly))
    }

    static func signedArea(_ poly: [NormalizedPoint]) -> Double {
        guard poly.count >= 3 else { return 0 }
        var s = 0.0
        var j = poly.count - 1
        for i in 0..<poly.count {
            s += (poly[j].x * poly[i].y) - (poly[i].x * poly[j].y)
            j = i
        }
        return s / 2
    }

    /// Area centroid; the vertex mean for degenerate polygons.
    public static func centroid(_ poly: [NormalizedPoint]) -> NormalizedPoint {
        let a = signedArea(poly)
        guard abs(a) > 1e-12 else {
            let n = Double(max(1, poly.count))
            return NormalizedPoint(x: poly.reduce(0) { $0 + $1.x } / n, y: poly.reduce(0) { $0 + $1.y } / n)
        }
        var cx = 0.0, cy = 0.0
        var j = poly.count - 1
        for i in 0..<poly.count {
            let f = poly[j].x * poly[i].y - poly[i].x * poly[j].y
            cx += (poly[j].x + poly[i].x) * f
            cy += (poly[j].y + poly[i].y) * f
            j = i
        }
        return NormalizedPoint(x: cx / (6 * a), y: cy / (6 * a))
    }

    /// Distance from a point to the polygon's boundary, 0 inside.
    public static func distance(_ poly: [NormalizedPoint], x: Double, y: Double) -> Double {
        if contains(poly, x: x, y: y) { return 0 }
        var best = Double.infinity
        var j = poly.count - 1
        for i in 0..<poly.count {
            best = min(best, segmentDistance(x, y, poly[j], poly[i]))
            j = i
        }
        return best
    }

    static func segmentDistance(_ px: Double, _ py: Double, _ a: NormalizedPoint, _ b: NormalizedPoint) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0
        t = max(0, min(1, t))
        let qx = a.x + t * dx - px, qy = a.y + t * dy - py
        return (qx * qx + qy * qy).squareRoot()
    }
}
