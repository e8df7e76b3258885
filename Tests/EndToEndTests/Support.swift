import Contract
import Foundation
import Testing
@testable import Evaluation

/// Where the end-to-end tests get their `lanesight` from.
///
/// A debug build simulates and analyzes 6–7x slower than a release one, too slow for
/// 20+ minutes of video, so these tests run a release `lanesight` as a subprocess and
/// only evaluate in process. `make test` builds it and passes it as `LANESIGHT_BIN`;
/// with that set, a missing prerequisite is a failure. Without it, a release binary
/// in the same build folder is used when it is newer than every source file, and the
/// tests are skipped (with a note) otherwise, so a plain `swift test` stays quick.
enum E2E {
    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `make test` sets LANESIGHT_BIN: then these tests must run.
    static var required: Bool { !(ProcessInfo.processInfo.environment["LANESIGHT_BIN"] ?? "").isEmpty }

    static let binary: Result<URL, Problem> = {
        let fm = FileManager.default
        if let s = ProcessInfo.processInfo.environment["LANESIGHT_BIN"], !s.isEmpty {
            return fm.isExecutableFile(atPath: s) ? .success(URL(fileURLWithPath: s)) : .failure(Problem("LANESIGHT_BIN=\(s) is not an executable"))
        }
        // The runner lives in <scratch>/<triple>/debug; a release build sits in <triple>/release.
        guard let runner = Bundle.main.executableURL?.resolvingSymlinksInPath() else {
            return .failure(Problem("cannot tell where the test runner is"))
        }
        let release = runner.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("release/lanesight")
        guard fm.isExecutableFile(atPath: release.path) else {
            return .failure(Problem("no release build at \(release.path)"))
        }
        let built = (try? fm.attributesOfItem(atPath: release.path)[.modificationDate] as? Date) ?? .distantPast
        if let newer = newestSource(), newer.date > built {
            return .failure(Problem("\(release.path) is older than \(newer.path)"))
        }
        return .success(release)
    }()

    static func newestSource() -> (path: String, date: Date)? {
        let fm = FileManager.default
        var best: (String, Date)?
        let roots = [packageRoot.appendingPathComponent("Sources"), packageRoot.appendingPathComponent("Package.swift")]
        for root in roots {
            var files = [root]
            if let e = fm.enumerator(at: root, includingPropertiesForKeys: [.contentModificationDateKey]) {
                files += e.compactMap { $0 as? URL }
            }
            // Source files only: an editor's swap file or a new folder does not make a build stale.
            for f in files where ["swift", "c", "cpp", "h", "modulemap"].contains(f.pathExtension) {
                guard let d = try? f.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate else { continue }
                if best == nil || d > best!.1 { best = (f.path, d) }
            }
        }
        return best
    }

    /// Run the test when a release binary is at hand (or required).
    static var runnable: Bool {
        if required { return true }
        switch binary {
        case .success: return true
        case .failure(let why):
            print("note: end-to-end test skipped: \(why). Run `make test`, or `swift build -c release --product lanesight` " +
                  "first, or set LANESIGHT_BIN to a lanesight binary.")
            return false
        }
    }

    /// A folder for the sessions: LANESIGHT_E2E_DIR (kept), else a temporary one.
    static func workDirectory(_ name: String) -> (url: URL, keep: Bool) {
        if let s = ProcessInfo.processInfo.environment["LANESIGHT_E2E_DIR"], !s.isEmpty {
            let u = URL(fileURLWithPath: s).appendingPathComponent(name)
            try? FileManager.default.removeItem(at: u)
            try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
            return (u, true)
        }
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("lanesight-e2e-\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return (u, false)
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        var tail: String { String(stderr.split(separator: "\n").suffix(8).joined(separator: "\n")) }
    }

    /// Output goes to files next to the session, so a chatty child never stalls on a full pipe.
    static func run(_ executable: URL, _ arguments: [String], log: URL) throws -> Run {
        let outURL = log.appendingPathExtension("out"), errURL = log.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        let began = Date()
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: p.terminationStatus,
                   stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                   seconds: Date().timeIntervalSince(began))
    }

    /// `lanesight analyze` on a session folder (the contract's file names), then
    /// the output checked against the contract and scored against truth.json.
    static func analyzeAndScore(binary: URL, session: URL, out: URL) throws -> (EvaluationReport, seconds: Double) {
        let f = { (name: String) in session.appendingPathComponent(name).path }
        let r = try run(binary, ["analyze", "--lane", f("lane.json"), "--video", f("video.mp4"), "--pos", f("pos.jsonl"),
                                 "--catalog", f("catalog.json"), "--out", out.path, "--no-state", "--quiet"],
                        log: session.deletingLastPathComponent().appendingPathComponent(session.lastPathComponent + "-analyze"))
        guard r.status == 0 else { throw Problem("analyze \(session.lastPathComponent) exited \(r.status):\n\(r.tail)") }
        let incidents: [Incident]
        let truth: TruthFile
        do {
            incidents = try IncidentsFile.read(url: out.appendingPathComponent("incidents.json"))
            truth = try TruthReader.read(url: session.appendingPathComponent("truth.json"))
        } catch {
            throw Problem("\(session.lastPathComponent): \(error)")
        }
        for i in incidents {
            for p in i.evidence.keyframes + (i.evidence.clip.map { [$0] } ?? []) {
                let size = (try? FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(p).path)[.size] as? Int) ?? 0
                if size == 0 { throw Problem("\(session.lastPathComponent): \(i.id): evidence \(p) missing or empty") }
            }
        }
        return (Evaluator.evaluate(truth: truth, incidents: incidents), r.seconds)
    }
}

struct Problem: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Results written by worker threads.
final class Collected<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ t: T) { lock.lock(); items.append(t); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}
