import Foundation
import Contract
import Evidence
import LaneCore
import LearnedCounter
import MediaIO
import POS
import Rules
import Vision
import Zones

/// `lanesight analyze`: the streaming pipeline fed from files.
public struct AnalyzeJob {
    public var laneURL: URL
    public var video: String?
    public var posURL: URL
    public var catalogURL: URL?
    public var videoStart: String?
    public var outDir: URL
    /// Where what the lane learns is kept between runs (LaneState); nil = do not keep.
    public var stateDir: URL?
    public var analysisWidth = 320
    /// Analyse only the lane's part of the view when it is a small part of it (AnalysisRegion).
    public var analyseLaneRegion = true
    public var writeEvidence = true
    /// Also write DIR/passes.jsonl: every pass and how it was decided.
    public var writePassLog = false
    /// Told about input that is valid but probably not what the caller meant.
    public var onWarning: ((String) -> Void)?
    /// Frames decoded ahead on a thread of their own; 0 decodes on the analysis thread.
    public var decodeAhead = AnalyzeJob.defaultDecodeAhead
    /// Half a second at 15 fps: enough to ride out the frames where vision is slow
    /// (many tracks), and 8 held frames are about 12 MB at 720p.
    public static let defaultDecodeAhead = 8
    /// The learned item counter: the model built with `lanesight`, one from a
    /// folder (`item-counter.json` + its network), or none.
    public enum CounterChoice: Sendable, Equatable {
        case off, bundled
        case directory(URL)
    }
    public var learnedCounter = CounterChoice.bundled

    public init(laneURL: URL, video: String?, posURL: URL, catalogURL: URL?, videoStart: String?, outDir: URL, stateDir: URL?) {
        self.laneURL = laneURL; self.video = video; self.posURL = posURL; self.catalogURL = catalogURL
        self.videoStart = videoStart; self.outDir = outDir; self.stateDir = stateDir
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Progress: Sendable {
        public var frames: Int
        public var videoSeconds: Double
        public var duration: Double?
        public var passes: Int
        public var incidents: Int
    }

    public struct Result {
        public var incidents: [Incident]
        public var summary: AnalysisSummary
        public var incidentsFile: URL
        public var wallSeconds: Double
    }

    /// Reads and checks every input before the first frame, so bad input fails fast.
    public func run(progress: ((Progress) -> Void)? = nil) throws -> Result {
        let began = Date()
        let lane: Lane
        do { lane = try LaneReader.read(url: laneURL) } catch { throw Failure(description: error.description) }
        let journal: POSJournal
        do { journal = try POSReader.readAll(url: posURL) } catch { throw Failure(description: error.description) }
        if journal.events.isEmpty {
            // Valid (a lane closed all day), but more often the wrong file: say what it implies.
            onWarning?("\(posURL.lastPathComponent): no POS events: nothing was scanned, so every item the camera sees carried will be an exception")
        }
        var catalog: Catalog?
        if let c = catalogURL {
            do { catalog = try CatalogReader.read(url: c) } catch { throw Failure(description: error.description) }
        }
        // A counter model that cannot be used is bad input too: refused before
        // the video is opened or the output folder made.
        let warn = onWarning ?? { _ in }
        let learned = try makeLearnedCounter(lane: lane, warn: warn)
        guard let videoPath = video ?? lane.resolvedSource() else {
            throw Failure(description: "\(laneURL.lastPathComponent): no video: give --video or a `source` in the lane file")
        }
        let source: any FrameFeed
        do {
            var o = SourceOptions()
            o.analysisWidth = analysisWidth
            if analyseLaneRegion { o.analysisRegion = AnalysisRegion.around(lane.zones) }
            // Decisions can come long after the pass (up to the snapshot horizon): keep the
            // packets of that long, plus the clip's lead-in, or late incidents get no clip.
            o.packetHistory = max(o.packetHistory, LaneAnalyzer.snapshotHorizon + lane.rules.clipPre + 5)
            source = decodeAhead > 0 ? try DecodeAheadSource(url: videoPath, options: o, depth: decodeAhead)
                                     : try VideoSource(url: videoPath, options: o)
        } catch {
            throw Failure(description: error.description)
        }
        let start: Double
        if let s = videoStart {
            guard let t = ISOTime.parseEpochSeconds(s) else {
                throw Failure(description: "--video-start: '\(s)' is not an ISO 8601 time with a zone (e.g. 2026-11-02T09:03:00.000Z)")
            }
            start = t
        } else if let t = source.info.creationTime {
            start = t
        } else {
            throw Failure(description: "\(videoPath): the video has no creation_time; give --video-start (the wall-clock time of its first frame)")
        }
        var loaded = CatalogAppearance.Loaded()
        var palette: ItemPalette?
        if let catalog {
            do {
                loaded = try CatalogAppearance.load(catalog)
                palette = loaded.palette
            } catch {
                throw Failure(description: "\(catalogURL?.lastPathComponent ?? "catalog"): \(error)")
            }
        }
        let references = loaded.descriptors
        let state = stateDir.map {
            LaneState(directory: $0, lane: lane, catalogFingerprint: CatalogAppearance.fingerprint(catalog), warn: warn)
        }
        let memory = state?.loadMemory(references: references) ?? AppearanceMemory(references: references)
        var counter = loaded.counter
        state?.loadSizes(into: &counter)
        do {
            try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "\(outDir.path): cannot create the output folder: \(error.localizedDescription)")
        }
        let writer = writeEvidence ? EvidenceWriter(outputDirectory: outDir) : nil
        let first = source.info
        let analyzer = LaneAnalyzer(lane: lane, videoStart: start, itemPalette: palette, references: references, memory: memory,
                                    counter: counter, evidence: writer,
                                    passLog: writePassLog ? outDir.appendingPathComponent("passes.jsonl") : nil,
                                    analysisRegion: first.analysisRegion, learnedCounter: learned)
        // POS events are fed a little ahead of the camera: the POS clock may run ahead.
        let lookAhead = lane.rules.clockOffsetMax + lane.rules.scanWindow + 1
        var posIndex = 0
        // A store's journal may hold every lane; this run is about one.
        let events = journal.events.filter { $0.store == lane.store && $0.lane == lane.lane }
        let otherLanes = journal.events.count - events.count
        if events.isEmpty && !journal.events.isEmpty {
            let found = Set(journal.events.map { "\($0.store)/\($0.lane)" }).sorted().prefix(5).joined(separator: ", ")
            throw Failure(description: "\(posURL.lastPathComponent): no events for store \(lane.store) lane \(lane.lane) of \(laneURL.lastPathComponent) (it has \(found))")
        }
        var lastReport = Date()
        do {
            while let frame = try source.next() {
                let camera = start + frame.time
                while posIndex < events.count && events[posIndex].time <= camera + lookAhead {
                    analyzer.ingest(events[posIndex])
                    posIndex += 1
                }
                analyzer.process(frame, source: source)
                analyzer.applyClipResults(source.takeCompletedClips())
                if let progress, Date().timeIntervalSince(lastReport) >= 1 {
                    lastReport = Date()
                    progress(Progress(frames: frame.index + 1, videoSeconds: frame.time, duration: first.duration,
                                      passes: analyzer.summary.passes, incidents: analyzer.incidents.count))
                }
            }
        } catch {
            throw Failure(description: error.description)
        }
        while posIndex < events.count {
            analyzer.ingest(events[posIndex])
            posIndex += 1
        }
        _ = analyzer.finish(source: source)
        analyzer.applyClipResults(source.finishClips())
        var summary = analyzer.summary
        summary.posDuplicates += journal.duplicates
        summary.posOtherLanes = otherLanes
        summary.analysisRegion = first.analysisRegion
        summary.analysisSize = (first.analysisWidth, first.analysisHeight)
        summary.frameSize = (first.width, first.height)
        let incidentsFile = outDir.appendingPathComponent("incidents.json")
        do {
            if let writer {
                try writer.writeIncidents(analyzer.incidents)
            } else {
                try IncidentsFile.encode(analyzer.incidents).write(to: incidentsFile)
            }
        } catch {
            throw Failure(description: "\(incidentsFile.path): cannot write: \(error)")
        }
        state?.save(memory: analyzer.memory, counter: analyzer.counter)
        return Result(incidents: analyzer.incidents, summary: summary, incidentsFile: incidentsFile,
                      wallSeconds: Date().timeIntervalSince(began))
    }
}

