import Contract
import Evaluation
import Foundation
import MediaIO
import Pipeline
import Simulator

// `make bench`: simulate a 720p 15 fps session (or reuse the one simulated before with
// the same settings), then on that same file measure FFmpeg decode-only frames/s and
// our full analysis frames/s in one run, and print their ratio and the analysis' peak
// memory. The analysis runs in a child process so its peak RSS is its own.

struct Args {
    var minutes = 2.0
    var width = 1280, height = 720, fps = 15
    var seed: UInt64 = 99
    var dir: String?
    var decodeAhead = AnalyzeJob.defaultDecodeAhead
    var runs = 1
    var child = false
    var fresh = false
    /// The learned item counter on or off (nil: the analyzer's default).
    var learnedCounter: Bool?
}

let usage = """
    usage: lanesight-bench [--minutes M] [--width W] [--height H] [--fps F] [--seed N] [--dir DIR]
                           [--decode-ahead N] [--runs N] [--fresh] [--learned-counter on|off]
      --dir DIR         session folder (default: a temporary folder named after the settings;
                        a complete session there is reused unless --fresh; any session
                        folder, e.g. the foreign renderer's, holding an empty .bench-complete
                        is measured as it is)
      --decode-ahead N  frames decoded ahead on their own thread (0: decode on the analysis thread)
      --runs N          repeat the decode / analysis / decode measurement N times
      --learned-counter on|off  the analyzer's learned item counter (default: as `lanesight analyze`)
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lanesight-bench: \(message)\n".utf8))
    exit(2)
}

func parse() -> Args {
    var a = Args()
    var it = CommandLine.arguments.dropFirst().makeIterator()
    func value<T>(_ key: String, _ convert: (String) -> T?) -> T {
        guard let text = it.next() else { fail("\(key) needs a value\n\(usage)") }
        guard let v = convert(text) else { fail("\(key): '\(text)' is not a valid value\n\(usage)") }
        return v
    }
    while let k = it.next() {
        switch k {
        case "--minutes": a.minutes = value(k) { Double($0).flatMap { $0 > 0 ? $0 : nil } }
        case "--width": a.width = value(k) { Int($0) }
        case "--height": a.height = value(k) { Int($0) }
        case "--fps": a.fps = value(k) { Int($0) }
        case "--seed": a.seed = value(k) { UInt64($0) }
        case "--dir": a.dir = value(k) { $0 }
        case "--decode-ahead": a.decodeAhead = value(k) { Int($0).flatMap { $0 >= 0 ? $0 : nil } }
        case "--runs": a.runs = value(k) { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        case "--fresh": a.fresh = true
        case "--learned-counter": a.learnedCounter = value(k) { ["on": true, "off": false][$0] }
        case "--child-analyze": a.child = true
        case "-h", "--help": FileHandle.standardOutput.write(Data((usage + "\n").utf8)); exit(0)
        default: fail("unknown argument \(k)\n\(usage)")
        }
    }
    return a
}

let args = parse()
let session = URL(fileURLWithPath: args.dir ?? NSTemporaryDirectory()
    + "lanesight-bench-\(args.width)x\(args.height)-\(args.fps)fps-\(args.minutes)min-seed\(args.seed)")
let video = session.appendingPathComponent("video.mp4").path

/// VmHWM, the high-water mark of this process' own memory. Not ru_maxrss: Linux carries
/// the parent's peak across posix_spawn's vfork + exec into the child's ru_maxrss, so a
/// parent that just simulated a session would inflate it.
func peakRSSOfThisProcess() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Int($0) }) else { return nil }
    return kb * 1024
}

if args.child {
    // The measured analysis. Prints frames and wall seconds for the parent.
    var job = AnalyzeJob(laneURL: session.appendingPathComponent("lane.json"), video: video,
                         posURL: session.appendingPathComponent("pos.jsonl"),
                         catalogURL: session.appendingPathComponent("catalog.json"),
                         videoStart: nil, outDir: session.appendingPathComponent("out"), stateDir: nil)
    job.writeEvidence = true
    job.decodeAhead = args.decodeAhead
    // Said, not swallowed: a learned counter model missing beside the binary would bench without it.
    job.onWarning = { FileHandle.standardError.write(Data("lanesight-bench: warning: \($0)\n".utf8)) }
    if let on = args.learnedCounter { job.learnedCounter = on ? .bundled : .off }
    do {
        let r = try job.run()
        if let c = r.summary.learnedCounter {
            FileHandle.standardOutput.write(Data("COUNTER \(c.passesScored) \(c.networkRuns) \(c.crops)\n".utf8))
        }
        FileHandle.standardOutput.write(Data("RESULT \(r.summary.frames) \(r.wallSeconds) \(peakRSSOfThisProcess() ?? -1)\n".utf8))
    } catch {
        fail("analysis failed: \(error)")
    }
    exit(0)
}

// Unbuffered, so progress shows while the measurements run.
func line(_ s: String = "") { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
func loadAverage() -> String {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) == 3 ? String(format: "%.2f %.2f %.2f", l[0], l[1], l[2]) : "?"
}
func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
func cpuSeconds(_ u: rusage) -> Double { seconds(u.ru_utime) + seconds(u.ru_stime) }

// The session: simulating takes a while, so a complete one is reused. The marker is
// written last, so an interrupted simulation is never taken for a complete one.
let marker = session.appendingPathComponent(".bench-complete")
if args.fresh || !FileManager.default.fileExists(atPath: marker.path) {
    var config = SimulationConfig()
    config.seed = args.seed
    config.minutes = args.minutes
    config.width = args.width
    config.height = args.height
    config.fps = args.fps
    try? FileManager.default.removeItem(at: session)
    line("simulating \(args.minutes) min at \(args.width)x\(args.height) \(args.fps) fps into \(session.path) …")
    let start = Date()
    do {
        let sim = try LaneSimulator.run(config, to: session)
        let took = Date().timeIntervalSince(start)
        line(String(format: "  %d frames in %.1f s (%.0f frames/s rendered and encoded)", sim.frames, took, Double(sim.frames) / took))
        try Data().write(to: marker)
    } catch {
        fail("simulation failed: \(error)")
    }
} else {
    line("reusing the session in \(session.path) (--fresh to simulate it again)")
}

struct ChildRun {
    var frames: Int
    var wall: Double
    var cpu: Double
    var peakRSS: Int
    /// The learned counter's passes scored, network runs and crops (nil: off).
    var counter: [Int]?
}

/// The analysis in a child process (this executable again), so that its peak RSS and CPU
/// time are its own.
func childAnalysis() throws -> ChildRun {
    let exe = Bundle.main.executablePath ?? CommandLine.arguments[0]
    let argv = [exe, "--child-analyze", "--dir", session.path, "--decode-ahead", String(args.decodeAhead)]
        + (args.learnedCounter.map { ["--learned-counter", $0 ? "on" : "off"] } ?? [])
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { fail("pipe: \(String(cString: strerror(errno)))") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addclose(&actions, fds[1])
    var cargs = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, exe, &actions, nil, &cargs, environ)
    close(fds[1])
    guard rc == 0 else {
        close(fds[0])
        fail("cannot start \(exe): \(String(cString: strerror(rc)))")
    }
    let output = FileHandle(fileDescriptor: fds[0], closeOnDealloc: false).readDataToEndOfFile()
    close(fds[0])
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let text = String(decoding: output, as: UTF8.self)
    guard let r = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") })?.split(separator: " "),
          r.count == 4, let frames = Int(r[1]), let wall = Double(r[2]), let hwm = Int(r[3]) else {
        fail("the analysis child failed (wait status \(status)); its error is above")
    }
    let counter = text.split(separator: "\n").last(where: { $0.hasPrefix("COUNTER ") })?.split(separator: " ").dropFirst()
        .compactMap { Int($0) }
    // ru_maxrss (KiB on Linux) only where there is no /proc.
    return ChildRun(frames: frames, wall: wall, cpu: cpuSeconds(usage), peakRSS: hwm > 0 ? hwm : usage.ru_maxrss * 1024,
                    counter: counter?.count == 3 ? counter : nil)
}

/// Decode-only in this process, with the analyzer's decoder settings.
func decodeOnly() -> (frames: Int, wall: Double, cpu: Double) {
    var before = rusage(), after = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &before)
    let d: (frames: Int, seconds: Double)
    do { d = try DecodeBenchmark.decodeAll(url: video) } catch { fail("decode-only: \(error)") }
    getrusage(Int32(RUSAGE_SELF.rawValue), &after)
    return (d.frames, d.seconds, cpuSeconds(after) - cpuSeconds(before))
}

func ms(_ seconds: Double, _ frames: Int) -> String { String(format: "%.2f", 1000 * seconds / Double(max(frames, 1))) }

line("load average before: \(loadAverage()) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
var ratios: [Double] = []
var last: (decodeFPS: Double, analysisFPS: Double, run: ChildRun, decodeCPU: Double, decodeFrames: Int)?
for run in 1...args.runs {
    // Decode-only, analysis, decode-only again: the reference is the mean of the two
    // decode runs, so a machine getting busier during the run skews both sides alike.
    let d1 = decodeOnly()
    let a = try childAnalysis()
    let d2 = decodeOnly()
    let decodeFPS = (Double(d1.frames) / d1.wall + Double(d2.frames) / d2.wall) / 2
    let analysisFPS = Double(a.frames) / a.wall
    if d1.frames != a.frames || d2.frames != a.frames {
        line("warning: decode-only saw \(d1.frames)/\(d2.frames) frames, the analysis \(a.frames)")
    }
    ratios.append(analysisFPS / decodeFPS)
    if args.runs > 1 {
        line(String(format: "run %d: decode-only %.0f frames/s, analysis %.0f frames/s, ratio %.2f, load %@",
                    run, decodeFPS, analysisFPS, analysisFPS / decodeFPS, loadAverage()))
    }
    last = (decodeFPS, analysisFPS, a, (d1.cpu + d2.cpu) / 2, (d1.frames + d2.frames) / 2)
}
guard let last else { fail("no run") }

var ffmpegCLI = ""
if let path = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = ["-v", "quiet", "-nostdin", "-i", video, "-f", "null", "-"]
    let t0 = Date()
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus == 0 {
        ffmpegCLI = String(format: "%.0f", Double(last.decodeFrames) / Date().timeIntervalSince(t0))
    }
}

let a = last.run
let info = try? VideoSource(url: video).info
line()
line(String(format: "video                       %dx%d %@ fps %@, %d frames (%.0f s)", info?.width ?? args.width, info?.height ?? args.height,
            info?.frameRate.map { String(format: "%.0f", $0) } ?? "?", info?.codec ?? "", a.frames,
            // A session given with --dir may not be at --fps.
            info?.duration ?? Double(a.frames) / (info?.frameRate ?? Double(args.fps))))
line(String(format: "FFmpeg decode-only          %.0f frames/s  (libavcodec in-process, the analyzer's thread settings; CPU %@ ms/frame)",
            last.decodeFPS, ms(last.decodeCPU, last.decodeFrames)))
if !ffmpegCLI.isEmpty { line("ffmpeg CLI -f null          \(ffmpegCLI) frames/s  (for reference)") }
let counterText = args.learnedCounter.map { $0 ? ", learned counter on" : ", learned counter off" } ?? ""
line(String(format: "analysis                    %.0f frames/s  (decode + vision + rules + evidence, decode-ahead %d%@; CPU %@ ms/frame)",
            last.analysisFPS, args.decodeAhead, counterText, ms(a.cpu, a.frames)))
let ratioText = ratios.count > 1
    ? String(format: "%.2f (median of %d runs; %@)", ratios.sorted()[ratios.count / 2], ratios.count,
             ratios.map { String(format: "%.2f", $0) }.joined(separator: " "))
    : String(format: "%.2f", ratios[0])
if let c = a.counter {
    line("learned counter             \(c[0]) passes scored, \(c[1]) network runs, \(c[2]) crops of the scanner")
}
line("ratio analysis/decode-only  \(ratioText)  (target >= 0.60)")
line(String(format: "peak RSS of the analysis    %.0f MiB", Double(a.peakRSS) / 1_048_576))
line("load average after:         \(loadAverage())")

// Accuracy on this session, for the record.
if let truth = try? TruthReader.read(url: session.appendingPathComponent("truth.json")),
   let data = try? Data(contentsOf: session.appendingPathComponent("out/incidents.json")),
   let found = try? IncidentsFile.decode(data: data, fileName: "incidents.json") {
    let report = Evaluator.evaluate(truth: truth, incidents: found)
    line()
    line(report.text)
}
