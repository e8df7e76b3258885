import Foundation
import Contract
import Evidence
import LaneCore
import LearnedCounter
import MediaIO
import POS
import Rules
import Vision

/// What the analyzer needs from the video besides frames: a full-quality
/// picture of the current frame, and clips cut from the compressed stream.
public protocol EvidenceSource: AnyObject {
    /// The current frame, held by reference: vision asks for many pictures (the best
    /// one of a pass keeps being replaced) and only those of incidents are converted.
    func holdCurrentFrame() -> HeldFrame?
    /// Times on the source's timeline (seconds since its first frame).
    func requestClip(from: Double, to: Double, path: URL, id: String)
}

extension VideoSource: EvidenceSource {
    public func requestClip(from: Double, to: Double, path: URL, id: String) {
        clips.request(from: from, to: to, path: path, id: id)
    }
}

extension DecodeAheadSource: EvidenceSource {}

/// Counts for the end-of-run summary.
public struct AnalysisSummary: Sendable {
    public var frames = 0
    public var videoSeconds = 0.0
    public var transactions = 0
    public var scans = 0
    public var passes = 0
    public var aroundPasses = 0
    public var posDuplicates = 0
    /// POS events of other lanes in the same journal, left out.
    public var posOtherLanes = 0
    public var clockOffset: Double?
    public var incidentsByType: [IncidentType: Int] = [:]
    public var clipsCopied = 0
    public var clipErrors: [String] = []
    /// The part of the view analysed (nil: all of it), the analysis copy's size and the frame's.
    public var analysisRegion: NormalizedRect?
    public var analysisSize = (0, 0)
    public var frameSize = (0, 0)
    /// How long after each incident's end (camera clock) it was decided while
    /// the video ran: what a live lane would wait for the alert.
    public var decisionDelay = DelayStats()
    /// Incidents decided only when the video ended (no later frames to wait through).
    public var decidedAtEnd = 0
    /// The learned item counter's work (nil: it was off).
    public var learnedCounter: LearnedItemCounter.Stats?
}

/// Count, mean and largest of a stream of delays, in constant memory.
public struct DelayStats: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var total = 0.0
    public private(set) var largest = 0.0
    /// How many were at most one second (the self-checkout alert target).
    public private(set) var withinOneSecond = 0
    public init() {}
    public mutating func add(_ seconds: Double) {
        let d = max(0, seconds)
        count += 1
        total += d
        largest = max(largest, d)
        if d <= 1 { withinOneSecond += 1 }
    }
    public var mean: Double? { count == 0 ? nil : total / Double(count) }
}

/// The streaming pipeline for one lane: frames and POS events in, incidents
/// (with their evidence) out. Vision turns frames into passes and
/// obstructions; the rule engine lines them up with the POS and decides.
/// Memory is bounded: snapshots are kept only for passes still undecided.
/// Not thread-safe: one analyzer per lane, driven by one task.
public final class LaneAnalyzer {
    public let lane: Lane
    public let videoStart: Double
    /// Made on the first frame, at the size of its analysis copy.
    var vision: LaneVision?
    let visionSettings: VisionSettings
    var engine: RuleEngine
    var transactions = TransactionTracker()
    let evidence: EvidenceWriter?
    let snapshotWidth: Int
    private(set) public var incidents: [Incident] = []
    private(set) public var summary = AnalysisSummary()
    var sequence = 0
    var passLogHandle: FileHandle?
    /// Scores passes over the scanner from crops of it; nil: off.
    let learned: LearnedItemCounter?

    struct Snapshot {
        var picture: HeldFrame
        var box: NormalizedRect?
        var time: Double
    }
    /// Pass id → slot → picture.
    var snapshots: [Int: [Int: Snapshot]] = [:]
    var snapshotTimes: [Int: Double] = [:]
    /// Pictures of blocked views, by the time the block began.
    var blockSnapshots: [(since: Double, snap: Snapshot)] = []
    /// Passes are decided within this long; older pictures are let go.
    static let snapshotHorizon = 60.0

