import LaneCore

/// Colours known to belong to products, from the catalog's reference images.
/// Indexed like `ArmColorModel` bins; 1 for a product's main colours.
public struct ItemPalette: Sendable {
    public private(set) var likelihood: [Float]
    public private(set) var products = 0

    public init() { likelihood = [Float](repeating: 0, count: ArmColorModel.binCount) }

    /// Adds one product's top view; `mask` marks the product's pixels.
    public mutating func add(rgb: RGBImage, mask: [Bool]) {
        var h = [Float](repeating: 0, count: ArmColorModel.binCount)
        var n: Float = 0
        for i in 0..<(rgb.width * rgb.height) where mask[i] {
            let c = ColorConversion.yuv(r: Int(rgb.pixels[3 * i]), g: Int(rgb.pixels[3 * i + 1]), b: Int(rgb.pixels[3 * i + 2]))
            // Scenes light products differently from their reference: spread over ±1 bin.
            let b = ArmColorModel.bin(y: Float(c.y) - 16, u: Float(c.u) - 128, v: Float(c.v) - 128)
            for nb in ArmColorModel.neighbours(of: b) { h[nb] += 1 }
            n += 1
        }
        guard n > 0, let top = h.max(), top > 0 else { return }
        for i in 0..<h.count where h[i] > 0 {
            // A colour covering a few percent of a product is already telling.
            likelihood[i] = max(likelihood[i], min(1, h[i] / (0.05 * n * 27)))
        }
        products += 1
    }
}

/// Which foreground colours belong to the customer (hands, sleeves, clothes,
/// passers-by) rather than to a carried item.
///
/// Hands and sleeves move in nearly every busy frame, while any one product is
/// seen moving only during its own passes. So a colour bin's *presence* — the
/// share of recent busy frames in which moving foreground of that colour
/// appears — learns the customer's palette, whatever the skin tone, gloves or
/// clothing. Until it has learned, a prior stands in (the classic skin chroma
/// box and dark low-chroma cloth). Colours of catalog products count as items
/// unless the lane shows them to be the customer's.
///
/// The long memory takes half a minute of activity to learn the next
/// customer's sleeves, and until then a sleeve the colour of some product is
/// tracked as an item (an empty hand at the screen became a carry around the
/// scanner). So presence is also kept over the last few seconds (`recent`): a
/// colour moving in most busy frames of those is the customer's, where a
/// product is carried for two or three.
public final class ArmColorModel {
    static let yBins = 8, cBins = 32
    public static let binCount = yBins * cBins * cBins

    /// 0…255 per bin; pixels with armness >= 128 are not item pixels.
    public private(set) var armness: [UInt8]
    private var prior: [Float]
    private var presence: [Float]
    /// Presence over the last `recentSeconds` of activity only.
    private var recent: [Float]
    private let items: ItemPalette?
    private var frameCounts: [UInt16]
    private var touched: [Int32] = []
    private(set) var busyFrames = 0
    private(set) var busySeconds = 0.0
    private var framesSinceRebuild = 0
    /// Seconds of activity over which presence is averaged: long enough that
    /// a product carried a few times stays rare.
    public var memorySeconds: Double = 40
    /// Presence at which a colour counts fully as the customer's.
    public var fullPresence: Float = 0.5
    /// Seconds of activity until the learned palette replaces the prior.
    public var learningSeconds: Double = 13
    /// Seconds of activity over which `recent` is averaged.
    public var recentSeconds: Double = 8
    /// Recent presence from which a colour starts to count as the customer's,
    /// and at which it counts fully (a product carried 5 s of 8 reaches 0.46).
    public var recentFloor: Float = 0.35
    public var recentFull: Float = 0.7

    public init(items: ItemPalette? = nil) {
        self.items = items
        prior = [Float](repeating: 0, count: Self.binCount)
        presence = prior
        recent = prior
        frameCounts = [UInt16](repeating: 0, count: Self.binCount)
        armness = [UInt8](repeating: 0, count: Self.binCount)
        for yb in 0..<Self.yBins {
            for ub in 0..<Self.cBins {
                for vb in 0..<Self.cBins {
                    // The bin's centre back in Y'CbCr.
                    let y = (Float(yb) + 0.5) * 28
                    let scale = (y + 20) / Float(Self.cBins / 2)
                    let cb = 128 + (Float(ub - Self.cBins / 2) + 0.5) * scale
                    let cr = 128 + (Float(vb - Self.cBins / 2) + 0.5) * scale
                    let chroma = ((cb - 128) * (cb - 128) + (cr - 128) * (cr - 128)).squareRoot()
                    var p: Float = 0
                    if cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173 && y >= 20 { p = 0.8 }
                    if y < 45 && chroma < 16 { p = max(p, 0.7) }
                    prior[Self.index(yb, ub, vb)] = p
                }
            }
        }
        rebuild()
    }

    @inline(__always)
    static func index(_ yb: Int, _ ub: Int, _ vb: Int) -> Int { (yb * cBins + ub) * cBins + vb }

