import Foundation
import Contract
import LaneCore
import Zones

/// Ask the caller to keep a full-quality picture of the current frame as
/// evidence for a pass (slot 0: it enters the scan zone or leaves pickup;
/// 1: the clearest moment; 2: it reaches bagging). A later request for the same
/// slot replaces the earlier one.
public struct SnapshotRequest: Sendable, Hashable {
    public var passID: Int
    public var slot: Int
    public var box: NormalizedRect
    public var time: Double
}

public struct VisionOutput: Sendable {
    public var passes: [PassObservation] = []
    public var obstructions: [Obstruction] = []
    public var snapshots: [SnapshotRequest] = []
    /// Track ids that ended without becoming a pass: their snapshots can go.
    public var droppedTracks: [Int] = []
}

public struct VisionSettings: Sendable {
    /// Fraction of the scan zone covered to count as blocked (the lane rule's default).
    public var occlusionCoverage: Double = RuleSettings().occlusionCoverage
    /// Seconds the scan zone must stay covered to be an occlusion (the lane rule's default).
    public var occlusionMin: Double = RuleSettings().occlusionMin
    /// Seconds before the first frames are trusted (background still forming).
    public var warmup: Double = 0.8
    /// Colours of the catalog's products, when reference images were given.
    public var itemPalette: ItemPalette?
    /// The part of the frame the analysis copy shows (normalized); nil: all of it.
    /// Zones are mapped into it, and boxes reported back in whole-frame coordinates.
    public var crop: NormalizedRect?
    public init() {}
}

/// Running counts, for the summary and for diagnosis.
public struct VisionStats: Sendable {
    public var frames = 0
    public var tracksStarted = 0
    public var passes = 0
    public var aroundPasses = 0
    public var obstructions = 0
    public var meanGain: Double = 1
}

/// The vision stage for one lane: frames in (the analysis copy), passes,
/// obstructions and snapshot requests out. Streaming, bounded memory; call
/// from one task.
public final class LaneVision {
    public let zones: ZoneMap
    public let settings: VisionSettings
    public internal(set) var stats = VisionStats()

    let width: Int
    let height: Int
    let model: BackgroundModel
    let palette: ArmColorModel
    let obstruction: ObstructionDetector
    var labeler = ComponentLabeler()
    var itemMask: [UInt8]
    var fgMask: [UInt8]
    /// Per pixel, the foreground blob it belongs to (−1: none), for this frame.
    var fgLabel: [Int32]
    var bodyLabeler = ComponentLabeler()
    var scratch: [UInt8] = []
    var tracks: [Track] = []
    /// Carries from the pickup zone lost a moment ago, that may reappear.
    var orphans: [Track] = []
    var nextTrackID = 1
    /// Passes held briefly so items carried together but tracked apart merge.
    var heldPasses: [PassObservation] = []
    static let holdSeconds = 0.6
    var lastTime: Double?
    var viewClearedAt: Double?
    var firstTime: Double?

    // Geometry, in analysis pixels and flow-axis progress.
    let scanBits: UInt16
    let pickupBits: UInt16
    let baggingBits: UInt16
    /// Analysis pixels of the bagging zone.
    let bagIndices: [Int]
    let scanArea: Double
    let minItemArea: Double
    let maxGroupArea: Double
    let maxComponentArea: Double
    let groupGap: Double
    /// Analysis pixels per whole-frame width, and in the whole frame.
    let frameW: Double
    let framePixels: Double
    /// The zones in whole-frame coordinates, for distances in frame units
    /// whatever part of the frame is analysed.
    let frameZones: [Zone]
    /// Pieces on one foreground blob this close are one carry.
    let carryReach: Double
    let pickupExitProgress: Double
    let scanStartProgress: Double
    let scanEndProgress: Double
    /// Past this along the flow, an item has crossed the scanner.
    var scanMidProgress: Double { (scanStartProgress + scanEndProgress) / 2 }
    let scanCenter: NormalizedPoint
    let baggingEntryProgress: Double
    let customerZoneSide: Int?
    /// Per frame edge (top, bottom, left, right): the line, in analysis pixels,
    /// past which a foreground blob reaches the customer's side of the counter:
    /// just outside the lane's zones, or the frame's edge when they reach it.
    /// A customer standing inside the picture (a wide camera) never touches
    /// the frame's edge.
    let bodyEdge: [Int]