extension AnalyzeJob {
    /// The lane's learned counter, or nil when it is off or (bundled) not
    /// installed beside the binary, which is said. A model folder given by
    /// name that cannot be used is an error.
    func makeLearnedCounter(lane: Lane, warn: (String) -> Void) throws -> LearnedItemCounter? {
        let dir: URL
        switch learnedCounter {
        case .off: return nil
        case .directory(let d): dir = d
        case .bundled:
            guard let d = CounterModel.bundled() else {
                warn("the learned item counter's model is not beside the lanesight binary (LaneSight_LearnedCounter.resources): counting without it")
                return nil
            }
            dir = d
        }
        guard let zone = lane.zones.first(where: { $0.role == .scan }) else { return nil }
        do {
            let model = try CounterModel.load(directory: dir)
            let net = try ONNXCountNetwork(path: model.network, side: model.side)
            return LearnedItemCounter(network: net, bar: model.bar, scanZone: zone.polygon)
        } catch let e as CounterModelError {
            throw Failure(description: e.description)
        }
    }
}

/// Frames plus evidence: a `VideoSource` read in step, or one decoding ahead.
protocol FrameFeed: EvidenceSource {
    var info: VideoInfo { get }
    func next() throws(MediaError) -> VideoFrame?
    func takeCompletedClips() -> [Result<ClipResult, MediaError>]
    func finishClips() -> [Result<ClipResult, MediaError>]
}

extension VideoSource: FrameFeed {
    func takeCompletedClips() -> [Result<ClipResult, MediaError>] { clips.takeCompleted() }
    func finishClips() -> [Result<ClipResult, MediaError>] { clips.finish() }
}

extension DecodeAheadSource: FrameFeed {}
