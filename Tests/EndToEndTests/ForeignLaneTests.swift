import Contract
import Foundation
import Testing
@testable import Evaluation

/// Lanes drawn by tools/foreign_lane (another renderer, other looks and geometry),
/// on seeds outside the 11–16 used while tuning. Only sanity is asserted: it ran
/// and wrote valid output. The scores are printed: they say how well LaneSight
/// generalizes, which is for the report, not a gate (yet).
@Suite struct ForeignLaneTests {
    static let renderer = E2E.packageRoot.appendingPathComponent("tools/foreign_lane/render.py")

    /// A Python with numpy: LANESIGHT_PYTHON, the one on PATH, or Debian's.
    static let python: URL? = {
        var candidates: [String] = []
        if let s = ProcessInfo.processInfo.environment["LANESIGHT_PYTHON"], !s.isEmpty { candidates.append(s) }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/python3") }
        candidates.append("/usr/bin/python3")
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: c)
            p.arguments = ["-c", "import numpy"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            if (try? p.run()) != nil {
                p.waitUntilExit()
                if p.terminationStatus == 0 { return URL(fileURLWithPath: c) }
            }
        }
        return nil
    }()

    static var runnable: Bool {
        guard E2E.runnable else { return false }
        if python == nil && !E2E.required {
            print("note: foreign-lane test skipped: no python3 with numpy (apt-get install python3-numpy)")
            return false
        }
        return true
    }

    /// 2.5 minutes is the shortest session the renderer promises one of every type in.
    static let sessions: [(seed: Int, direction: String)] = [(7101, "rtl"), (7102, "ttb")]

    @Test(.enabled(if: runnable))
    func foreignSessionsRunAndWriteValidOutput() throws {
        let binary = try E2E.binary.get()
        let python = try #require(Self.python, "no python3 with numpy for tools/foreign_lane (apt-get install python3-numpy)")
        let (work, keep) = E2E.workDirectory("foreign")
        defer { if !keep { try? FileManager.default.removeItem(at: work) } }

        let results = Collected<(Int, String, Result<(EvaluationReport, String), Problem>)>()
        DispatchQueue.concurrentPerform(iterations: Self.sessions.count) { k in
            let (seed, direction) = Self.sessions[k]
            let dir = work.appendingPathComponent("f\(seed)")
            do {
                let r = try E2E.run(python, [Self.renderer.path, "--out", dir.path, "--seed", "\(seed)", "--minutes", "2.5",
                                             "--height", "540", "--fps", "10", "--direction", direction],
                                    log: work.appendingPathComponent("f\(seed)-render"))
                guard r.status == 0 else { throw Problem("render.py --seed \(seed) exited \(r.status):\n\(r.tail)\n\(r.stdout.suffix(600))") }
                let (report, seconds) = try E2E.analyzeAndScore(binary: binary, session: dir, out: work.appendingPathComponent("f\(seed)-out"))
                let times = String(format: "render %.0f s, analyze %.0f s", r.seconds, seconds)
                results.append((seed, direction, .success((report, times))))
            } catch let p as Problem {
                results.append((seed, direction, .failure(p)))
            } catch {
                results.append((seed, direction, .failure(Problem("\(error)"))))
            }
        }
        var reports: [EvaluationReport] = []
        for (seed, direction, result) in results.all.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let (r, times)):
                print("  foreign seed \(seed) 960x540 10 fps \(direction): \(r.oneLine) (\(times))")
                reports.append(r)
            case .failure(let p):
                Issue.record("foreign seed \(seed): \(p)")
            }
        }
        if !reports.isEmpty {
            print("foreign-lane totals (not a gate):\n" + EvaluationReport.combined(reports).text)
        }
        #expect(reports.count == Self.sessions.count)
    }
}