    public init(lane fullLane: Lane, width: Int, height: Int, settings: VisionSettings = VisionSettings()) {
        self.width = width
        self.height = height
        self.settings = settings
        let lane = Self.mapped(fullLane, into: settings.crop)
        // Sizes are fractions of the whole frame's width, whatever part of it is analysed.
        frameW = Double(width) / (settings.crop?.width ?? 1)
        framePixels = Double(width * height) / ((settings.crop?.width ?? 1) * (settings.crop?.height ?? 1))
        frameZones = fullLane.zones
        zones = ZoneMap(zones: lane.zones, width: width, height: height)
        model = BackgroundModel(width: width, height: height)
        palette = ArmColorModel(items: settings.itemPalette)
        itemMask = [UInt8](repeating: 0, count: width * height)
        fgMask = itemMask
        fgLabel = [Int32](repeating: -1, count: width * height)
        scanBits = zones.bits(.scan)
        pickupBits = zones.bits(.pickup)
        baggingBits = zones.bits(.bagging)
        var scanIdx: [Int] = []
        for i in 0..<(width * height) where zones.membership[i] & scanBits != 0 { scanIdx.append(i) }
        let zoneMap = zones, bagBits = baggingBits
        bagIndices = (0..<(width * height)).filter { zoneMap.membership[$0] & bagBits != 0 }
        obstruction = ObstructionDetector(width: width, scanIndices: scanIdx, coverageThreshold: settings.occlusionCoverage)
        scanArea = Double(max(scanIdx.count, 1))
        // Items are 0.04 % of the frame's width squared at the least, or 1 % of
        // the scanner's bed where a wide camera shows the scanner, and every
        // item, small in the frame.
        minItemArea = max(12, min(0.0004 * frameW * frameW, 0.01 * scanArea))
        // A large box is ~15% of the frame's width; three items together ~twice
        // that area, as one piece when they touch (and, a moment, joined by
        // what lifting them bared in the basket).
        maxComponentArea = 0.045 * frameW * frameW
        maxGroupArea = 0.06 * frameW * frameW
        groupGap = max(3, 0.022 * frameW)
        carryReach = max(6, 0.06 * frameW)
        let axis = zones.axis
        func progressRange(_ role: ZoneRole) -> (Double, Double) {
            let pts = lane.zones.filter { $0.role == role }.flatMap(\.polygon)
            let ps = pts.map { axis.progress(x: $0.x, y: $0.y) }
            return (ps.min() ?? 0, ps.max() ?? 1)
        }
        pickupExitProgress = progressRange(.pickup).1
        let sr = progressRange(.scan)
        scanStartProgress = sr.0
        scanEndProgress = sr.1
        baggingEntryProgress = progressRange(.bagging).0
        let scanZones = lane.zones.filter { $0.role == .scan }
        scanCenter = scanZones.isEmpty ? NormalizedPoint(x: 0.5, y: 0.5) : Polygon.centroid(scanZones[0].polygon)
        let lanePts = lane.zones.filter { [.pickup, .scan, .bagging].contains($0.role) }.flatMap(\.polygon)
        let margin = max(2, Int((0.02 * frameW).rounded()))
        let zx0 = Int(((lanePts.map(\.x).min() ?? 0) * Double(width)).rounded(.down))
        let zx1 = Int(((lanePts.map(\.x).max() ?? 1) * Double(width)).rounded(.up))
        let zy0 = Int(((lanePts.map(\.y).min() ?? 0) * Double(height)).rounded(.down))
        let zy1 = Int(((lanePts.map(\.y).max() ?? 1) * Double(height)).rounded(.up))
        bodyEdge = [max(1, zy0 - margin), min(height - 2, zy1 + margin),
                    max(1, zx0 - margin), min(width - 2, zx1 + margin)]
        // A customer zone says where the customer stands: the frame edge nearest its centre.
        if let cz = lane.zones.first(where: { $0.role == .customer }) {
            let c = Polygon.centroid(cz.polygon)
            let d = [c.y, 1 - c.y, c.x, 1 - c.x]
            customerZoneSide = d.indices.min { d[$0] < d[$1] }
        } else {
            customerZoneSide = nil
        }
    }

    /// The lane with its zones in the crop's coordinates.
    static func mapped(_ lane: Lane, into crop: NormalizedRect?) -> Lane {
        guard let c = crop else { return lane }
        var l = lane
        l.zones = lane.zones.map { z in
            var z = z
            z.polygon = z.polygon.map { NormalizedPoint(x: ($0.x - c.x) / c.width, y: ($0.y - c.y) / c.height) }
            return z
        }
        return l
    }

    /// Distance (whole-frame normalized units) from a point in the analysed
    /// part's coordinates to the nearest zone with this role.
    func frameDistance(to role: ZoneRole, x: Double, y: Double) -> Double {
        var fx = x, fy = y
        if let c = settings.crop { fx = c.x + x * c.width; fy = c.y + y * c.height }
        return ZoneMap.distance(in: frameZones, to: role, x: fx, y: fy)
    }

    /// Boxes found in the crop, in whole-frame coordinates.
    func toFrame(_ out: VisionOutput) -> VisionOutput {
        guard let c = settings.crop else { return out }
        func map(_ r: NormalizedRect) -> NormalizedRect {
            NormalizedRect(x: c.x + r.x * c.width, y: c.y + r.y * c.height, width: r.width * c.width, height: r.height * c.height)
        }
        var o = out
        o.snapshots = out.snapshots.map { var s = $0; s.box = map($0.box); return s }
        o.passes = out.passes.map { var p = $0; p.box = p.box.map(map); return p }
        return o
    }

    /// How much the view looks like its usual self (1 = the same), for diagnosis.
    public var viewCorrelation: Double { obstruction.lastViewCorrelation }
    /// Covered share of the scan zone in the last frame, for diagnosis.
    public var scanCoverage: Double { obstruction.coverage }
    /// Share of the scan zone unlike the clear scanner in the last frame:
    /// something is over it (the learned counter crops then).
    public var scanActivity: Double { obstruction.activity }
    /// The light of the last frame against the background's (1 = the same), for diagnosis.
    public var gain: Double { Double(model.gain) }

