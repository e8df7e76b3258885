import Contract

/// A lane's zones rasterized at one analysis resolution, and the lane's flow
/// axis (pickup towards bagging), which says whether items move left-to-right,
/// right-to-left or along any other direction the camera was mounted in.
public struct ZoneMap: Sendable {
    public let width: Int
    public let height: Int
    public let zones: [Zone]
    /// Per pixel: bit i set when the pixel is inside zones[i].
    public let membership: [UInt16]
    /// Per pixel: 1 where analysis applies (not in an `ignore` zone).
    public let active: [UInt8]
    public let axis: FlowAxis

    public init(zones: [Zone], width: Int, height: Int) {
        precondition(zones.count <= 16, "at most 16 zones per lane")
        self.width = width
        self.height = height
        self.zones = zones
        var m = [UInt16](repeating: 0, count: width * height)
        for (zi, z) in zones.enumerated() {
            let bit = UInt16(1) << UInt16(zi)
            Self.rasterize(z.polygon, width: width, height: height) { i in m[i] |= bit }
        }
        membership = m
        var ignoreBits: UInt16 = 0
        for (zi, z) in zones.enumerated() where z.role == .ignore { ignoreBits |= UInt16(1) << UInt16(zi) }
        active = m.map { $0 & ignoreBits == 0 ? 1 : 0 }
        axis = FlowAxis(zones: zones)
    }

    /// Bits of all zones with this role.
    public func bits(_ role: ZoneRole) -> UInt16 {
        var b: UInt16 = 0
        for (i, z) in zones.enumerated() where z.role == role { b |= UInt16(1) << UInt16(i) }
        return b
    }

    /// Pixel count of the zones with this role.
    public func pixelCount(_ role: ZoneRole) -> Int {
        let b = bits(role)
        return membership.reduce(0) { $0 + ($1 & b != 0 ? 1 : 0) }
    }

    /// Is the normalized point inside any zone with this role?
    public func contains(_ role: ZoneRole, x: Double, y: Double) -> Bool {
        zones.contains { $0.role == role && Polygon.contains($0.polygon, x: x, y: y) }
    }

    /// Distance (normalized units) to the nearest zone with this role, 0 inside.
    public func distance(to role: ZoneRole, x: Double, y: Double) -> Double {
        Self.distance(in: zones, to: role, x: x, y: y)
    }

    /// The same over any zone list (e.g. the whole frame's while a part of it is
    /// rasterized); no allocation, it runs per tracked item per frame.
    public static func distance(in zones: [Zone], to role: ZoneRole, x: Double, y: Double) -> Double {
        var best = Double.infinity
        for z in zones where z.role == role { best = min(best, Polygon.distance(z.polygon, x: x, y: y)) }
        return best
    }

    /// Calls `body` with the index of every pixel whose centre is inside the polygon.
    public static func rasterize(_ poly: [NormalizedPoint], width: Int, height: Int, _ body: (Int) -> Void) {
        guard poly.count >= 3 else { return }
        var xs: [Double] = []
        for py in 0..<height {
            let y = (Double(py) + 0.5) / Double(height)
            xs.removeAll(keepingCapacity: true)
            var j = poly.count - 1
            for i in 0..<poly.count {
                let a = poly[i], b = poly[j]
                if (a.y > y) != (b.y > y) {
                    xs.append(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y))
                }
                j = i
            }
            xs.sort()
            var k = 0
            while k + 1 < xs.count {
                let x0 = Int((xs[k] * Double(width) - 0.5).rounded(.up))
                let x1 = Int((xs[k + 1] * Double(width) - 0.5).rounded(.down))
                // A slanted edge can leave a row narrower than a pixel: nothing to fill.
                let a = max(0, x0), b = min(width - 1, x1)
                if a <= b {
                    for px in a...b { body(py * width + px) }
                }
                k += 2
            }
        }
    }
}

/// The direction items travel, from the pickup zones' centre to the bagging
/// zones' centre. `progress` is 0 at the pickup centre and 1 at the bagging centre.
public struct FlowAxis: Sendable {
    public let origin: NormalizedPoint
    public let direction: NormalizedPoint  // unit vector
    public let length: Double

    public init(zones: [Zone]) {
        func center(_ role: ZoneRole) -> NormalizedPoint? {
            let zs = zones.filter { $0.role == role }
            guard !zs.isEmpty else { return nil }
            var x = 0.0, y = 0.0, w = 0.0
            for z in zs {
                let a = max(Polygon.area(z.polygon), 1e-9)
                let c = Polygon.centroid(z.polygon)
                x += c.x * a; y += c.y * a; w += a
            }
            return NormalizedPoint(x: x / w, y: y / w)
        }
        let p = center(.pickup) ?? NormalizedPoint(x: 0.2, y: 0.5)
        let b = center(.bagging) ?? NormalizedPoint(x: 0.8, y: 0.5)
        let dx = b.x - p.x, dy = b.y - p.y
        let len = max(1e-6, (dx * dx + dy * dy).squareRoot())
        origin = p
        direction = NormalizedPoint(x: dx / len, y: dy / len)
        length = len
    }

    /// Pickup centre to bagging centre in pixels of a width × height picture
    /// (normalized x and y scale differently: a top-to-bottom lane's length is
    /// a share of the height).
    public func pixelLength(width: Int, height: Int) -> Double {
        let dx = direction.x * length * Double(width), dy = direction.y * length * Double(height)
        return (dx * dx + dy * dy).squareRoot()
    }

    /// 0 at the pickup centre, 1 at the bagging centre.
    @inline(__always)
    public func progress(x: Double, y: Double) -> Double {
        ((x - origin.x) * direction.x + (y - origin.y) * direction.y) / length
    }

    /// Signed distance across the axis (normalized units), positive to the right of
    /// the flow as drawn in the image (y down): below the axis when items flow left to right.
    @inline(__always)
    public func across(x: Double, y: Double) -> Double {
        (x - origin.x) * -direction.y + (y - origin.y) * direction.x
    }
}
