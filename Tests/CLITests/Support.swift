import Foundation
import Testing

/// The `lanesight` executable these tests run, as a user would.
///
/// SwiftPM puts executables and the test runner (`LaneSightPackageTests.xctest`)
/// in the same build folder, and `swift build --build-tests` / `swift test`
/// build both, so the binary next to the running test process is the one built
/// from the sources under test. `LANESIGHT_CLI` overrides it (any build).
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: URL? = {
        let fm = FileManager.default
        if let s = ProcessInfo.processInfo.environment["LANESIGHT_CLI"], !s.isEmpty {
            return URL(fileURLWithPath: s)
        }
        var folders: [URL] = []
        if let exe = Bundle.main.executableURL { folders.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        folders.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        folders.append(packageRoot.appendingPathComponent(".build/debug"))
        for f in folders {
            let candidate = f.appendingPathComponent("lanesight")
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs lanesight with output in files (a full pipe must never stall the child).
    static func run(_ arguments: [String], in dir: URL) throws -> Run {
        guard let binary else {
            throw Problem("no lanesight executable next to the test runner; build it with `swift build --build-tests` or set LANESIGHT_CLI")
        }
        return try runProcess(binary, arguments, in: dir)
    }

    static func runProcess(_ executable: URL, _ arguments: [String], in dir: URL) throws -> Run {
        let tag = UUID().uuidString.prefix(8)
        let outURL = dir.appendingPathComponent(".stdout-\(tag)"), errURL = dir.appendingPathComponent(".stderr-\(tag)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.currentDirectoryURL = dir
        p.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        // Learned appearance must not leak in from the user's home.
        var env = ProcessInfo.processInfo.environment
        env["LANESIGHT_STATE_DIR"] = dir.appendingPathComponent("state").path
        p.environment = env
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: p.terminationStatus,
                   stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Runs the ffmpeg CLI quietly.
    static func ffmpeg(_ arguments: [String], in dir: URL) throws {
        let r = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                               ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments, in: dir)
        guard r.status == 0 else { throw Problem("ffmpeg \(arguments.joined(separator: " ")) failed: \(r.stderr)") }
    }

    static func tempDirectory(_ name: String = #function) -> URL {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("lanesight-cli-\(clean)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct Problem: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A small valid session on disk: lane, POS journal, catalog and a 2-second video
/// made by the ffmpeg CLI, with or without a `creation_time` tag.
struct Session {
    let dir: URL
    var lane: URL { dir.appendingPathComponent("lane.json") }
    var pos: URL { dir.appendingPathComponent("pos.jsonl") }
    var catalog: URL { dir.appendingPathComponent("catalog.json") }
    var video: URL { dir.appendingPathComponent("video.mp4") }
    var out: URL { dir.appendingPathComponent("out") }
    var incidentsFile: URL { out.appendingPathComponent("incidents.json") }

    static let laneJSON = """
    {
      "store": "0042",
      "lane": "sco-03",
      "kind": "self_checkout",
      "zones": [
        {"name": "basket",  "role": "pickup",  "polygon": [[0.02,0.16],[0.31,0.16],[0.31,0.84],[0.02,0.84]]},
        {"name": "scanner", "role": "scan",    "polygon": [[0.39,0.24],[0.61,0.24],[0.61,0.72],[0.39,0.72]]},
        {"name": "bag",     "role": "bagging", "polygon": [[0.69,0.12],[0.98,0.12],[0.98,0.86],[0.69,0.86]]}
      ]
    }
    """

    static func posLines(lane: String = "sco-03") -> [String] {
        [
            #"{"time":"2026-11-02T09:00:00.200Z","store":"0042","lane":"\#(lane)","type":"transaction_start","transaction":"T1"}"#,
            #"{"time":"2026-11-02T09:00:00.900Z","store":"0042","lane":"\#(lane)","type":"item","transaction":"T1","sku":"4011","barcode":"4011","description":"Apple","quantity":1,"unit_price":0.55,"entry":"scan"}"#,
            #"{"time":"2026-11-02T09:00:01.800Z","store":"0042","lane":"\#(lane)","type":"transaction_end","transaction":"T1","total":0.55,"tender":"card"}"#,
        ]
    }

    static let catalogJSON = #"{"items":[{"sku":"4011","barcode":"4011","description":"Apple","unit_price":0.55}]}"#

    init(name: String = #function, creationTime: String? = "2026-11-02T09:00:00.000Z") throws {
        dir = CLI.tempDirectory(name)
        try Self.laneJSON.write(to: lane, atomically: true, encoding: .utf8)
        try (Self.posLines().joined(separator: "\n") + "\n").write(to: pos, atomically: true, encoding: .utf8)
        try Self.catalogJSON.write(to: catalog, atomically: true, encoding: .utf8)
        var args = ["-f", "lavfi", "-i", "testsrc2=size=160x96:rate=10", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    "-map_metadata", "-1", "-fflags", "+bitexact"]
        if let creationTime { args += ["-metadata", "creation_time=\(creationTime)"] }
        try CLI.ffmpeg(args + [video.path], in: dir)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    func analyze(_ extra: [String] = [], lane: URL? = nil, pos: URL? = nil, video: URL? = nil) throws -> CLI.Run {
        try CLI.run(["analyze", "--lane", (lane ?? self.lane).path, "--video", (video ?? self.video).path,
                     "--pos", (pos ?? self.pos).path, "--catalog", catalog.path, "--out", out.path, "--quiet"] + extra, in: dir)
    }
}