    /// When the scan zone (or the view) became blocked, while it still is.
    public var blockedSince: Double? { obstruction.blockedSince }

    // MARK: per frame

    public func process(_ frame: PlanarYUV, time: Double) -> VisionOutput {
        let dt = min(0.5, max(0.02, time - (lastTime ?? (time - 1.0 / 15))))
        lastTime = time
        if firstTime == nil { firstTime = time }
        stats.frames += 1
        var out = VisionOutput()
        // A covered camera must not teach the background: freeze it until the view is back.
        let viewObs = obstruction.processView(rawY: frame.y, time: time)
        out.obstructions += viewObs
        if obstruction.viewJustCleared {
            viewClearedAt = time
            // What the bag looked like before the camera was covered is no reference now.
            bagViewTime = nil
            model.resumeAfterBlock()
        }
        if !obstruction.viewBlocked {
            model.process(frame, dt: dt)
            stats.meanGain += (Double(model.gain) - stats.meanGain) * 0.01
            out.obstructions += obstruction.processScan(model: model, time: time, dt: dt)
        }
        stats.obstructions += out.obstructions.count
        if obstruction.scanJustCleared {
            // What covered the scanner was absorbed into the background: put back the clear scanner.
            if let ref = obstruction.scanReference { model.reset(indices: obstruction.scanIndices, to: ref) }
        }
        let blocked = obstruction.viewBlocked
        let settling = viewClearedAt.map { time - $0 < 1.0 } ?? false
        if time - firstTime! < settings.warmup || blocked || settling {
            endTracks(time: time, force: blocked, into: &out)
            return toFrame(release(&out, time: time))
        }

        buildItemMask(dt: dt)
        // The arms first: counting items asks how many reach each carry.
        let hand = handSample(time: time)
        let groups = findGroups()
        update(groups: groups, time: time, into: &out)
        watchHand(hand, time: time, into: &out)
        return toFrame(release(&out, time: time))
    }

    /// Hold new passes for a moment; merge the ones that were one carry.
    func release(_ out: inout VisionOutput, time: Double) -> VisionOutput {
        for p in out.passes {
            // A hand's motion is not a second look at an item: the rules weigh it against the item passes.
            // A pass begun under a cover is the cover being lifted off: the carry
            // that follows is a pass of its own, never merged into it.
            if !p.itemHidden, let k = heldPasses.firstIndex(where: { !$0.itemHidden && $0.underCover == p.underCover && Self.sameCarry($0, p) }) {
                let a = heldPasses[k]
                var m = a
                // Two boxes apart are two items (two hands, or side by side);
                // overlapping ones are one item tracked twice.
                m.itemCount = Self.overlaps(a.box, p.box) ? max(a.itemCount, p.itemCount) : a.itemCount + p.itemCount
                if a.path != p.path {
                    m.path = .overScanner
                    m.scanEnter = a.scanEnter ?? p.scanEnter
                    m.scanLeave = a.scanLeave ?? p.scanLeave
                }
                m.countConfidence = min(a.countConfidence, p.countConfidence)
                m.itemConfidence = max(a.itemConfidence, p.itemConfidence)
                m.start = min(a.start, p.start)
                m.end = max(a.end, p.end)
                if let e1 = a.scanEnter, let e2 = p.scanEnter { m.scanEnter = min(e1, e2) }
                if let l1 = a.scanLeave, let l2 = p.scanLeave { m.scanLeave = max(l1, l2) }
                heldPasses[k] = m
                out.droppedTracks.append(p.id)
            } else {
                heldPasses.append(p)
            }
        }
        out.passes = []
        heldPasses.removeAll { p in
            if p.end + Self.holdSeconds <= time {
                out.passes.append(p)
                return true
            }
            return false
        }
        return out
    }

    static func overlaps(_ a: NormalizedRect?, _ b: NormalizedRect?) -> Bool {
        guard let a, let b else { return true }
        let w = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
        let h = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        guard w > 0, h > 0 else { return false }
        return w * h >= 0.3 * min(a.width * a.height, b.width * b.height)
    }

    static func sameCarry(_ a: PassObservation, _ b: PassObservation) -> Bool {
        // Over the scanner at the same moment, whatever else: one carry seen as two.
        if let a0 = a.scanEnter, let a1 = a.scanLeave, let b0 = b.scanEnter, let b1 = b.scanLeave {
            let overlap = min(a1, b1) - max(a0, b0)
            if overlap >= 0.5 * max(0.1, min(a1 - a0, b1 - b0)) { return true }
        }
        guard a.path == b.path else { return false }
        let i1 = a.path == .overScanner ? a.matchInterval : a.start...a.end
        let i2 = b.path == .overScanner ? b.matchInterval : b.start...b.end
        let overlap = min(i1.upperBound, i2.upperBound) - max(i1.lowerBound, i2.lowerBound)
        let shorter = min(i1.upperBound - i1.lowerBound, i2.upperBound - i2.lowerBound)
        return overlap >= 0.5 * max(shorter, 0.1) && abs(a.end - b.end) < 1.0
    }