    public init(lane: Lane, videoStart: Double, itemPalette: ItemPalette? = nil,
                references: [String: [AppearanceDescriptor]] = [:], memory: AppearanceMemory? = nil,
                counter: ItemCounter = ItemCounter(),
                evidence: EvidenceWriter?, snapshotWidth: Int = 1280, passLog: URL? = nil,
                analysisRegion: NormalizedRect? = nil, learnedCounter: LearnedItemCounter? = nil) {
        self.lane = lane
        learned = learnedCounter
        self.videoStart = videoStart
        var vs = VisionSettings()
        // The frames come cut to this part of the view (VideoInfo.analysisRegion).
        vs.crop = analysisRegion
        vs.occlusionCoverage = lane.rules.occlusionCoverage
        vs.occlusionMin = lane.rules.occlusionMin
        vs.itemPalette = itemPalette
        visionSettings = vs
        var mem = memory ?? AppearanceMemory(references: references)
        if memory != nil { mem.setReferences(references) }
        var options = RuleEngineOptions()
        options.keepOutcomes = passLog != nil
        engine = RuleEngine(settings: lane.rules, memory: mem, counter: counter, options: options)
        if let passLog {
            _ = FileManager.default.createFile(atPath: passLog.path, contents: nil)
            passLogHandle = try? FileHandle(forWritingTo: passLog)
        }
        self.evidence = evidence
        self.snapshotWidth = snapshotWidth
    }

    /// The appearance memory as it stands (to be saved so the lane improves with use).
    public var memory: AppearanceMemory { engine.memory }
    /// The item counter as it stands (its learned sizes are kept the same way).
    public var counter: ItemCounter { engine.counter }

    public func ingest(_ event: POSEvent) {
        transactions.ingest(event)
        engine.ingest(posEvent: event)
    }

    /// One decoded frame; `source` is where its pictures and clips come from.
    @discardableResult
    public func process(_ frame: VideoFrame, source: EvidenceSource) -> [Incident] {
        let t = videoStart + frame.time
        summary.frames += 1
        summary.videoSeconds = frame.time
        let vision = self.vision ?? LaneVision(lane: lane, width: frame.analysis.width, height: frame.analysis.height,
                                               settings: visionSettings)
        self.vision = vision
        let out = vision.process(frame.analysis, time: t)
        learned?.observe(time: t, activity: vision.scanActivity) { source.holdCurrentFrame() }
        take(out, source: source, time: t)
        if let since = vision.blockedSince, t - since >= 1.0, !blockSnapshots.contains(where: { $0.since == since }),
           let held = source.holdCurrentFrame() {
            blockSnapshots.append((since, Snapshot(picture: held, box: nil, time: t)))
            if blockSnapshots.count > 8 { blockSnapshots.removeFirst() }
        }
        let decisions = engine.advance(to: t)
        logOutcomes()
        let made = emit(decisions, source: source, now: t)
        // Pictures of passes that came to nothing (normal, merged away) go now, not at the horizon.
        for id in engine.takeFinishedPassIDs() {
            snapshots[id] = nil
            snapshotTimes[id] = nil
        }
        return made
    }

    /// End of stream: decide everything still open.
    public func finish(source: EvidenceSource) -> [Incident] {
        if let out = vision?.finish() { take(out, source: source, time: nil) }
        let decisions = engine.finish()
        logOutcomes()
        try? passLogHandle?.close()
        let made = emit(decisions, source: source, now: nil)
        summary.transactions = transactions.transactionCount
        summary.scans = transactions.itemLineCount
        summary.posDuplicates = transactions.duplicates
        summary.clockOffset = engine.offsetEstimate.offset
        summary.learnedCounter = learned?.stats
        return made
    }

