import Contract
import LaneCore
import MediaIO
import Vision

/// The learned item counter of one lane: it keeps crops of the scan zone
/// while something is over it, and a running picture of the empty scanner,
/// and scores each pass over the scanner by a network trained on crops of
/// both renderers' passes (tools/counter). The crop, its timing and the empty
/// scanner are made as `tools/counter/video_crops.py` makes them for training.
/// Not thread-safe: one per lane, on the lane's task.
public final class LearnedItemCounter {
    public let bar: Double
    let network: CountNetwork
    /// The first scan zone's bounding box, as fractions of the frame.
    let zone: (x0: Double, y0: Double, x1: Double, y1: Double)
    var square: (x: Int, y: Int, side: Int)?
    var frameSize = (0, 0)
    let scaler = SquareScaler()

    struct Crop { var time: Double; var pixels: [UInt8] }
    /// Crops of the last `keepSeconds` while the scanner was busy, oldest first.
    var recent: [Crop] = []
    /// Samples of the square every `emptyInterval`, busy or not: their
    /// per-pixel median is the empty scanner (items come and go; it stays).
    var samples: [[UInt8]] = []
    var emptyCache: [UInt8]?
    var lastCrop = -Double.infinity, lastSample = -Double.infinity, lastBusy = -Double.infinity

    public struct Stats: Sendable, Equatable {
        public var crops = 0
        public var passesScored = 0
        public var networkRuns = 0
    }
    public private(set) var stats = Stats()

    /// A crop every 0.2 s: the spacing of the five crops per pass it was trained on.
    static let cropInterval = 0.2
    /// Passes are decided within seconds of leaving the scanner.
    static let keepSeconds = 20.0
    static let sampleInterval = 2.0
    static let maxSamples = 15
    static let minSamples = 3
    /// Busy: this share of the scan zone unlike the clear scanner, or was within `busyLinger`.
    static let busyShare = 0.02
    static let busyLinger = 1.0
    /// The five crops of a pass, around the middle of its crossing, as in training.
    static let offsets = [-0.4, -0.2, 0.0, 0.2, 0.4]
    /// A crop stands in for an instant this close to it…
    static let nearest = 0.11
    /// …and a pass needs this many of its five.
    static let minCrops = 3

    public init?(network: CountNetwork, bar: Double, scanZone: [NormalizedPoint]) {
        guard let x0 = scanZone.map(\.x).min(), let x1 = scanZone.map(\.x).max(),
              let y0 = scanZone.map(\.y).min(), let y1 = scanZone.map(\.y).max(), x1 > x0, y1 > y0 else { return nil }
        self.network = network
        self.bar = bar
        zone = (x0, y0, x1, y1)
    }

    /// The square around the scan zone in a `width` × `height` frame: its
    /// bounding box's larger side × 1.25, centred on it and moved inside the
    /// frame (Python's rounding, half to even, as the training crops).
    static func square(zone z: (x0: Double, y0: Double, x1: Double, y1: Double), width w: Int, height h: Int)
        -> (x: Int, y: Int, side: Int) {
        let W = Double(w), H = Double(h)
        let larger = max((z.x1 - z.x0) * W, (z.y1 - z.y0) * H)
        let side = min(Int((larger * 1.25).rounded(.toNearestOrEven)), w, h)
        let cx = (z.x0 + z.x1) / 2 * W, cy = (z.y0 + z.y1) / 2 * H
        let x = max(0, min(W - Double(side), cx - Double(side) / 2)).rounded(.toNearestOrEven)
        let y = max(0, min(H - Double(side), cy - Double(side) / 2)).rounded(.toNearestOrEven)
        return (Int(x), Int(y), side)
    }

    /// One frame at `time` (camera clock); `activity`: the share of the scan
    /// zone unlike the clear scanner. `frame` is asked for only when a crop is due.
    public func observe(time: Double, activity: Double, frame: () -> HeldFrame?) {
        if activity >= Self.busyShare { lastBusy = time }
        let cropDue = time - lastBusy <= Self.busyLinger && time - lastCrop >= Self.cropInterval - 0.01
        let sampleDue = time - lastSample >= Self.sampleInterval
        guard cropDue || sampleDue, let held = frame(), let pixels = crop(held) else { return }
        stats.crops += 1
        if cropDue {
            lastCrop = time
            recent.append(Crop(time: time, pixels: pixels))
            let old = recent.prefix { time - $0.time > Self.keepSeconds }.count
            if old > 0 { recent.removeFirst(old) }
        }
        if sampleDue {
            lastSample = time
            samples.append(pixels)
            if samples.count > Self.maxSamples { samples.removeFirst() }
            emptyCache = nil
        }
    }

    func crop(_ held: HeldFrame) -> [UInt8]? {
        if square == nil || frameSize != (held.width, held.height) {
            frameSize = (held.width, held.height)
            square = Self.square(zone: zone, width: held.width, height: held.height)
            // Samples of another size would not line up.
            recent = []; samples = []; emptyCache = nil
        }
        guard let s = square else { return nil }
        return held.squareRGB(x: s.x, y: s.y, side: s.side, size: network.side, scaler: scaler)?.pixels
    }

    /// The pass's mean logit minus the bar (≥ 0: two items or more), or nil
    /// when it went around the scanner or too few crops of it were kept.
    public func margin(for p: PassObservation) -> Double? {
        guard p.path == .overScanner, p.scanEnter != nil, samples.count >= Self.minSamples else { return nil }
        let mid = p.referenceTime
        var picked: [[UInt8]] = []
        var used = Set<Int>()
        for o in Self.offsets {
            let t = mid + o
            guard let k = recent.indices.min(by: { abs(recent[$0].time - t) < abs(recent[$1].time - t) }),
                  abs(recent[k].time - t) <= Self.nearest, !used.contains(k) else { continue }
            used.insert(k)
            picked.append(recent[k].pixels)
        }
        guard picked.count >= Self.minCrops else { return nil }
        let empty = emptyCache ?? Self.median(samples)
        emptyCache = empty
        guard let logits = network.logits(crops: picked, empty: empty), !logits.isEmpty else { return nil }
        stats.passesScored += 1
        stats.networkRuns += picked.count
        return logits.reduce(0, +) / Double(logits.count) - bar
    }

    /// Per-byte median of equal-sized images; of an even count, the two middle
    /// values' mean rounded down, as training's numpy `median(...).astype(uint8)`.
    static func median(_ images: [[UInt8]]) -> [UInt8] {
        guard let first = images.first else { return [] }
        let n = images.count, len = first.count
        // `crop` drops its samples when the frame size changes, so they are all one size.
        precondition(images.allSatisfy { $0.count == len }, "samples of different sizes")
        // One contiguous copy, then a small insertion sort per byte.
        let all = images.flatMap { $0 }
        var out = [UInt8](repeating: 0, count: len)
        var column = [UInt8](repeating: 0, count: n)
        all.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                column.withUnsafeMutableBufferPointer { c in
                    for i in 0..<len {
                        for j in 0..<n {
                            let v = a[j * len + i]
                            var k = j
                            while k > 0 && c[k - 1] > v { c[k] = c[k - 1]; k -= 1 }
                            c[k] = v
                        }
                        o[i] = n % 2 == 1 ? c[n / 2] : UInt8((Int(c[n / 2 - 1]) + Int(c[n / 2])) / 2)
                    }
                }
            }
        }
        return out
    }
}