    /// End of stream: close what is open.
    public func finish() -> VisionOutput {
        var out = VisionOutput()
        out.obstructions += obstruction.finish()
        endTracks(time: (lastTime ?? 0) + 10, force: true, into: &out)
        // The video ended before the bag could be looked at again.
        if let check = bagPending { bagPending = nil; settle(check, share: nil, look: nil, into: &out) }
        return toFrame(release(&out, time: .infinity))
    }

    /// Item pixels: foreground outside ignore zones whose colour is not the customer's.
    /// The colour model learns from the customer's body: foreground blobs
    /// reaching their edge of the frame (arms, sleeves, torso), or, until that
    /// edge is known, any large blob — never from specks of noise or a passer-by.
    func buildItemMask(dt: Double) {
        let n = width * height
        model.labels.withUnsafeBufferPointer { lab in
        model.normY.withUnsafeBufferPointer { ny in
        model.normU.withUnsafeBufferPointer { nu in
        model.normV.withUnsafeBufferPointer { nv in
        zones.active.withUnsafeBufferPointer { act in
        palette.armness.withUnsafeBufferPointer { arm in
        itemMask.withUnsafeMutableBufferPointer { im in
        fgMask.withUnsafeMutableBufferPointer { fm in
            for i in 0..<n {
                var v: UInt8 = 0
                let f: UInt8 = lab[i] == 1 && act[i] != 0 ? 1 : 0
                if f != 0 {
                    let b = ArmColorModel.bin(y: ny[i], u: nu[i], v: nv[i])
                    if arm[b] < 128 { v = 1 }
                }
                im[i] = v
                fm[i] = f
            }
        }}}}}}}}
        let moving = teachPalette()
        palette.endFrame(busy: moving > n / 800, dt: dt)
        learnCustomerSide(busy: moving > n / 800)
        Morphology.open3(&itemMask, width: width, height: height, scratch: &scratch)
    }

    struct Group {
        var area = 0
        var minX = Int.max, maxX = Int.min, minY = Int.max, maxY = Int.min
        var sumX = 0.0, sumY = 0.0
        var components: [Int] = []
        /// Its colours this frame (for keeping tracks on the right item).
        var look: AppearanceAccumulator = AppearanceAccumulator()
        var cx: Double { sumX / Double(max(area, 1)) }
        var cy: Double { sumY / Double(max(area, 1)) }
    }

    /// Feeds the colour model with the changed pixels of the customer's body blobs;
    /// returns how many it fed.
    func teachPalette() -> Int {
        let stats = fgMask.withUnsafeBufferPointer { bodyLabeler.label($0, width: width, height: height) }
        let side = customerSide
        let minBody = 4 * minItemArea
        var body = [Bool](repeating: false, count: stats.count)
        for (k, c) in stats.enumerated() where Double(c.area) >= minBody {
            body[k] = side == nil ? Double(c.area) >= 3 * minBody : isBody(c)
        }
        bodyLabeler.paint(into: &fgLabel, width: width)
        bodyBlobs = side == nil ? [] : body
        measureReach(stats: stats)
        // A forearm cut off from the body (a dark sleeve over a dark torso reads
        // as shadow at the shoulder) is still the customer's: long and thin,
        // unlike nearly every product (a baguette's colours are taught only while
        // it is carried, too small a share of the busy frames to become the customer's).
        var teach = body
        if side != nil {
            for (k, c) in stats.enumerated() where !teach[k] && Double(c.area) >= minBody {
                let w = Double(c.maxX - c.minX + 1), h = Double(c.maxY - c.minY + 1)
                if (w * w + h * h) / Double(c.area) >= Self.armElongation { teach[k] = true }
            }
        }
        var fed: [Int32] = []
        swap(&fed, &fedBins)
        defer { swap(&fed, &fedBins) }
        fed.removeAll(keepingCapacity: true)
        let bodyReach = self.bodyReach, bodyBlobs = self.bodyBlobs, palette = self.palette
        model.staticFrames.withUnsafeBufferPointer { still in
        model.normY.withUnsafeBufferPointer { ny in
        model.normU.withUnsafeBufferPointer { nu in
        model.normV.withUnsafeBufferPointer { nv in
            reach.withUnsafeBufferPointer { rp in
            for r in bodyLabeler.runs where teach[Int(r.label)] {
                let base = Int(r.y) * width
                // Not the arm's far end: a hand holds items there, and they are not the customer.
                let l = Int(r.label)
                let handFrom = bodyBlobs.isEmpty || rp.isEmpty ? Int32.max
                    : Int32(Self.armEndShare * Double(bodyReach[l]))
                var x = Int(r.x0)
                while x <= Int(r.x1) {
                    let i = base + x
                    if still[i] == 0 {
                        let b = ArmColorModel.bin(y: ny[i], u: nu[i], v: nv[i])
                        // At the far end only skin-like colours: the hand, not what it holds.
                        if rp.isEmpty || rp[i] < handFrom || palette.isSkinLike(bin: b) { fed.append(Int32(b)) }
                    }
                    x += 2
                }
            }
            }
        }}}}
        palette.observe(bins: fed)
        return fed.count
    }

    // MARK: how far along the arm

