import Contract
import LaneCore
import Testing
@testable import Vision

/// A tiny hand-drawn lane for unit tests: an overhead counter, a dark torso at
/// the bottom, a skin-coloured hand on a dark sleeve, and items drawn as
/// textured boxes. Frames are made directly at analysis size.
struct SyntheticLane {
    let width = 320
    let height = 180
    var seed: UInt64 = 7
    var brightness = 1.0
    /// One lamp, over the left part of the lane, at this level (1 = as it was);
    /// its light fades out across the middle.
    var leftLamp = 1.0
    /// The customer stands inside the picture (a wide camera): the torso does
    /// not reach the frame's bottom edge.
    var standsInView = false
    /// Colour of what covers the scanner (`cover:`).
    var coverColor: (UInt8, UInt8, UInt8) = (120, 40, 40)
    var sleeveColor: (UInt8, UInt8, UInt8) = (30, 30, 34)
    /// The sleeve starts this far (0…1) from the shoulder: a gap where a dark
    /// sleeve meets a dark torso and reads as shadow.
    var sleeveGap = 0.0
    /// Below 1, a wider camera: everything drawn shrinks towards the frame's
    /// centre (use `lane(scale:)` for the zones).
    var scale = 1.0
    /// The other hand, this far (normalized) beside the first whenever that
    /// one is drawn, holding its own items.
    var secondHand: (dx: Double, dy: Double, items: [Item])?
    /// Items lying on the counter or in the basket (centre, normalized).
    var resting: [(x: Double, y: Double, item: Item)] = []

    /// The lane's zones as a camera of this `scale` sees them.
    static func lane(scale: Double) -> Lane {
        var l = lane
        l.zones = lane.zones.map { z in
            var z = z
            z.polygon = z.polygon.map { NormalizedPoint(x: 0.5 + ($0.x - 0.5) * scale, y: 0.5 + ($0.y - 0.5) * scale) }
            return z
        }
        return l
    }

    static let lane = Lane(
        store: "t", lane: "t1", kind: .selfCheckout,
        zones: [
            Zone(name: "basket", role: .pickup, polygon: rect(0.02, 0.12, 0.30, 0.68)),
            Zone(name: "scanner", role: .scan, polygon: rect(0.40, 0.18, 0.60, 0.62)),
            Zone(name: "bag", role: .bagging, polygon: rect(0.70, 0.12, 0.98, 0.68)),
        ])

    static func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [NormalizedPoint] {
        [.init(x: x0, y: y0), .init(x: x1, y: y0), .init(x: x1, y: y1), .init(x: x0, y: y1)]
    }

    struct Item { var color: (UInt8, UInt8, UInt8); var w: Double; var h: Double }

    /// Draws the scene with the hand at (hx, hy) (normalized), optionally holding items.
    mutating func frame(hand: (Double, Double)?, items: [Item] = [], cover: (Double, Double, Double, Double)? = nil) -> PlanarYUV {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        func put(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let i = (y * width + x) * 3
            rgb[i] = c.0; rgb[i + 1] = c.1; rgb[i + 2] = c.2
        }
        let k = scale
        func sx(_ x: Double) -> Double { 0.5 + (x - 0.5) * k }
        func sy(_ y: Double) -> Double { 0.5 + (y - 0.5) * k }
        func fillRect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: (UInt8, UInt8, UInt8), stripes: Bool = false) {
            let a = Int(sx(x0) * Double(width)), b = Int(sx(x1) * Double(width))
            let cA = Int(sy(y0) * Double(height)), d = Int(sy(y1) * Double(height))
            guard a <= b, cA <= d else { return }
            for y in cA...d {
                for x in a...b {
                    if stripes && (x / 3) % 2 == 0 { put(x, y, (c.0 / 2 + 100, c.1 / 2 + 100, c.2 / 2 + 100)) } else { put(x, y, c) }
                }
            }
        }
        func fillEllipse(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, _ c: (UInt8, UInt8, UInt8)) {
            let px = sx(cx) * Double(width), py = sy(cy) * Double(height)
            let ax = rx * k * Double(width), ay = ry * k * Double(height)
            for y in Int(py - ay)...Int(py + ay) {
                for x in Int(px - ax)...Int(px + ax) {
                    let dx = (Double(x) - px) / ax, dy = (Double(y) - py) / ay
                    if dx * dx + dy * dy <= 1 { put(x, y, c) }
                }
            }
        }
        // Counter with a speckled texture; scanner glass darker.
        for y in 0..<height {
            for x in 0..<width {
                let n = Int(next() % 9) - 4
                let base = 150 + ((x * 7 + y * 13) % 11) - 5 + n
                put(x, y, (UInt8(clamping: base + 10), UInt8(clamping: base), UInt8(clamping: base - 15)))
            }
        }
        fillRect(0.42, 0.22, 0.58, 0.58, (60, 70, 80))
        for r in resting {
            fillRect(r.x - r.item.w / 2, r.y - r.item.h / 2, r.x + r.item.w / 2, r.y + r.item.h / 2, r.item.color, stripes: true)
        }
        // Torso at the bottom.
        fillRect(0.25, standsInView ? 0.74 : 0.8, 0.75, standsInView ? 0.9 : 1.0, (35, 35, 40))
        func arm(to hx: Double, _ hy: Double, from sx: Double, holding items: [Item]) {
            // Sleeve from the shoulder to the wrist.
            let sy = standsInView ? 0.78 : 0.85
            for k in 0...40 {
                let f = Double(k) / 40
                if f < sleeveGap { continue }
                fillEllipse(sx + (hx - sx) * f, sy + (hy + 0.08 - sy) * f, 0.025, 0.04, sleeveColor)
            }
            for (k, it) in items.enumerated() {
                let ox = Double(k) * (it.w + 0.015)
                fillRect(hx - it.w / 2 + ox, hy - it.h / 2, hx + it.w / 2 + ox, hy + it.h / 2, it.color, stripes: true)
            }
            fillEllipse(hx, hy + 0.05, 0.03, 0.06, (224, 172, 140))
        }
        if let (hx, hy) = hand {
            arm(to: hx, hy, from: 0.5, holding: items)
            if let o = secondHand { arm(to: hx + o.dx, hy + o.dy, from: 0.5 + o.dx, holding: o.items) }
        }
        if let c = cover { fillRect(c.0, c.1, c.2, c.3, coverColor) }
        var y = [UInt8](repeating: 0, count: width * height)
        var u = y, v = y
        for i in 0..<(width * height) {
            let fx = Double(i % width) / Double(width)
            let lamp = 1 - (1 - leftLamp) * min(1, max(0, (0.6 - fx) / 0.25))
            let s = brightness * lamp
            let c = ColorConversion.yuv(r: Int(Double(rgb[3 * i]) * s), g: Int(Double(rgb[3 * i + 1]) * s), b: Int(Double(rgb[3 * i + 2]) * s))
            y[i] = c.y; u[i] = c.u; v[i] = c.v
        }
        return PlanarYUV(width: width, height: height, y: y, u: u, v: v)
    }

    mutating func next() -> UInt64 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return seed >> 33
    }
}

