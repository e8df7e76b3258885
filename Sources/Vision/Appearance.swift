import LaneCore

/// How an item looks, independent of its size, rotation and the light's
/// brightness: a normalized joint histogram of chroma (U, V) and coarse
/// lightness. Compared by the Bhattacharyya coefficient.
public struct AppearanceDescriptor: Sendable, Hashable, Codable {
    public static let lightBins = 3
    public static let chromaBins = 10
    public static let binCount = lightBins * chromaBins * chromaBins

    /// Sums to 1.
    public var histogram: [Float]
    /// How many pixels it was built from.
    public var pixelCount: Int

    public init(histogram: [Float], pixelCount: Int) {
        precondition(histogram.count == Self.binCount)
        self.histogram = histogram
        self.pixelCount = pixelCount
    }

    /// The bin of one pixel; `y` should already be corrected for the light's gain.
    @inline(__always)
    public static func bin(y: UInt8, u: UInt8, v: UInt8) -> Int {
        // Chroma 48…208 covers real surface colours; clamp the rest into the edge bins.
        let cu = min(chromaBins - 1, max(0, (Int(u) - 48) * chromaBins / 160))
        let cv = min(chromaBins - 1, max(0, (Int(v) - 48) * chromaBins / 160))
        let l = y < 70 ? 0 : (y < 150 ? 1 : 2)
        return (l * chromaBins + cu) * chromaBins + cv
    }

    /// Bhattacharyya coefficient: 1 for identical distributions, 0 for disjoint ones.
    public func similarity(_ other: AppearanceDescriptor) -> Double {
        var s: Double = 0
        for i in 0..<histogram.count {
            s += Double((histogram[i] * other.histogram[i]).squareRoot())
        }
        return min(1, s)
    }

    /// Weighted mean of descriptors (renormalized).
    public static func mean(_ items: [(AppearanceDescriptor, Double)]) -> AppearanceDescriptor? {
        guard !items.isEmpty else { return nil }
        var h = [Float](repeating: 0, count: binCount)
        var total: Double = 0
        var pixels = 0
        for (d, w) in items where w > 0 {
            for i in 0..<binCount { h[i] += d.histogram[i] * Float(w) }
            total += w
            pixels += d.pixelCount
        }
        guard total > 0 else { return nil }
        let sum = h.reduce(0, +)
        guard sum > 0 else { return nil }
        for i in 0..<binCount { h[i] /= sum }
        return AppearanceDescriptor(histogram: h, pixelCount: pixels)
    }
}

/// Accumulates pixels into a descriptor.
public struct AppearanceAccumulator: Sendable {
    public private(set) var counts = [Float](repeating: 0, count: AppearanceDescriptor.binCount)
    public private(set) var pixelCount = 0

    public init() {}

    @inline(__always)
    public mutating func add(y: UInt8, u: UInt8, v: UInt8, weight: Float = 1) {
        counts[AppearanceDescriptor.bin(y: y, u: u, v: v)] += weight
        pixelCount += 1
    }

    public mutating func add(_ other: AppearanceAccumulator) {
        for i in 0..<counts.count { counts[i] += other.counts[i] }
        pixelCount += other.pixelCount
    }

    public func descriptor(minPixels: Int = 20) -> AppearanceDescriptor? {
        guard pixelCount >= minPixels else { return nil }
        let sum = counts.reduce(0, +)
        guard sum > 0 else { return nil }
        return AppearanceDescriptor(histogram: counts.map { $0 / sum }, pixelCount: pixelCount)
    }

    /// From an RGB picture and a mask of the item's pixels (e.g. a catalog reference image).
    public static func descriptor(rgb: RGBImage, mask: [Bool]) -> AppearanceDescriptor? {
        var acc = AppearanceAccumulator()
        rgb.pixels.withUnsafeBufferPointer { p in
            for i in 0..<(rgb.width * rgb.height) where mask[i] {
                let c = ColorConversion.yuv(r: Int(p[3 * i]), g: Int(p[3 * i + 1]), b: Int(p[3 * i + 2]))
                acc.add(y: c.y, u: c.u, v: c.v)
            }
        }
        return acc.descriptor()
    }
}