    /// Bin of a gain-normalized pixel (luminance Y−16, chroma U−128 and V−128).
    /// Chroma is taken relative to luminance, so one surface in light and in
    /// shade falls in the same bin, and a saturated box is apart from skin of a
    /// similar hue.
    @inline(__always)
    public static func bin(y: Float, u: Float, v: Float) -> Int {
        let yb = min(yBins - 1, max(0, Int(y * (1.0 / 28))))
        let s = Float(cBins / 2) / (max(y, 0) + 20)
        // +64 … −64 floors negative values too.
        let ub = min(cBins - 1, max(0, Int(u * s + Float(cBins / 2 + 64)) - 64))
        let vb = min(cBins - 1, max(0, Int(v * s + Float(cBins / 2 + 64)) - 64))
        return (yb * cBins + ub) * cBins + vb
    }

    /// The bin and its 26 neighbours (fewer at the edges).
    static func neighbours(of b: Int) -> [Int] {
        let yb = b / (cBins * cBins), ub = (b / cBins) % cBins, vb = b % cBins
        var out: [Int] = []
        for dy in -1...1 where yb + dy >= 0 && yb + dy < yBins {
            for du in -1...1 where ub + du >= 0 && ub + du < cBins {
                for dv in -1...1 where vb + dv >= 0 && vb + dv < cBins {
                    out.append(index(yb + dy, ub + du, vb + dv))
                }
            }
        }
        return out
    }

    /// Whether the prior takes this colour for skin.
    @inline(__always)
    public func isSkinLike(bin: Int) -> Bool { prior[bin] >= 0.75 }

    /// Count moving foreground pixels of this frame, by their bins. (One call
    /// per frame: a call per pixel pays a runtime exclusivity check each.)
    public func observe<C: Collection>(bins: C) where C.Element == Int32 {
        frameCounts.withUnsafeMutableBufferPointer { fc in
            for b in bins {
                let i = Int(b)
                if fc[i] == 0 { touched.append(b) }
                fc[i] &+= 1
            }
        }
    }

    /// Close a frame. Only busy frames (enough moving foreground) teach the model.
    public func endFrame(busy: Bool, dt: Double) {
        defer {
            for b in touched { frameCounts[Int(b)] = 0 }
            touched.removeAll(keepingCapacity: true)
        }
        guard busy else { return }
        busyFrames += 1
        busySeconds += dt
        let beta = Float(dt / min(busySeconds, memorySeconds))
        let betaRecent = Float(dt / min(busySeconds, recentSeconds))
        let keep = 1 - beta, keepRecent = 1 - betaRecent
        presence.withUnsafeMutableBufferPointer { p in
        recent.withUnsafeMutableBufferPointer { r in
            for i in 0..<p.count { p[i] *= keep; r[i] *= keepRecent }
        }}
        for b in touched where frameCounts[Int(b)] >= 2 {
            presence[Int(b)] += beta
            recent[Int(b)] += betaRecent
        }
        framesSinceRebuild += 1
        if framesSinceRebuild >= 10 || busyFrames < 30 {
            rebuild()
            framesSinceRebuild = 0
        }
    }

    /// For diagnosis: (prior, presence and recent presence (neighbourhood max), catalog likelihood, armness) of a bin.
    public func explain(bin b: Int) -> (prior: Float, presence: Float, recent: Float, item: Float, armness: UInt8) {
        (prior[b], Self.lightnessMax(presence, b), Self.lightnessMax(recent, b), items?.likelihood[b] ?? -1, armness[b])
    }

    /// The largest value of bin `b` and its neighbours in lightness: shading
    /// spreads one surface over several lightness bins. Chroma bins stay sharp
    /// so close hues stay apart.
    static func lightnessMax(_ a: [Float], _ b: Int) -> Float {
        let plane = cBins * cBins
        let yb = b / plane
        var m: Float = 0
        for y2 in max(0, yb - 1)...min(yBins - 1, yb + 1) { m = max(m, a[b + (y2 - yb) * plane]) }
        return m
    }

    /// Recompute the lookup table.
    private func rebuild() {
        let confidence = Float(min(1, busySeconds / learningSeconds))
        let cb = Self.cBins
        let itemL = items?.likelihood
        for yb in 0..<Self.yBins {
            for ub in 0..<cb {
                for vb in 0..<cb {
                    let i = Self.index(yb, ub, vb)
                    let m = Self.lightnessMax(presence, i), r = Self.lightnessMax(recent, i)
                    let recentLearned = min(1, max(0, (r - recentFloor) / (recentFull - recentFloor)))
                    let learned = max(min(1, m / fullPresence), recentLearned)
                    var a = (1 - confidence) * prior[i] + confidence * learned
                    if let itemL, itemL[i] > 0.25, learned < 0.8 { a = min(a, 0.3) }
                    armness[i] = UInt8(min(255, max(0, a * 255)))
                }
            }
        }
    }
}