/// Runs a scripted movement through LaneVision and collects what it reports.
struct Script {
    var scene = SyntheticLane()
    var vision = LaneVision(lane: SyntheticLane.lane, width: 320, height: 180)
    var time = 1_000.0
    var fps = 15.0
    var passes: [PassObservation] = []
    var obstructions: [Obstruction] = []
    /// The passes of items seen (not of the hand's motion alone).
    var itemPasses: [PassObservation] { passes.filter { !$0.itemHidden } }

    mutating func idle(_ seconds: Double) {
        for _ in 0..<Int(seconds * fps) { step(hand: nil) }
    }

    mutating func step(hand: (Double, Double)?, items: [SyntheticLane.Item] = [], cover: (Double, Double, Double, Double)? = nil) {
        let f = scene.frame(hand: hand, items: items, cover: cover)
        let out = vision.process(f, time: time)
        passes += out.passes
        obstructions += out.obstructions
        time += 1 / fps
    }

    /// Moves the hand along waypoints (normalized) at a steady speed.
    mutating func move(_ points: [(Double, Double)], seconds: Double, items: [SyntheticLane.Item] = [], dwellAt: Int? = nil, dwell: Double = 0,
                       cover: (Double, Double, Double, Double)? = nil) {
        let frames = Int(seconds * fps)
        let segs = points.count - 1
        for k in 0...frames {
            let f = Double(k) / Double(frames) * Double(segs)
            let s = min(segs - 1, Int(f))
            let a = points[s], b = points[s + 1]
            let r = f - Double(s)
            step(hand: (a.0 + (b.0 - a.0) * r, a.1 + (b.1 - a.1) * r), items: items, cover: cover)
            if let d = dwellAt, s == d, r < 1e-9 || (k > 0 && Int((Double(k - 1) / Double(frames)) * Double(segs)) < d) {
                for j in 0..<Int(dwell * fps) {
                    let wiggle = 0.01 * Double(j % 3 - 1)
                    step(hand: (points[d].0 + wiggle, points[d].1), items: items, cover: cover)
                }
            }
        }
    }

    /// Quiet, then empty hands sweeping across the lane three times: the
    /// background and the customer's side (and sleeve colours) are learned.
    mutating func learnTheLane() {
        idle(2)
        for _ in 0..<3 { move([(0.15, 0.4), (0.5, 0.4), (0.85, 0.4), (0.15, 0.4)], seconds: 3.0) }
    }

    /// From the basket, held over the scanner for a second, on to the bag.
    mutating func presentAtTheScanner(items: [SyntheticLane.Item] = []) {
        move([(0.15, 0.4), (0.5, 0.4), (0.85, 0.4)], seconds: 2.0, items: items, dwellAt: 1, dwell: 1.0)
    }

    /// The one pass seen from the hand alone; it presented over the scanner.
    func theHandPresentation(sourceLocation: SourceLocation = #_sourceLocation) throws -> PassObservation {
        let hand = passes.filter(\.itemHidden)
        #expect(hand.count == 1, sourceLocation: sourceLocation)
        let p = try #require(hand.first, sourceLocation: sourceLocation)
        #expect(p.path == .overScanner, sourceLocation: sourceLocation)
        return p
    }

    mutating func finish() {
        let out = vision.finish()
        passes += out.passes
        obstructions += out.obstructions
    }
}
