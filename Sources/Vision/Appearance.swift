import LaneCore
import Foundation

/// How an item looks, independent of its size, rotation and how bright the
/// light is: a normalized histogram of hue (16 bins, soft-assigned so a slightly
/// different light shifts weight to a neighbour rather than to another bin) in
/// two saturation bands, plus three lightness bins for colourless pixels.
/// Saturation is chroma relative to lightness, so shade does not change it.
/// Compared by the Bhattacharyya coefficient.
public struct AppearanceDescriptor: Sendable, Hashable, Codable {
    public static let hueBins = 16
    public static let neutralBins = 3
    public static let binCount = hueBins * 2 + neutralBins

    /// Sums to 1.
    public var histogram: [Float]
    /// How many pixels it was built from.
    public var pixelCount: Int

    public init(histogram: [Float], pixelCount: Int) {
        precondition(histogram.count == Self.binCount)
        self.histogram = histogram
        self.pixelCount = pixelCount
    }

    /// Adds one pixel (8-bit Y'CbCr; Y corrected for the light's gain) to `counts`.
    @inline(__always)
    public static func add(y: UInt8, u: UInt8, v: UInt8, weight: Float, to counts: inout [Float]) {
        let yy = Float(y) - 16, uu = Float(u) - 128, vv = Float(v) - 128
        let chroma = (uu * uu + vv * vv).squareRoot()
        let sat = chroma / (max(yy, 0) + 20)
        if sat < 0.12 {
            let k = yy < 50 ? 0 : (yy < 140 ? 1 : 2)
            counts[hueBins * 2 + k] += weight
            return
        }
        let band = sat < 0.35 ? 0 : 1
        var h = (atan2f(vv, uu) + Float.pi) * (Float(hueBins) / (2 * Float.pi))
        if h >= Float(hueBins) { h -= Float(hueBins) }
        let h0 = Int(h)
        let f = h - Float(h0)
        let h1 = (h0 + 1) % hueBins
        counts[h0 * 2 + band] += weight * (1 - f)
        counts[h1 * 2 + band] += weight * f
    }

    /// Bhattacharyya coefficient: 1 for identical distributions, 0 for disjoint ones.
    public func similarity(_ other: AppearanceDescriptor) -> Double {
        var s: Double = 0
        for i in 0..<histogram.count {
            s += Double((histogram[i] * other.histogram[i]).squareRoot())
        }
        return min(1, s)
    }

    /// How much colourless pixels count when telling products apart.
    /// Highlights, shadows and pixels blended with a grey scanner, a white bag
    /// or the item's edge are colourless whatever the product, so the grey bins
    /// say little about which product it is. An item with no colour at all is
    /// still compared by them (the weights are renormalized).
    public static let productNeutralWeight: Float = 0.1

    /// Bhattacharyya coefficient with the colourless bins weighed by
    /// `productNeutralWeight`: which product this is, rather than how alike
    /// two pixel sets are.
    public func productSimilarity(_ other: AppearanceDescriptor) -> Double {
        let w = Self.productNeutralWeight
        let k = Self.hueBins * 2
        var ca: Float = 0, cb: Float = 0, na: Float = 0, nb: Float = 0
        for i in 0..<k { ca += histogram[i]; cb += other.histogram[i] }
        for i in k..<Self.binCount { na += histogram[i]; nb += other.histogram[i] }
        let sa = ca + w * na, sb = cb + w * nb
        guard sa > 0, sb > 0 else { return 0 }
        var s: Float = 0
        for i in 0..<k { s += (histogram[i] * other.histogram[i]).squareRoot() }
        var n: Float = 0
        for i in k..<Self.binCount { n += (histogram[i] * other.histogram[i]).squareRoot() }
        return min(1, Double((s + w * n) / (sa * sb).squareRoot()))
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
        AppearanceDescriptor.add(y: y, u: u, v: v, weight: weight, to: &counts)
        pixelCount += 1
    }

    /// Scale what was gathered so far (a running, forgetting histogram).
    public mutating func decay(_ factor: Float) {
        for i in 0..<counts.count { counts[i] *= factor }
        pixelCount = Int(Float(pixelCount) * factor)
    }

    /// Adds one pixel of the background model's normalised planes (Y' less 16,
    /// chroma less 128, as `BackgroundModel.normY/normU/normV` hold them).
    @inline(__always)
    public mutating func add(normY y: Float, normU u: Float, normV v: Float) {
        add(y: UInt8(clamping: Int(y + 16)), u: UInt8(clamping: Int(u + 128)), v: UInt8(clamping: Int(v + 128)))
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