    /// Per body blob: the longest path inside it from the customer's edge.
    var bodyReach: [Int32] = []
    var bodyBlobs: [Bool] = []
    /// Per pixel of a body blob: path length from the customer's edge (−1 elsewhere).
    var reach: [Int32] = []
    var queue: [Int32] = []
    /// Colour bins of the body pixels fed to the palette this frame (kept for its capacity).
    var fedBins: [Int32] = []

    /// Breadth-first path lengths inside each body blob from the customer's
    /// edge: a carried item sits at the far end of an arm, while the torso,
    /// head and sleeves stay near the edge whatever their colours.
    func measureReach(stats: [ComponentStats]) {
        if reach.count != width * height { reach = [Int32](repeating: -1, count: width * height) }
        bodyReach = [Int32](repeating: 0, count: stats.count)
        guard let side = customerSide, bodyBlobs.contains(true) else { return }
        Self.reachFromEdge(labels: fgLabel, body: bodyBlobs, side: side, edge: bodyEdge, width: width,
                           reach: &reach, queue: &queue, blobReach: &bodyReach)
    }

    /// Breadth-first path lengths from the customer's body line inside each
    /// `body` blob of `labels` (−1: none); each blob's longest in `blobReach`.
    /// `queue` ends holding the pixels reached, nearest first.
    static func reachFromEdge(labels: [Int32], body: [Bool], side: Int, edge: [Int], width: Int,
                              reach: inout [Int32], queue: inout [Int32], blobReach: inout [Int32]) {
        let n = labels.count
        queue.removeAll(keepingCapacity: true)
        reach.withUnsafeMutableBufferPointer { rp in
        blobReach.withUnsafeMutableBufferPointer { br in
        labels.withUnsafeBufferPointer { fl in
            rp.update(repeating: -1)
            // Seeds: body pixels on the customer's body line (the frame's
            // edge, or just outside the lane when the customer stands in view).
            func seed(_ i: Int) {
                let l = Int(fl[i])
                if l >= 0 && body[l] && rp[i] < 0 { rp[i] = 0; queue.append(Int32(i)) }
            }
            let height = n / width
            switch side {
            case 0: for y in 0...edge[0] { for x in 0..<width { seed(y * width + x) } }
            case 1: for y in edge[1]..<height { for x in 0..<width { seed(y * width + x) } }
            case 2: for y in 0..<height { for x in 0...edge[2] { seed(y * width + x) } }
            default: for y in 0..<height { for x in edge[3]..<width { seed(y * width + x) } }
            }
            var head = 0
            while head < queue.count {
                let i = Int(queue[head]); head += 1
                let d = rp[i] + 1
                let l = fl[i]
                let x = i % width
                if x > 0, rp[i - 1] < 0, fl[i - 1] == l { rp[i - 1] = d; queue.append(Int32(i - 1)) }
                if x + 1 < width, rp[i + 1] < 0, fl[i + 1] == l { rp[i + 1] = d; queue.append(Int32(i + 1)) }
                if i >= width, rp[i - width] < 0, fl[i - width] == l { rp[i - width] = d; queue.append(Int32(i - width)) }
                if i + width < n, rp[i + width] < 0, fl[i + width] == l { rp[i + width] = d; queue.append(Int32(i + width)) }
                if d - 1 > br[Int(l)] { br[Int(l)] = d - 1 }
            }
        }}}
    }

    // MARK: the hand

    var handWatch = HandWatch()

    /// Follows the far end of the arm reaching furthest into the lane, for
    /// scanning motions whose item is never seen.
    func watchHand(_ hs: HandSample?, time: Double, into out: inout VisionOutput) {
        if Self.debugTracks {
            let z = hs.map { $0.inPickup ? "P" : $0.inScan ? "S" : $0.atBagging ? "B" : "-" } ?? "."
            print(String(format: "hand %.2f %@ %@", time, z, hs.map { String(format: "%.2f,%.2f", $0.box.x + $0.box.width / 2, $0.box.y + $0.box.height / 2) } ?? ""))
        }
        let step = handWatch.observe(hs, time: time) {
            nextTrackID += 1
            return nextTrackID - 1
        }
        out.snapshots += step.snapshots
        out.droppedTracks += step.dropped
        // A presentation is a pass whatever the bag shows; a hand around the
        // scanner only if the bag changed.
        if let p = step.pass { awaitBag(p, presented: true, into: &out) }
        if let c = step.aroundCandidate { awaitBag(c, presented: false, into: &out) }
        checkBag(time: time, into: &out)
    }

    func awaitBag(_ pass: PassObservation, presented: Bool, into out: inout VisionOutput) {
        if let old = bagPending { settle(old, share: nil, look: nil, into: &out) }
        // Without a recent clear view of the bag (or a bagging zone) nothing can tell.
        if let seen = bagViewTime, !bagView.isEmpty, pass.end - seen <= Self.bagViewMaxAge {
            bagPending = (pass, bagView, seen, presented)
        } else {
            bagPending = nil
            settle((pass, [], 0, presented), share: nil, look: nil, into: &out)
        }
    }

    // MARK: what was left in the bag

    /// The bagging zone's gain-corrected lightness the last time no part of
    /// the customer was over it.
    var bagView: [Float] = []
    var bagViewTime: Double?
    /// A hand's motion that reached the bag (`presented`: over the scanner,
    /// else beside it), with the bag as it looked before.
    typealias BagCheck = (pass: PassObservation, before: [Float], seen: Double, presented: Bool)
    var bagPending: BagCheck?
    /// Some part of the customer's body blob (arm, sleeve, its shadow) is over the bagging zone.
    var bagOccupied = true

