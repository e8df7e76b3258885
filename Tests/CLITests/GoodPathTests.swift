import Contract
import Foundation
import LaneCore
import Testing

/// simulate → analyze → evaluate through the binary, on a small session, checking
/// the files a user gets against the contract (not how well the vision did).
@Suite struct GoodPathTests {
    static let incidentKeys: Set<String> = ["id", "type", "store", "lane", "start", "end", "confidence", "details", "evidence"]
    static let types: Set<String> = ["missed_scan", "fake_scan", "multi_item", "wrong_scan", "occlusion"]

    @Test func simulateAnalyzeEvaluate() throws {
        let dir = CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = dir.appendingPathComponent("session"), out = dir.appendingPathComponent("out")

        // One minute at exception rate 1: the session holds a few true incidents.
        let sim = try CLI.run(["simulate", "--out", session.path, "--seed", "1", "--minutes", "1",
                               "--width", "320", "--height", "180", "--exception-rate", "1"], in: dir)
        #expect(sim.status == 0, "simulate: \(sim.stderr)")
        for f in ["video.mp4", "pos.jsonl", "lane.json", "catalog.json", "truth.json"] {
            #expect(FileManager.default.fileExists(atPath: session.appendingPathComponent(f).path), "\(f) missing")
        }

        let an = try CLI.run(["analyze", "--lane", session.appendingPathComponent("lane.json").path,
                              "--video", session.appendingPathComponent("video.mp4").path,
                              "--pos", session.appendingPathComponent("pos.jsonl").path,
                              "--catalog", session.appendingPathComponent("catalog.json").path,
                              "--out", out.path, "--state", dir.appendingPathComponent("state").path, "--quiet", "--pass-log"], in: dir)
        #expect(an.status == 0, "analyze: \(an.stderr)")
        #expect(an.stdout.contains("wrote \(out.appendingPathComponent("incidents.json").path)"))
        // The simulated lane fills the view: all of it is analysed.
        #expect(!an.stdout.contains("region"))
        let file = out.appendingPathComponent("incidents.json")
        let data = try Data(contentsOf: file)

        // The contract's shape, read as plain JSON rather than through our own reader.
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try #require(root["incidents"] as? [[String: Any]])
        #expect(!list.isEmpty, "the session has true incidents; none were reported")
        // Every incident is accounted for in the decision-delay line: decided while
        // the video ran (counted, mean ≤ largest) or when it ended.
        let decided = an.stdout.split(separator: "\n").first { $0.hasPrefix("decided ") }.map(String.init) ?? ""
        let numbers = decided.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        if numbers.count >= 4 {
            let (mean, largest, within, count) = (numbers[0], numbers[1], Int(numbers[2]), Int(numbers[3]))
            let atEnd = numbers.count >= 6 ? Int(numbers[5]) : 0
            #expect(mean <= largest && within <= count, "\(decided)")
            #expect(count + atEnd == list.count, "\(decided) vs \(list.count) incidents")
        } else {
            #expect(decided == "decided when the video ended: all \(list.count)", "decision-delay line: \(an.stdout)")
        }
        var ids = Set<String>()
        for i in list {
            let id = i["id"] as? String ?? "?"
            #expect(Self.incidentKeys.isSubset(of: Set(i.keys)), "\(id): keys \(i.keys.sorted())")
            #expect(ids.insert(id).inserted, "duplicate id \(id)")
            #expect(Self.types.contains(i["type"] as? String ?? ""), "\(id): type \(i["type"] ?? "nil")")
            #expect(i["store"] as? String == "0042" && i["lane"] as? String == "sco-03")
            for key in ["start", "end"] {
                let t = i[key] as? String ?? ""
                // Milliseconds and a zone, e.g. 2026-11-02T09:03:26.697Z.
                #expect(t.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) != nil,
                        "\(id): \(key) \(t)")
            }
            if let c = i["confidence"] as? Double { #expect((0...1).contains(c)) } else { Issue.record("\(id): confidence") }
            #expect(i["details"] is [String: Any])
            let evidence = try #require(i["evidence"] as? [String: Any])
            let keyframes = try #require(evidence["keyframes"] as? [String])
            #expect(!keyframes.isEmpty, "\(id): no key frames")
            var paths = keyframes
            if let clip = evidence["clip"] as? String { paths.append(clip) } else { Issue.record("\(id): no clip") }
            for p in paths {
                #expect(!p.hasPrefix("/"), "\(id): evidence paths are relative to the output folder: \(p)")
                let attrs = try? FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(p).path)
                #expect((attrs?[.size] as? Int ?? 0) > 0, "\(id): \(p) missing or empty")
            }
        }
        // The pass log: every pass reported by the vision, how it was decided; the
        // passes that became incidents carry those incidents' confidences.
        let log = try String(contentsOf: out.appendingPathComponent("passes.jsonl"), encoding: .utf8)
        let passes = try log.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "pass log line: \(line)")
        }
        #expect(passes.allSatisfy { $0["verdict"] is String && $0["pass"] is Int })
        let flagged = passes.filter { Self.types.contains($0["verdict"] as? String ?? "") }
        let passIncidents = list.filter { ($0["type"] as? String) != "occlusion" }
        #expect(flagged.count == passIncidents.count, "\(flagged.count) passes flagged, \(passIncidents.count) pass incidents")
        for f in flagged {
            let c = f["confidence"] as? Double ?? -1
            #expect(passIncidents.contains { abs(($0["confidence"] as? Double ?? 9) - c) < 0.001 && $0["type"] as? String == f["verdict"] as? String },
                    "pass \(f["pass"] ?? "?"): \(f["verdict"] ?? "?") at \(c) is no incident")
        }
        #expect(passes.filter { ($0["verdict"] as? String ?? "").hasPrefix("below_confidence") }
            .allSatisfy { ($0["confidence"] as? Double ?? 1) < 0.5 })
        // An unscanned item that was seen says how much it looked like the closest known product.
        let unscanned = passes.filter { ["fake_scan", "missed_scan"].contains($0["verdict"] as? String ?? "") && $0["item_hidden"] == nil }
        #expect(unscanned.contains { ($0["similarity_best"] as? Double).map { (0...1).contains($0) } ?? false })
        // Carries over the scanner say how often two arms reached them.
        #expect(passes.contains { ($0["two_arm_share"] as? Double).map { (0...1).contains($0) } ?? false })

        // Our own reader agrees.
        let decoded = try IncidentsFile.read(url: file)
        #expect(decoded.count == list.count)

        let ev = try CLI.run(["evaluate", "--truth", session.appendingPathComponent("truth.json").path,
                              "--incidents", file.path, "--json"], in: dir)
        #expect(ev.status == 0, "evaluate: \(ev.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ev.stdout.utf8)) as? [String: Any])
        let overall = try #require(report["overall"] as? [String: Any])
        #expect(overall["detected"] as? Int == list.count)
        #expect((overall["truth"] as? Int ?? 0) > 0)
        print("CLI good path: \(list.count) incidents; evaluate: truth \(overall["truth"] ?? "?"), TP \(overall["true_positives"] ?? "?")")
    }

    /// A seed makes the same session to the byte, video included, in separate
    /// runs. (libx264's macroblock tree came out a little different in the
    /// first keyframe interval now and then, so the analysis of the "same"
    /// session could differ by a pass.)
    @Test func aSeedMakesTheSameVideoEveryTime() throws {
        let dir = CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var videos: [Data] = []
        for n in 0..<3 {
            let session = dir.appendingPathComponent("s\(n)")
            let sim = try CLI.run(["simulate", "--out", session.path, "--seed", "7007", "--minutes", "0.1",
                                   "--width", "960", "--height", "540", "--fps", "15"], in: dir)
            #expect(sim.status == 0, "simulate: \(sim.stderr)")
            videos.append(try Data(contentsOf: session.appendingPathComponent("video.mp4")))
        }
        #expect(videos.allSatisfy { $0 == videos[0] }, "\(videos.map(\.count))")
    }

    @Test func aLaneDrawnAsAStripOfTheViewIsAnalysedInItsRegion() throws {
        let dir = CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = dir.appendingPathComponent("session")
        let sim = try CLI.run(["simulate", "--out", session.path, "--seed", "2", "--minutes", "0.2",
                               "--width", "640", "--height", "360", "--clock-offset", "-2.5"], in: dir)
        #expect(sim.status == 0, "simulate: \(sim.stderr)")
        // A negative offset is read as a value, not taken for an option.
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: session.appendingPathComponent("truth.json"))) as? [String: Any]
        #expect(truth?["clock_offset_s"] as? Double == -2.5)
        // The same zones squeezed into a strip a fifth of the view wide (as a wide camera would show the lane).
        let laneURL = session.appendingPathComponent("lane.json")
        var lane = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: laneURL)) as? [String: Any])
        let zones = try #require(lane["zones"] as? [[String: Any]])
        lane["zones"] = zones.map { z in
            var z = z
            z["polygon"] = (z["polygon"] as? [[Double]] ?? []).map { [0.4 + 0.2 * $0[0], $0[1]] }
            return z
        }
        let strip = dir.appendingPathComponent("strip.json")
        try JSONSerialization.data(withJSONObject: lane).write(to: strip)
        let an = try CLI.run(["analyze", "--lane", strip.path, "--video", session.appendingPathComponent("video.mp4").path,
                              "--pos", session.appendingPathComponent("pos.jsonl").path,
                              "--out", dir.appendingPathComponent("out").path, "--no-state", "--no-evidence", "--quiet"], in: dir)
        #expect(an.status == 0, "analyze: \(an.stderr)")
        // x 0.38–0.62: a tenth of the lane's length beyond each end (the left edge
        // on a 16-pixel boundary, 240 of 640); all of y: half its depth beyond each side.
        #expect(an.stdout.contains("analysed the lane's region of the view: x 38–62 %, y 0–100 % of the 640×360 frame"), "\(an.stdout)")
    }

    @Test func evaluateScoresSeveralSessionsAndTheirTotal() throws {
        let dir = CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two sessions: one missed scan found, one not, plus a false occlusion.
        func session(_ name: String, incidents: String) throws -> (String, String) {
            let d = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            let truth = d.appendingPathComponent("truth.json"), found = d.appendingPathComponent("incidents.json")
            try """
            {"format":"lanesight-truth/1","store":"0042","lane":"sco-03","video_start":"2026-11-02T09:00:00.000Z",
             "clock_offset_s":0,"passes":20,"transactions":2,
             "incidents":[{"type":"missed_scan","start":"2026-11-02T09:00:10.000Z","end":"2026-11-02T09:00:12.000Z"}],"events":[]}
            """.write(to: truth, atomically: true, encoding: .utf8)
            try "{\"incidents\": [\(incidents)]}\n".write(to: found, atomically: true, encoding: .utf8)
            return (truth.path, found.path)
        }
        func incident(_ id: String, _ type: String, _ s: Int, _ e: Int) -> String {
            """
            {"id":"\(id)","type":"\(type)","store":"0042","lane":"sco-03","start":"2026-11-02T09:00:\(s).000Z",
             "end":"2026-11-02T09:00:\(e).000Z","confidence":0.9,"evidence":{"keyframes":[]}}
            """
        }
        let a = try session("a", incidents: incident("A1", "missed_scan", 10, 12))
        let b = try session("b", incidents: incident("B1", "occlusion", 40, 45))
        let r = try CLI.run(["evaluate", "--truth", a.0, "--incidents", a.1, "--truth", b.0, "--incidents", b.1, "--json"], in: dir)
        #expect(r.status == 0, "evaluate: \(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sessions = try #require(doc["sessions"] as? [[String: Any]])
        #expect(sessions.count == 2)
        #expect(sessions.first?["incidents"] as? String == a.1)
        let second = try #require((sessions.last?["report"] as? [String: Any])?["overall"] as? [String: Any])
        #expect((second["true_positives"] as? Int, second["false_positives"] as? Int) == (0, 1))
        let total = try #require((doc["total"] as? [String: Any])?["overall"] as? [String: Any])
        #expect((total["truth"] as? Int, total["true_positives"] as? Int, total["false_positives"] as? Int) == (2, 1, 1))
        #expect((doc["total"] as? [String: Any])?["passes"] as? Int == 40)

        let table = try CLI.run(["evaluate", "--truth", a.0, "--incidents", a.1, "--truth", b.0, "--incidents", b.1], in: dir)
        #expect(table.stdout.contains("total over 2 sessions"), "\(table.stdout)")

        // Unpaired files, and a bad file in the second pair, are errors naming what is wrong.
        let unpaired = try CLI.run(["evaluate", "--truth", a.0, "--incidents", a.1, "--truth", b.0], in: dir)
        #expect(unpaired.status != 0)
        #expect(unpaired.stderr.contains("--truth is given 2 times and --incidents 1"), "stderr: \(unpaired.stderr)")
        try "{\"incidents\": [\n  {\"id\": \"x\"}\n]}\n".write(toFile: b.1, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["evaluate", "--truth", a.0, "--incidents", a.1, "--truth", b.0, "--incidents", b.1], in: dir)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("session 2") && bad.stderr.contains("incidents.json:2"), "stderr: \(bad.stderr)")
        #expect(bad.stdout.isEmpty, "nothing is printed before every file is read: \(bad.stdout)")
    }

    @Test func evaluateRejectsABadIncidentsFile() throws {
        let dir = CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = dir.appendingPathComponent("truth.json"), incidents = dir.appendingPathComponent("incidents.json")
        let truthJSON = """
        {"format":"lanesight-truth/1","store":"0042","lane":"sco-03","video_start":"2026-11-02T09:00:00.000Z",
         "clock_offset_s":0,"passes":1,"transactions":1,"incidents":[],"events":[]}
        """
        try truthJSON.write(to: truth, atomically: true, encoding: .utf8)
        try "{\"incidents\": [\n  {\"id\": \"x\"}\n]}\n".write(to: incidents, atomically: true, encoding: .utf8)
        let r = try CLI.run(["evaluate", "--truth", truth.path, "--incidents", incidents.path], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("incidents.json:2"), "stderr: \(r.stderr)")
    }
}
