import Foundation
import Testing

/// Bad input, end to end through the `lanesight` binary: a non-zero exit, one
/// message naming the file (and line), and no incidents.json.
@Suite struct BadInputTests {
    func expectRejected(_ r: CLI.Run, _ session: Session, mentions: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status != 0, "exit status \(r.status); stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(r.stderr.contains(m), "stderr should mention \(m): \(r.stderr)", sourceLocation: sourceLocation)
        }
        print("bad-input message: \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(!FileManager.default.fileExists(atPath: session.incidentsFile.path),
                "incidents.json must not be written on bad input", sourceLocation: sourceLocation)
    }

    @Test func theGoodInputsAreAccepted() throws {
        // The baseline every other case here breaks one thing of.
        let s = try Session()
        defer { s.remove() }
        let r = try s.analyze()
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: s.incidentsFile.path))
    }

    @Test func videoWithoutCreationTimeNeedsVideoStart() throws {
        let s = try Session(creationTime: nil)
        defer { s.remove() }
        let r = try s.analyze()
        expectRejected(r, s, mentions: ["video.mp4", "creation_time", "--video-start"])

        // With the start given, the same input is fine.
        let ok = try s.analyze(["--video-start", "2026-11-02T09:00:00.000Z"])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
    }

    @Test func videoStartThatIsNotATime() throws {
        let s = try Session(creationTime: nil)
        defer { s.remove() }
        let r = try s.analyze(["--video-start", "9 o'clock"])
        expectRejected(r, s, mentions: ["--video-start", "9 o'clock"])
    }

    @Test func laneWithAnUnknownRole() throws {
        let s = try Session()
        defer { s.remove() }
        let text = Session.laneJSON.replacingOccurrences(of: #""role": "scan""#, with: #""role": "checkout""#)
        try text.write(to: s.lane, atomically: true, encoding: .utf8)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(#""role": "checkout""#) }! + 1
        let r = try s.analyze()
        expectRejected(r, s, mentions: ["lane.json:\(line)", "checkout", "zones[1]"])
    }

    @Test func posLineThatIsNotJSON() throws {
        let s = try Session()
        defer { s.remove() }
        var lines = Session.posLines()
        lines.insert("{\"time\": \"2026-11-02T09:00:00.500Z\", oops", at: 2)
        try (lines.joined(separator: "\n") + "\n").write(to: s.pos, atomically: true, encoding: .utf8)
        let r = try s.analyze()
        expectRejected(r, s, mentions: ["pos.jsonl:3"])
    }

    @Test(arguments: ["lane", "pos", "video", "catalog"])
    func missingFile(which: String) throws {
        let s = try Session()
        defer { s.remove() }
        let missing = s.dir.appendingPathComponent("nowhere-\(which).json")
        let r: CLI.Run
        switch which {
        case "lane": r = try s.analyze(lane: missing)
        case "pos": r = try s.analyze(pos: missing)
        case "video": r = try s.analyze(video: missing)
        default:
            r = try CLI.run(["analyze", "--lane", s.lane.path, "--video", s.video.path, "--pos", s.pos.path,
                             "--catalog", missing.path, "--out", s.out.path, "--quiet"], in: s.dir)
        }
        expectRejected(r, s, mentions: [missing.lastPathComponent])
    }

    @Test func videoThatIsNotAVideo() throws {
        let s = try Session()
        defer { s.remove() }
        try "this is not an mp4".write(to: s.video, atomically: true, encoding: .utf8)
        let r = try s.analyze()
        expectRejected(r, s, mentions: ["video.mp4"])
    }

    @Test func posJournalWithNoEventsForTheLane() throws {
        let s = try Session()
        defer { s.remove() }
        try (Session.posLines(lane: "sco-07").joined(separator: "\n") + "\n").write(to: s.pos, atomically: true, encoding: .utf8)
        let r = try s.analyze()
        expectRejected(r, s, mentions: ["pos.jsonl", "sco-03", "sco-07"])
    }

    @Test func anEmptyPOSJournalIsAcceptedWithAWarning() throws {
        let s = try Session()
        defer { s.remove() }
        try "".write(to: s.pos, atomically: true, encoding: .utf8)
        let r = try s.analyze()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: pos.jsonl: no POS events"))
        #expect(FileManager.default.fileExists(atPath: s.incidentsFile.path))
    }
}