    /// The bag must have been seen clear this shortly before the hand reached
    /// it: an older view may miss what an earlier carry left there.
    static let bagViewMaxAge = 1.5
    /// The bag is looked at once the hand has been gone from it this long after reaching it…
    static let bagSettle = 0.5
    /// …and no later than this: a hand that stays, or comes back at once, hides it.
    static let bagDeadline = 4.0
    /// A pixel this much lighter or darker than before has changed.
    static let bagPixelChange: Float = 25
    /// Share of the bagging zone changed by an item put there. Measured on
    /// both renderers: an empty hand ≤ 0.3 %, an item 1.6–16 %, a bag set out,
    /// opened or taken away 19–86 % (an item covers a small part of the bag).
    /// Its look is read from the changed pixels only in that range, from
    /// 0.8 %: small items gripped from above on the foreign 540p renders left
    /// 0.9–1.4 %, and from 1.5 % their switched barcodes went unjudged (on 67
    /// sessions of both renderers 2 more true `wrong_scan`s, and one on a true
    /// incident of another type).
    static let bagItemChange = 0.008...0.2
    /// A hand around the scanner is a carry from 0.5 %: an item dropped where
    /// the bag's wall or earlier items hide most of it changed 0.5–1.2 % on
    /// the tuning sessions (both renderers), every empty hand's reach ≤ 0.3 %.
    static let bagCarryChange = 0.005...0.2
    /// …and when it took this long: taking an item from the basket to the bag
    /// takes a third of a second or more (0.33–1.1 s measured); a hand's
    /// motion shorter than this is a reach into the bag, not a carry.
    static let minCarrySeconds = 0.2
    /// Item confidence of a hand's pass that left something in the bag: the
    /// hand carried an item (from the hand alone it is `HandWatch.itemConfidence`).
    public static let itemLeftConfidence = 0.85

    func keepBagView(time: Double) {
        if bagView.count != bagIndices.count { bagView = [Float](repeating: 0, count: bagIndices.count) }
        model.normY.withUnsafeBufferPointer { ny in
        bagView.withUnsafeMutableBufferPointer { v in
            for (k, i) in bagIndices.enumerated() { v[k] = ny[i] }
        }}
        bagViewTime = time
    }

    /// Once the hand has left the bag: how much of it changed, and how what
    /// changed looks (the item, lying in the bag).
    func checkBag(time: Double, into out: inout VisionOutput) {
        defer { if !bagOccupied { keepBagView(time: time) } }
        guard let check = bagPending, time >= check.pass.end + Self.bagSettle else { return }
        guard !bagOccupied else {
            if time > check.pass.end + Self.bagDeadline { bagPending = nil; settle(check, share: nil, look: nil, into: &out) }
            return
        }
        bagPending = nil
        // Less the bag's overall shift: a lamp over it changing is not an item.
        let diff = model.normY.withUnsafeBufferPointer { ny in bagIndices.indices.map { ny[bagIndices[$0]] - check.before[$0] } }
        let shift = diff.sorted()[diff.count / 2]
        var look = AppearanceAccumulator()
        let ny = model.normY, nu = model.normU, nv = model.normV
        for (k, d) in diff.enumerated() where abs(d - shift) > Self.bagPixelChange {
            let i = bagIndices[k]
            look.add(normY: ny[i], normU: nu[i], normV: nv[i])
        }
        let share = Double(look.pixelCount) / Double(max(1, bagIndices.count))
        if Self.debugTracks {
            print(String(format: "bag-check %d %@ %.2f…%.2f bag changed %.3f seen-before %.2f after %.2f", check.pass.id,
                         check.presented ? "presented" : "around", check.pass.start, check.pass.end, share,
                         check.pass.end - check.seen, time - check.pass.end))
        }
        settle(check, share: share, look: look.descriptor(minPixels: 40), into: &out)
    }

    /// A presentation is a pass, with the look of what it left in the bag when
    /// the bag changed as an item put in it changes it; a hand around the
    /// scanner is a pass only when something was left (even mostly hidden) and
    /// the motion took a carry's time. `share` nil: the bag could not be seen.
    func settle(_ check: BagCheck, share: Double?, look: AppearanceDescriptor?, into out: inout VisionOutput) {
        var p = check.pass
        if let share, Self.bagItemChange.contains(share) {
            p.appearance = look
            p.itemConfidence = max(p.itemConfidence, Self.itemLeftConfidence)
        }
        let carried = share.map { Self.bagCarryChange.contains($0) } ?? false
        if check.presented {
            out.passes.append(p)
        } else if carried && p.end - p.start >= Self.minCarrySeconds {
            p.itemConfidence = max(p.itemConfidence, Self.itemLeftConfidence)
            out.passes.append(p)
        } else {
            out.droppedTracks.append(p.id)
        }
    }

    var handMask: [UInt8] = []
    var handLabel: [Int32] = []
    var handLabeler = ComponentLabeler()
    var handReach: [Int32] = []
    var handQueue: [Int32] = []
    var handBlobReach: [Int32] = []
    /// Per blob of `handLabel`: the customer's body (empty when none this frame).
    var handBody: [Bool] = []

