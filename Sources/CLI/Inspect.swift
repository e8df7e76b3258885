import ArgumentParser
import Contract
import Foundation
import MediaIO
import Pipeline
import Vision
import Zones

/// A developer's view of the vision stage: writes what it sees as PNGs and
/// logs the passes and obstructions it reports, frame by frame.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what the vision stage sees: PNG panels (frame, foreground, item pixels) and its events.")

    @Option(help: "Lane file.") var lane: String
    @Option(help: "Video file or URL.") var video: String
    @Option(help: "Catalog, for its products' colours (as analyze uses them).") var catalog: String?
    @Option(help: "Output folder for the PNGs.") var out: String
    @Option(help: "Write every Nth frame.") var every: Int = 15
    @Option(help: "From this many seconds into the video.") var from: Double = 0
    @Option(help: "Until this many seconds into the video.") var to: Double = .infinity
    @Option(help: "Explain the colour model at analysis pixels x,y;x,y … on written frames.") var probe: String?

    func run() throws {
        let l: Lane
        do { l = try LaneReader.read(url: URL(fileURLWithPath: lane)) } catch { throw fail(error.description) }
        let source: VideoSource
        var options = SourceOptions()
        options.analysisRegion = AnalysisRegion.around(l.zones)
        do { source = try VideoSource(url: video, options: options) } catch { throw fail(error.description) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var settings = VisionSettings()
        settings.crop = source.info.analysisRegion
        // As analyze sees the lane: its own occlusion rules, if it overrides them.
        settings.occlusionCoverage = l.rules.occlusionCoverage
        settings.occlusionMin = l.rules.occlusionMin
        if let catalog {
            do {
                let c = try CatalogReader.read(url: URL(fileURLWithPath: catalog))
                settings.itemPalette = try CatalogAppearance.load(c).palette
            } catch { throw fail("\(error)") }
        }
        var vision: LaneVision?
        while let f = try source.next() {
            if f.time > to { break }
            let v = vision ?? LaneVision(lane: l, width: f.analysis.width, height: f.analysis.height, settings: settings)
            vision = v
            let o = v.process(f.analysis, time: f.time)
            for p in o.passes {
                print(String(format: "pass %d %@ %.2f…%.2f scan %@ items %d conf %.2f count-conf %.2f", p.id, p.path.rawValue, p.start, p.end,
                             p.scanEnter.map { String(format: "%.2f…%.2f", $0, p.scanLeave ?? 0) } ?? "-", p.itemCount, p.itemConfidence, p.countConfidence))
            }
            for ob in o.obstructions { print(String(format: "obstruction %@ %.2f…%.2f coverage %.2f", ob.kind.rawValue, ob.start, ob.end, ob.coverage)) }
            if f.time >= from && f.index % every == 0 {
                for pt in (probe ?? "").split(separator: ";") {
                    let xy = pt.split(separator: ",").compactMap { Int($0) }
                    if xy.count == 2 { print(String(format: "t=%.2f ", f.time) + v.explainPixel(x: xy[0], y: xy[1])) }
                }
                // The frame's own gain: the mean over the last few seconds hides a light that dims at once.
                print(String(format: "t=%.2f view-correlation %.2f scan-coverage %.2f gain %.2f (mean %.2f) customer-side %@", f.time, v.viewCorrelation, v.scanCoverage, v.gain, v.stats.meanGain, v.customerSide.map { ["top", "bottom", "left", "right"][$0] } ?? "unknown"))
                let img = v.debugView(frame: f.analysis)
                try ImageFile.writePNG(img, alpha: nil, to: URL(fileURLWithPath: out).appendingPathComponent(String(format: "f%06d-%.1f.png", f.index, f.time)))
            }
        }
        if let o = vision?.finish() {
            for p in o.passes { print("pass \(p.id) \(p.path.rawValue) at end") }
        }
    }
}
