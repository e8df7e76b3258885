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
    /// Fraction of the scan zone covered to count as blocked.
    public var occlusionCoverage: Double = 0.6
    /// Seconds before the first frames are trusted (background still forming).
    public var warmup: Double = 0.8
    /// Colours of the catalog's products, when reference images were given.
    public var itemPalette: ItemPalette?
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
    var bodyLabeler = ComponentLabeler()
    var scratch: [UInt8] = []
    var tracks: [Track] = []
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
    let scanArea: Double
    let minItemArea: Double
    let maxGroupArea: Double
    let maxComponentArea: Double
    let groupGap: Double
    let pickupExitProgress: Double
    let scanStartProgress: Double
    let scanEndProgress: Double
    let scanCenter: NormalizedPoint
    let baggingEntryProgress: Double
    let customerZoneSide: Int?

    public init(lane: Lane, width: Int, height: Int, settings: VisionSettings = VisionSettings()) {
        self.width = width
        self.height = height
        self.settings = settings
        zones = ZoneMap(zones: lane.zones, width: width, height: height)
        model = BackgroundModel(width: width, height: height)
        palette = ArmColorModel(items: settings.itemPalette)
        itemMask = [UInt8](repeating: 0, count: width * height)
        fgMask = itemMask
        scanBits = zones.bits(.scan)
        pickupBits = zones.bits(.pickup)
        baggingBits = zones.bits(.bagging)
        var scanIdx: [Int] = []
        for i in 0..<(width * height) where zones.membership[i] & scanBits != 0 { scanIdx.append(i) }
        obstruction = ObstructionDetector(width: width, scanIndices: scanIdx, coverageThreshold: settings.occlusionCoverage)
        scanArea = Double(max(scanIdx.count, 1))
        // Items are a few percent of a scanner bed at the least; a group of
        // three large ones can exceed the bed.
        minItemArea = max(12, 0.0004 * Double(width * width))
        // A large box is ~15% of the frame's width; three items together ~twice that area.
        maxComponentArea = 0.03 * Double(width * width)
        maxGroupArea = 0.06 * Double(width * width)
        groupGap = max(3, 0.022 * Double(width))
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
        // A customer zone says where the customer stands: the frame edge nearest its centre.
        if let cz = lane.zones.first(where: { $0.role == .customer }) {
            let c = Polygon.centroid(cz.polygon)
            let d = [c.y, 1 - c.y, c.x, 1 - c.x]
            customerZoneSide = d.indices.min { d[$0] < d[$1] }
        } else {
            customerZoneSide = nil
        }
    }

    /// How much the view looks like its usual self (1 = the same), for diagnosis.
    public var viewCorrelation: Double { obstruction.lastViewCorrelation }
    /// Covered share of the scan zone in the last frame, for diagnosis.
    public var scanCoverage: Double { obstruction.coverage }

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
        if obstruction.viewJustCleared { viewClearedAt = time }
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
            return release(&out, time: time)
        }

        buildItemMask(dt: dt)
        let groups = findGroups()
        update(groups: groups, time: time, scanBlocked: obstruction.scanBlocked, into: &out)
        return release(&out, time: time)
    }

    /// Hold new passes for a moment; merge the ones that were one carry.
    func release(_ out: inout VisionOutput, time: Double) -> VisionOutput {
        for p in out.passes {
            if let k = heldPasses.firstIndex(where: { Self.sameCarry($0, p) }) {
                let a = heldPasses[k]
                var m = a
                m.itemCount = a.itemCount + p.itemCount
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

    static func sameCarry(_ a: PassObservation, _ b: PassObservation) -> Bool {
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
        return release(&out, time: .infinity)
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
        var fed = 0
        model.staticFrames.withUnsafeBufferPointer { still in
        model.normY.withUnsafeBufferPointer { ny in
        model.normU.withUnsafeBufferPointer { nu in
        model.normV.withUnsafeBufferPointer { nv in
            for r in bodyLabeler.runs where body[Int(r.label)] {
                let base = Int(r.y) * width
                var x = Int(r.x0)
                while x <= Int(r.x1) {
                    let i = base + x
                    if still[i] == 0 {
                        palette.observe(bin: ArmColorModel.bin(y: ny[i], u: nu[i], v: nv[i]))
                        fed += 1
                    }
                    x += 2
                }
            }
        }}}}
        return fed
    }

    // MARK: the customer's side

    /// Foreground mass along each frame edge (top, bottom, left, right), averaged.
    var edgeMass = [Double](repeating: 0, count: 4)
    var edgeFrames = 0

    /// The frame edge the customer stands at: from a `customer` zone when the
    /// lane has one, else the edge most foreground keeps touching.
    var customerSide: Int? {
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
        for band in 0..<3 {
            for x in stride(from: 0, to: width, by: 2) {
                if lab[band * width + x] == 1 { m[0] += 1 }
                if lab[(height - 1 - band) * width + x] == 1 { m[1] += 1 }
            }
            for y in stride(from: 0, to: height, by: 2) {
                if lab[y * width + band] == 1 { m[2] += 1 }
                if lab[y * width + width - 1 - band] == 1 { m[3] += 1 }
            }
        }
        edgeFrames += 1
        let a = 1 / Double(min(edgeFrames, 300))
        for k in 0..<4 { edgeMass[k] += a * (Double(m[k]) - edgeMass[k]) }
    }

    /// A component reaching the customer's edge of the frame is their body or
    /// sleeve, not a carried item.
    func isBody(_ s: ComponentStats) -> Bool {
        switch customerSide {
        case 0: return s.minY <= 1
        case 1: return s.maxY >= height - 2
        case 2: return s.minX <= 1
        case 3: return s.maxX >= width - 2
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
        for (i, s) in stats.enumerated() where Double(s.area) >= minItemArea * 0.5 && Double(s.area) <= maxComponentArea {
            if isBody(s) { continue }
            keep.append(i)
        }
        // Union components whose boxes are within groupGap of each other.
        var parent = Array(0..<keep.count)
        func find(_ x: Int) -> Int { var r = x; while parent[r] != r { r = parent[r] }; return r }
        let gap = Int(groupGap.rounded())
        for a in 0..<keep.count {
            let sa = stats[keep[a]]
            for b in (a + 1)..<max(a + 1, keep.count) {
                let sb = stats[keep[b]]
                if sa.minX - gap <= sb.maxX && sb.minX - gap <= sa.maxX && sa.minY - gap <= sb.maxY && sb.minY - gap <= sa.maxY {
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
        return groupsByRoot.values.filter { Double($0.area) >= minItemArea && Double($0.area) <= maxGroupArea }
            .sorted { $0.area > $1.area }
    }
}