    /// The hand: the pixels of the body blob reaching furthest from the
    /// customer's edge, within a hand's length of its far end (the breadth-first
    /// order puts them last). The blobs here are the foreground's closed over
    /// gaps of a few pixels: a dark sleeve over a dark counter breaks the arm
    /// into pieces, and its far end, the hand, would be lost. A dark sleeve over
    /// a light counter reads as shadow: shadow pixels join the pieces too, but
    /// the hand is where the furthest foreground is (a shadow falls beside and
    /// beyond the hand). (The item pixels keep the body as it is: closing
    /// would join items to the arm.) Nil when no body blob is known.
    func handSample(time: Double) -> HandSample? {
        bagOccupied = true
        handBody = []
        guard let side = customerSide else { return nil }
        let n = width * height
        if handMask.count != n {
            handMask = [UInt8](repeating: 0, count: n)
            handLabel = [Int32](repeating: -1, count: n)
            handReach = handLabel
        }
        model.labels.withUnsafeBufferPointer { lab in
        zones.active.withUnsafeBufferPointer { act in
        handMask.withUnsafeMutableBufferPointer { h in
            for i in 0..<n { h[i] = lab[i] != 0 && act[i] != 0 ? 1 : 0 }
        }}}
        for _ in 0..<2 { Morphology.minMax3(&handMask, width: width, height: height, scratch: &scratch, isMin: false) }
        for _ in 0..<2 { Morphology.minMax3(&handMask, width: width, height: height, scratch: &scratch, isMin: true) }
        let stats = handMask.withUnsafeBufferPointer { handLabeler.label($0, width: width, height: height) }
        let minBody = 4 * minItemArea
        let body = stats.map { Double($0.area) >= minBody && isBody($0) }
        guard body.contains(true) else { bagOccupied = false; return nil }
        handLabeler.paint(into: &handLabel, width: width)
        handBody = body
        bagOccupied = bagIndices.contains { i in handLabel[i] >= 0 && body[Int(handLabel[i])] }
        handBlobReach = [Int32](repeating: 0, count: stats.count)
        Self.reachFromEdge(labels: handLabel, body: body, side: side, edge: bodyEdge, width: width,
                           reach: &handReach, queue: &handQueue, blobReach: &handBlobReach)
        // Per blob, the furthest foreground pixel (the queue is nearest first).
        var fgReach = [Int32](repeating: 0, count: stats.count)
        for q in handQueue.reversed() {
            let i = Int(q)
            let l = Int(handLabel[i])
            if fgMask[i] != 0 && fgReach[l] == 0 { fgReach[l] = handReach[i] }
        }
        guard let best = body.indices.filter({ body[$0] }).max(by: { fgReach[$0] < fgReach[$1] }),
              fgReach[best] > 0 else { return nil }
        let from = fgReach[best] - Int32(max(2, (Self.handLength * frameW).rounded()))
        var count = 0, sx = 0, sy = 0
        var x0 = Int.max, x1 = Int.min, y0 = Int.max, y1 = Int.min
        for q in handQueue.reversed() {
            let i = Int(q)
            if handReach[i] < from { break }
            guard handLabel[i] == Int32(best), fgMask[i] != 0 else { continue }
            let x = i % width, y = i / width
            count += 1; sx += x; sy += y
            x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
        }
        guard count > 0 else { return nil }
        let cx = (Double(sx) / Double(count) + 0.5) / Double(width), cy = (Double(sy) / Double(count) + 0.5) / Double(height)
        let bits = zones.membership[min(height - 1, Int(cy * Double(height))) * width + min(width - 1, Int(cx * Double(width)))]
        let box = NormalizedRect(x: Double(x0) / Double(width), y: Double(y0) / Double(height),
                                 width: Double(x1 - x0 + 1) / Double(width), height: Double(y1 - y0 + 1) / Double(height))
        return HandSample(time: time, inPickup: bits & pickupBits != 0, inScan: bits & scanBits != 0,
                          atBagging: bits & baggingBits != 0 || zones.axis.progress(x: cx, y: cy) >= baggingEntryProgress,
                          box: box)
    }

    /// A hand, from the fingertips back, as a share of the frame's width.
    static let handLength = 0.025

    /// Whether an item piece lies along the body rather than at an arm's end.
    func isAlongBody(component k: Int) -> Bool {
        guard !bodyBlobs.isEmpty else { return false }
        let first = labeler.runs[runsByComponent[k][0]]
        let l = Int(fgLabel[Int(first.y) * width + Int(first.x0)])
        guard l >= 0, l < bodyBlobs.count, bodyBlobs[l], bodyReach[l] > 0 else { return false }
        var far: Int32 = 0
        for ri in runsByComponent[k] {
            let r = labeler.runs[ri]
            let base = Int(r.y) * width
            far = max(far, reach[base + Int(r.x0)], reach[base + Int(r.x1)])
        }
        return Double(far) < Self.armEndShare * Double(bodyReach[l])
    }

    /// Squared length over area from which a blob is an arm: a forearm is
    /// five or more times as long as it is wide, a box or bottle seen from
    /// above at most three or four.
    static let armElongation = 5.0

