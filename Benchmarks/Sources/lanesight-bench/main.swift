import Contract
import Evaluation
import Foundation
import MediaIO
import Pipeline
import Simulator

// `make bench`: simulate a 720p 15 fps session, then on that same file measure
// FFmpeg decode-only frames/s and our full analysis frames/s, in one run, and
// print their ratio and the analysis' peak memory. The analysis runs in a child
// process so its peak RSS is its own.

struct Args {
    var minutes = 2.0
    var width = 1280, height = 720, fps = 15
    var seed: UInt64 = 99
    var dir: String?
    var child = false
}

func parse() -> Args {
    var a = Args()
    var it = CommandLine.arguments.dropFirst().makeIterator()
    while let k = it.next() {
        switch k {
        case "--minutes": a.minutes = Double(it.next() ?? "") ?? a.minutes
        case "--width": a.width = Int(it.next() ?? "") ?? a.width
        case "--height": a.height = Int(it.next() ?? "") ?? a.height
        case "--fps": a.fps = Int(it.next() ?? "") ?? a.fps
        case "--seed": a.seed = UInt64(it.next() ?? "") ?? a.seed
        case "--dir": a.dir = it.next()
        case "--child-analyze": a.child = true
        default:
            FileHandle.standardError.write("unknown argument \(k)\n".data(using: .utf8)!)
            exit(2)
        }
    }
    return a
}

func analyze(session: URL, out: URL) throws -> AnalyzeJob.Result {
    var job = AnalyzeJob(laneURL: session.appendingPathComponent("lane.json"),
                         video: session.appendingPathComponent("video.mp4").path,
                         posURL: session.appendingPathComponent("pos.jsonl"),
                         catalogURL: session.appendingPathComponent("catalog.json"),
                         videoStart: nil, outDir: out, stateDir: nil)
    job.writeEvidence = true
    return try job.run()
}

let args = parse()
let session = URL(fileURLWithPath: args.dir ?? NSTemporaryDirectory() + "lanesight-bench-\(args.width)x\(args.height)-\(args.fps)")

if args.child {
    // The measured analysis: prints frames and seconds for the parent.
    do {
        let r = try analyze(session: session, out: session.appendingPathComponent("out"))
        print("RESULT \(r.summary.frames) \(r.wallSeconds)")
    } catch {
        FileHandle.standardError.write("analysis failed: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
    exit(0)
}

func line(_ s: String) { print(s); fflush(stdout) }

var config = SimulationConfig()
config.seed = args.seed
config.minutes = args.minutes
config.width = args.width
config.height = args.height
config.fps = args.fps
line("simulating \(args.minutes) min at \(args.width)x\(args.height) \(args.fps) fps into \(session.path) …")
let simStart = Date()
let sim = try LaneSimulator.run(config, to: session)
line(String(format: "  %d frames in %.1f s (%.0f frames/s rendered and encoded)", sim.frames, Date().timeIntervalSince(simStart),
            Double(sim.frames) / Date().timeIntervalSince(simStart)))
let video = session.appendingPathComponent("video.mp4").path

/// Runs the analysis as a child process; returns (frames, seconds, peak RSS bytes).
func childAnalysis() throws -> (Int, Double, Int) {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).path
    var pid: pid_t = 0
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw NSError(domain: "bench", code: 1) }
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    let argv = [exe, "--child-analyze", "--dir", session.path]
    var cargs = argv.map { strdup($0) } + [nil]
    let rc = posix_spawn(&pid, exe, &actions, nil, &cargs, environ)
    for p in cargs { free(p) }
    close(fds[1])
    guard rc == 0 else { throw NSError(domain: "bench", code: Int(rc)) }
    let handle = FileHandle(fileDescriptor: fds[0], closeOnExec: true)
    let data = handle.readDataToEndOfFile()
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let text = String(decoding: data, as: UTF8.self)
    guard let r = text.split(separator: "\n").first(where: { $0.hasPrefix("RESULT") })?.split(separator: " "),
          r.count == 3, let frames = Int(r[1]), let secs = Double(r[2]) else {
        throw NSError(domain: "bench: analysis child failed", code: Int(status))
    }
    return (frames, secs, usage.ru_maxrss * 1024)
}

// Decode-only, analysis, decode-only again: the mean of the two decode runs
// is the reference, so a machine getting busier mid-run skews both alike.
let d1 = try DecodeBenchmark.decodeAll(url: video)
let (frames, analysisSeconds, peak) = try childAnalysis()
let d2 = try DecodeBenchmark.decodeAll(url: video)
let decodeFPS = (Double(d1.frames) / d1.seconds + Double(d2.frames) / d2.seconds) / 2
let analysisFPS = Double(frames) / analysisSeconds

var ffmpegCLI = ""
if let path = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = ["-v", "quiet", "-i", video, "-f", "null", "-"]
    let t0 = Date()
    try p.run()
    p.waitUntilExit()
    ffmpegCLI = String(format: "%.0f", Double(d1.frames) / Date().timeIntervalSince(t0))
}

line("")
line(String(format: "video                      %dx%d %d fps, %d frames (%.0f s)", args.width, args.height, args.fps, frames,
            Double(frames) / Double(args.fps)))
line(String(format: "FFmpeg decode-only         %.0f frames/s (libavcodec, same threads as the analyzer)", decodeFPS))
if !ffmpegCLI.isEmpty { line("ffmpeg CLI -f null         \(ffmpegCLI) frames/s (for reference)") }
line(String(format: "analysis (decode+vision+rules+evidence)  %.0f frames/s", analysisFPS))
line(String(format: "ratio analysis/decode      %.2f (target >= 0.60)", analysisFPS / decodeFPS))
line(String(format: "peak RSS of the analysis   %.1f MiB", Double(peak) / 1_048_576))

// Accuracy on this session, for the record.
if let truth = try? TruthReader.read(url: session.appendingPathComponent("truth.json")),
   let data = try? Data(contentsOf: session.appendingPathComponent("out/incidents.json")),
   let found = try? IncidentsFile.decode(data: data, fileName: "incidents.json") {
    let report = Evaluator.evaluate(truth: truth, incidents: found)
    line("")
    line(report.text)
}
