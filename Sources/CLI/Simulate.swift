import ArgumentParser
import Foundation
import Simulator

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a synthetic self-checkout session: video.mp4, pos.jsonl, lane.json, catalog.json, refs/, truth.json.")

    @Option(help: "Output folder.") var out: String
    @Option(help: "Random seed; the same seed gives the same session.") var seed: UInt64 = 1
    @Option(help: "Length in minutes.") var minutes: Double = 5
    @Option(help: "Frame width.") var width: Int = 1280
    @Option(help: "Frame height.") var height: Int = 720
    @Option(help: "Frames per second.") var fps: Int = 15
    @Option(help: "Item flow: ltr or rtl.") var direction: String = "ltr"
    @Option(help: "Where the customer stands: bottom or top.") var customerSide: String = "bottom"
    // Unconditional: a negative offset ("-2.5") is a value, not an option.
    @Option(parsing: .unconditional, help: "POS clock − camera clock in seconds (default: random in ±3).") var clockOffset: Double?
    @Option(help: "Share of item passes that are exceptions.") var exceptionRate: Double = 0.3
    @Option(help: "Scales sensor noise, flicker and blur.") var noise: Double = 1.0

    func validate() throws {
        guard ["ltr", "rtl"].contains(direction) else { throw ValidationError("--direction must be ltr or rtl") }
        guard ["bottom", "top"].contains(customerSide) else { throw ValidationError("--customer-side must be bottom or top") }
        guard width >= 160, height >= 90, width % 2 == 0, height % 2 == 0 else { throw ValidationError("--width/--height must be even and at least 160x90") }
        guard (5...60).contains(fps) else { throw ValidationError("--fps must be 5…60") }
        guard minutes > 0 else { throw ValidationError("--minutes must be positive") }
        guard (0...1).contains(exceptionRate) else { throw ValidationError("--exception-rate must be 0…1") }
    }

    func run() throws {
        var c = SimulationConfig()
        c.seed = seed
        c.minutes = minutes
        c.width = width
        c.height = height
        c.fps = fps
        c.direction = direction == "rtl" ? .rightToLeft : .leftToRight
        c.customerSide = customerSide == "top" ? .top : .bottom
        c.clockOffset = clockOffset
        c.exceptionRate = exceptionRate
        c.noise = noise
        let dir = URL(fileURLWithPath: out)
        let isTTY = isatty(2) != 0
        let summary: SimulationSummary
        do {
            summary = try LaneSimulator.run(c, to: dir, progress: { f in
                if isTTY { FileHandle.standardError.write(String(format: "\rsimulating: %3.0f%%", f * 100).data(using: .utf8)!) }
            })
        } catch {
            if isTTY { warn("") }
            throw fail("simulate: \(error)")
        }
        if isTTY { warn("") }
        let incidents = summary.incidents.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("simulated \(summary.frames) frames: \(summary.transactions) transactions, \(summary.passes) item passes; incidents: \(incidents)")
        print("wrote \(dir.path)/{video.mp4,pos.jsonl,lane.json,catalog.json,truth.json}")
    }
}