    /// Share of a body blob's reach beyond which a hand (and what it holds) is.
    static let armEndShare = 0.55

    // MARK: the customer's side

    /// Foreground mass along each frame edge (top, bottom, left, right), averaged.
    var edgeMass = [Double](repeating: 0, count: 4)
    var edgeFrames = 0

    /// The frame edge the customer stands at: from a `customer` zone when the
    /// lane has one, else the edge most foreground keeps touching.
    public var customerSide: Int? {
        if let z = customerZoneSide { return z }
        guard edgeFrames >= 30 else { return nil }
        let order = edgeMass.indices.sorted { edgeMass[$0] > edgeMass[$1] }
        return edgeMass[order[0]] >= 2 * edgeMass[order[1]] ? order[0] : nil
    }

    func learnCustomerSide(busy: Bool) {
        // Foreground along each frame edge, from this frame's labels.
        guard busy, customerZoneSide == nil else { return }
        let lab = model.labels
        var m = [0, 0, 0, 0]
        // Three rows (columns) at each side's body line, toward the outside.
        for band in 0..<3 {
            let top = max(0, bodyEdge[0] - band), bottom = min(height - 1, bodyEdge[1] + band)
            let left = max(0, bodyEdge[2] - band), right = min(width - 1, bodyEdge[3] + band)
            for x in stride(from: 0, to: width, by: 2) {
                if lab[top * width + x] == 1 { m[0] += 1 }
                if lab[bottom * width + x] == 1 { m[1] += 1 }
            }
            for y in stride(from: 0, to: height, by: 2) {
                if lab[y * width + left] == 1 { m[2] += 1 }
                if lab[y * width + right] == 1 { m[3] += 1 }
            }
        }
        edgeFrames += 1
        let a = 1 / Double(min(edgeFrames, 300))
        for k in 0..<4 { edgeMass[k] += a * (Double(m[k]) - edgeMass[k]) }
    }

    /// A component reaching past the customer's body line is their body or
    /// sleeve, not a carried item.
    func isBody(_ s: ComponentStats) -> Bool {
        switch customerSide {
        case 0: return s.minY <= bodyEdge[0]
        case 1: return s.maxY >= bodyEdge[1]
        case 2: return s.minX <= bodyEdge[2]
        case 3: return s.maxX >= bodyEdge[3]
        default: return false
        }
    }

    var lastStats: [ComponentStats] = []
    /// Run indices of each component of the last frame.
    var runsByComponent: [[Int]] = []

    /// Connected item components, merged into groups carried together.
    func findGroups() -> [Group] {
        let stats = itemMask.withUnsafeBufferPointer { labeler.label($0, width: width, height: height) }
        lastStats = stats
        runsByComponent = Array(repeating: [], count: stats.count)
        for (k, r) in labeler.runs.enumerated() { runsByComponent[Int(r.label)].append(k) }
        var keep: [Int] = []
        for (i, s) in stats.enumerated() where Double(s.area) >= minItemArea * 0.25 && Double(s.area) <= maxComponentArea {
            if isBody(s) || isAlongBody(component: i) { continue }
            keep.append(i)
        }
        // The foreground blob (arm, hand and what it holds) each piece belongs to.
        let fgOf: [Int32] = keep.map { k in
            let r = labeler.runs[runsByComponent[k][0]]
            return fgLabel[Int(r.y) * width + Int(r.x0)]
        }
        // Union pieces close together, or within a carry's reach on the same
        // blob: a hand's fingers or an item's own print split one carry into pieces.
        var parent = Array(0..<keep.count)
        func find(_ x: Int) -> Int { var r = x; while parent[r] != r { r = parent[r] }; return r }
        let gap = Int(groupGap.rounded())
        let reach = Int(carryReach.rounded())
        for a in 0..<keep.count {
            let sa = stats[keep[a]]
            for b in (a + 1)..<max(a + 1, keep.count) {
                let sb = stats[keep[b]]
                let g = fgOf[a] >= 0 && fgOf[a] == fgOf[b] ? reach : gap
                if sa.minX - g <= sb.maxX && sb.minX - g <= sa.maxX && sa.minY - g <= sb.maxY && sb.minY - g <= sa.maxY {
                    let ra = find(a), rb = find(b)
                    if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
                }
            }
        }
        var groupsByRoot: [Int: Group] = [:]
        for k in 0..<keep.count {
            let s = stats[keep[k]]
            var g = groupsByRoot[find(k)] ?? Group()
            g.area += s.area
            g.minX = min(g.minX, s.minX); g.maxX = max(g.maxX, s.maxX)
            g.minY = min(g.minY, s.minY); g.maxY = max(g.maxY, s.maxY)
            g.sumX += s.sumX; g.sumY += s.sumY
            g.components.append(keep[k])
            groupsByRoot[find(k)] = g
        }
        var groups = groupsByRoot.values.filter { Double($0.area) >= minItemArea && Double($0.area) <= maxGroupArea }
        for gi in groups.indices {
            for c in groups[gi].components { accumulate(component: c, into: &groups[gi].look, step: 2) }
        }
        return groups
            .sorted { ($0.area, $0.minY, $0.minX) > ($1.area, $1.minY, $1.minX) }  // deterministic, whatever the dictionary's order
    }
}