    /// One JSON line per decided pass: what the camera saw, what the POS
    /// registered for it, and the verdict — why something was (not) flagged.
    func logOutcomes() {
        guard let h = passLogHandle else { return }
        for o in engine.takeOutcomes() {
            let p = o.pass
            var obj: [String: Any] = [
                "pass": p.id, "path": p.path.rawValue, "start": ISOTime.format(epochSeconds: p.start),
                "end": ISOTime.format(epochSeconds: p.end), "items": p.itemCount,
                "item_confidence": (p.itemConfidence * 100).rounded() / 100,
                "count_confidence": (p.countConfidence * 100).rounded() / 100,
                "scanned": o.scanned, "scan_times": o.scanTimes.map { ISOTime.format(epochSeconds: $0) },
                "verdict": o.verdict,
            ]
            if let r = o.countReason { obj["count_reason"] = r }
            if p.itemHidden { obj["item_hidden"] = true }
            if p.underCover { obj["under_cover"] = true }
            if let m = p.learnedMargin { obj["learned_margin"] = (m * 100).rounded() / 100 }
            if let a = p.itemArea { obj["item_area"] = (a * 100_000).rounded() / 100_000 }
            if let a = p.twoArmShare { obj["two_arm_share"] = (a * 100).rounded() / 100 }
            if let a = p.scanEnter, let b = p.scanLeave {
                obj["scan_enter"] = ISOTime.format(epochSeconds: a)
                obj["scan_leave"] = ISOTime.format(epochSeconds: b)
            }
            if let s = o.similarityScanned { obj["similarity_scanned"] = (s * 1000).rounded() / 1000 }
            if let s = o.similarityBest { obj["similarity_best"] = (s * 1000).rounded() / 1000 }
            if let c = o.confidence { obj["confidence"] = (c * 1000).rounded() / 1000 }
            if let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) {
                h.write(data + Data("\n".utf8))
            }
        }
    }

    func take(_ out: VisionOutput, source: EvidenceSource, time: Double?) {
        for r in out.snapshots {
            guard let held = source.holdCurrentFrame() else { continue }
            snapshots[r.passID, default: [:]][r.slot] = Snapshot(picture: held, box: r.box, time: r.time)
            snapshotTimes[r.passID] = r.time
        }
        for id in out.droppedTracks {
            snapshots[id] = nil
            snapshotTimes[id] = nil
        }
        for var p in out.passes {
            p.learnedMargin = learned?.margin(for: p)
            summary.passes += 1
            if p.path == .aroundScanner { summary.aroundPasses += 1 }
            engine.ingest(pass: p)
        }
        for o in out.obstructions { engine.ingest(obstruction: o) }
        if let now = time {
            for (id, t) in snapshotTimes where now - t > Self.snapshotHorizon {
                snapshots[id] = nil
                snapshotTimes[id] = nil
            }
        }
    }

    func emit(_ decisions: [Decision], source: EvidenceSource, now: Double?) -> [Incident] {
        var made: [Incident] = []
        for d in decisions {
            sequence += 1
            let id = String(format: "%@-%@-%06d", lane.store, lane.lane, sequence)
            var incident = Incident(id: id, type: d.type, store: lane.store, lane: lane.lane,
                                    transaction: d.transaction ?? transactions.transaction(at: d.start + (engine.offsetEstimate.offset)),
                                    start: d.start, end: d.end, confidence: d.confidence, details: d.details)
            if let evidence {
                incident.evidence = writeEvidence(for: d, incident: incident, writer: evidence, source: source)
            }
            summary.incidentsByType[d.type, default: 0] += 1
            if let now { summary.decisionDelay.add(now - d.end) } else { summary.decidedAtEnd += 1 }
            made.append(incident)
        }
        incidents += made
        return made
    }

    func writeEvidence(for d: Decision, incident: Incident, writer: EvidenceWriter, source: EvidenceSource) -> IncidentEvidence {
        var frames: [Snapshot] = []
        if let pid = d.passID, let slots = snapshots[pid] {
            frames = slots.keys.sorted().compactMap { slots[$0] }
            snapshots[pid] = nil
            snapshotTimes[pid] = nil
        } else if d.type == .occlusion {
            frames = blockSnapshots.filter { abs($0.since - d.start) < 1.5 }.map(\.snap)
        }
        let zonesOverlay = lane.zones.map { ZoneOverlay(name: $0.name, role: $0.role, polygon: $0.polygon) }
        let rendered: [(RGBImage, KeyframeAnnotation)] = frames.prefix(3).compactMap { s in
            guard let image = s.picture.rgb(maxWidth: snapshotWidth) else { return nil }
            let caption = String(format: "%@  %@  conf %.2f", d.type.rawValue, ISOTime.format(epochSeconds: s.time), d.confidence)
            let boxes = s.box.map { [BoxOverlay(rect: $0, label: d.type.rawValue)] } ?? []
            return (image, KeyframeAnnotation(zones: zonesOverlay, boxes: boxes, caption: caption))
        }
        var ev = IncidentEvidence()
        do {
            ev.keyframes = try writer.writeKeyframes(incidentID: incident.id, frames: rendered)
        } catch {
            summary.clipErrors.append("\(incident.id): key frames: \(error)")
        }
        let clip = writer.clipPath(incidentID: incident.id)
        source.requestClip(from: d.start - lane.rules.clipPre - videoStart, to: d.end + lane.rules.clipPost - videoStart,
                           path: clip.absolute, id: incident.id)
        ev.clip = clip.relative
        return ev
    }

    /// Forget the clip path of incidents whose clip could not be written.
    public func applyClipResults(_ results: [Result<ClipResult, MediaError>]) {
        for r in results {
            switch r {
            case .success(let c):
                if c.copied { summary.clipsCopied += 1 }
            case .failure(let e):
                summary.clipErrors.append(e.description)
                let name = URL(fileURLWithPath: e.url).deletingLastPathComponent().lastPathComponent
                if let k = incidents.firstIndex(where: { $0.id == name }) { incidents[k].evidence.clip = nil }
            }
        }
    }
}
