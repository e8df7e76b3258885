import ArgumentParser
import Contract
import Foundation
import LaneCore
import Pipeline

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze a recorded lane: writes DIR/incidents.json and DIR/evidence/.")

    @Option(help: "Lane file (JSON or YAML).") var lane: String
    @Option(help: "Video file or rtsp:// URL (default: the lane's source).") var video: String?
    @Option(help: "POS events, JSON Lines.") var pos: String
    @Option(help: "Catalog (JSON) with optional reference images.") var catalog: String?
    @Option(help: "Wall-clock time of the video's first frame (ISO 8601); default: the container's creation_time.")
    var videoStart: String?
    @Option(help: "Output folder.") var out: String
    @Option(help: "Folder where what a lane learns (product appearance and sizes) is kept between runs (default: $LANESIGHT_STATE_DIR or ~/.local/state/lanesight).")
    var state: String?
    @Flag(help: "Do not read or keep what a lane learns (start from the catalog alone).") var noState = false
    @Flag(help: "Key frames and clips are not written.") var noEvidence = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Also write DIR/passes.jsonl: every pass seen and how it was decided.") var passLog = false
    @Option(help: "The learned item counter (docs/accuracy.md): on (default; the model built with lanesight) or off.")
    var learnedCounter: Switch?
    @Option(help: "Folder of another learned counter model (item-counter.json and its ONNX network); implies --learned-counter on.")
    var counterModel: String?

    enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

    func validate() throws {
        if counterModel != nil && learnedCounter == .off {
            throw ValidationError("--counter-model names a model for the learned counter, which --learned-counter off turns off")
        }
    }

    func run() throws {
        let stateDir: URL? = noState ? nil : URL(fileURLWithPath: state ?? Self.defaultStateDir())
        var job = AnalyzeJob(laneURL: URL(fileURLWithPath: lane), video: video, posURL: URL(fileURLWithPath: pos),
                             catalogURL: catalog.map { URL(fileURLWithPath: $0) }, videoStart: videoStart,
                             outDir: URL(fileURLWithPath: out), stateDir: stateDir)
        job.writeEvidence = !noEvidence
        job.writePassLog = passLog
        switch (counterModel, learnedCounter) {
        case (let dir?, _): job.learnedCounter = .directory(URL(fileURLWithPath: dir))
        case (nil, .on?): job.learnedCounter = .bundled
        case (nil, .off?): job.learnedCounter = .off
        case (nil, nil): break  // the job's default
        }
        job.onWarning = { warn("warning: " + $0) }
        let isTTY = isatty(2) != 0
        let result: AnalyzeJob.Result
        do {
            result = try job.run(progress: quiet ? nil : { p in
                var line = String(format: "analyzing: %d frames, %.0f s of video", p.frames, p.videoSeconds)
                if let d = p.duration, d > 0 { line += String(format: " (%.0f%%)", min(100, 100 * p.videoSeconds / d)) }
                line += ", \(p.passes) passes, \(p.incidents) incidents"
                if isTTY { FileHandle.standardError.write(("\r" + line + "\u{1B}[K").data(using: .utf8)!) } else { warn(line) }
            })
        } catch let e as AnalyzeJob.Failure {
            if isTTY && !quiet { warn("") }
            throw fail(e.description)
        }
        if isTTY && !quiet { warn("") }
        print(Self.summaryText(result))
    }

    static func defaultStateDir() -> String {
        if let s = ProcessInfo.processInfo.environment["LANESIGHT_STATE_DIR"], !s.isEmpty { return s }
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/state/lanesight"
    }

    static func summaryText(_ r: AnalyzeJob.Result) -> String {
        let s = r.summary
        var lines: [String] = []
        let fps = Double(s.frames) / max(r.wallSeconds, 1e-6)
        lines.append(String(format: "analyzed %d frames (%.1f s of video) in %.1f s, %.0f frames/s", s.frames, s.videoSeconds, r.wallSeconds, fps))
        var offset = "unknown"
        if let o = s.clockOffset { offset = String(format: "%+.2f s", o) }
        lines.append("transactions: \(s.transactions)   scans: \(s.scans)   passes: \(s.passes) (\(s.aroundPasses) around the scanner)   POS clock − camera: \(offset)")
        if let g = s.analysisRegion {
            // Say so: what lies outside it (a customer far from the lane) is not looked at.
            lines.append(String(format: "analysed the lane's region of the view: x %.0f–%.0f %%, y %.0f–%.0f %% of the %d×%d frame, at %d×%d",
                                100 * g.x, 100 * (g.x + g.width), 100 * g.y, 100 * (g.y + g.height),
                                s.frameSize.0, s.frameSize.1, s.analysisSize.0, s.analysisSize.1))
        }
        if let c = s.learnedCounter {
            lines.append("learned item counter: \(c.passesScored) passes scored (\(c.networkRuns) network runs on \(c.crops) crops of the scanner)")
        }
        if s.posOtherLanes > 0 { lines.append("POS events of other lanes left out: \(s.posOtherLanes)") }
        if s.posDuplicates > 0 { lines.append("duplicate POS events (same id) skipped: \(s.posDuplicates)") }
        let byType = IncidentType.allCases.map { "\($0.rawValue) \(s.incidentsByType[$0] ?? 0)" }.joined(separator: ", ")
        lines.append("incidents: \(r.incidents.count) (\(byType))")
        let delay = s.decisionDelay
        if let mean = delay.mean {
            // What a live lane would wait for each alert: the rules hold a pass until no late POS event can still explain it.
            var text = String(format: "decided %.1f s after the incident's end on average, at most %.1f s; %d of %d within 1 s",
                              mean, delay.largest, delay.withinOneSecond, delay.count)
            if s.decidedAtEnd > 0 { text += "; \(s.decidedAtEnd) more when the video ended" }
            lines.append(text)
        } else if s.decidedAtEnd > 0 {
            lines.append("decided when the video ended: all \(s.decidedAtEnd)")
        }
        for i in r.incidents.sorted(by: { $0.start < $1.start }) {
            let ev = i.evidence.clip ?? i.evidence.keyframes.first ?? "-"
            lines.append(String(format: "  %@  %-11@ %@ … %@  conf %.2f  %@", i.id, i.type.rawValue,
                                ISOTime.format(epochSeconds: i.start), ISOTime.format(epochSeconds: i.end), i.confidence, ev))
        }
        if !s.clipErrors.isEmpty {
            lines.append("evidence problems: \(s.clipErrors.count)")
            for e in s.clipErrors.prefix(5) { lines.append("  \(e)") }
        }
        lines.append("wrote \(r.incidentsFile.path)")
        return lines.joined(separator: "\n")
    }
}
