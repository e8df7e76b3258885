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

    /// What a lane learned is its own file in the state folder; one that cannot
    /// be read (a full disk, an edit by hand) is set aside with a warning, not
    /// silently overwritten, and the run goes on learning afresh.
    @Test func unreadableStateIsSetAsideNotLost() throws {
        let s = try Session()
        defer { s.remove() }
        let state = s.dir.appendingPathComponent("state")
        #expect(try s.analyze().status == 0)
        let fm = FileManager.default
        let files = try fm.contentsOfDirectory(atPath: state.path).sorted()
        #expect(files.contains { $0.hasSuffix(".appearance.json") } && files.contains { $0.hasSuffix(".sizes.json") }, "\(files)")
        for f in files { try "{not json".write(to: state.appendingPathComponent(f), atomically: true, encoding: .utf8) }

        let r = try s.analyze()
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let after = try fm.contentsOfDirectory(atPath: state.path)
        for f in files {
            #expect(r.stderr.contains("warning: \(state.appendingPathComponent(f).path)"), "\(f) not named: \(r.stderr)")
            let aside = try #require(after.first { $0.hasPrefix(f + ".unreadable-") }, "\(f) not set aside: \(after)")
            #expect(try String(contentsOf: state.appendingPathComponent(aside), encoding: .utf8) == "{not json")
            // Written anew, readable.
            let data = try Data(contentsOf: state.appendingPathComponent(f))
            #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(f) not rewritten")
        }
    }

    /// Item sizes are shares of the frame: once the lane's zones are redrawn
    /// (the camera moved) the sizes learned before are dropped with a warning,
    /// and the lane learns them afresh in the new view.
    @Test func sizesLearnedInAnotherViewAreDroppedWithAWarning() throws {
        let s = try Session()
        defer { s.remove() }
        #expect(try s.analyze().status == 0)
        #expect(try s.analyze().stderr.isEmpty, "same view, nothing to say")
        let moved = Session.laneJSON.replacingOccurrences(of: "[0.39,0.24],[0.61,0.24]", with: "[0.40,0.24],[0.61,0.24]")
        try moved.write(to: s.lane, atomically: true, encoding: .utf8)
        let r = try s.analyze()
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("sizes.json: learned in another camera view"), "\(r.stderr)")
        #expect(try s.analyze().stderr.isEmpty, "the new view's sizes were kept")
    }

    /// A learned counter model that cannot be used is named, with the run
    /// refused; the bundled one runs and says what it did.
    @Test func aCounterModelThatCannotBeUsedIsRefused() throws {
        let s = try Session()
        defer { s.remove() }
        let model = s.dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        expectRejected(try s.analyze(["--counter-model", model.path]), s, mentions: ["item-counter.json"])
        try Data(#"{"network": "net.onnx", "bar": 1, "side": 96}"#.utf8).write(to: model.appendingPathComponent("item-counter.json"))
        try Data("not a network".utf8).write(to: model.appendingPathComponent("net.onnx"))
        expectRejected(try s.analyze(["--counter-model", model.path]), s, mentions: ["net.onnx"])
        // Refused before anything is made.
        #expect(!FileManager.default.fileExists(atPath: s.out.path), "the output folder must not be made for a bad model")
        let both = try s.analyze(["--counter-model", model.path, "--learned-counter", "off"])
        #expect(both.status != 0 && both.stderr.contains("--learned-counter off"), "\(both.stderr)")
        let on = try s.analyze(["--learned-counter", "on"])
        #expect(on.status == 0, "stderr: \(on.stderr)")
        #expect(on.stdout.contains("learned item counter:"), "\(on.stdout)")
        // On by default (stop 37's M5); off says nothing of it.
        let byDefault = try s.analyze()
        #expect(byDefault.status == 0 && byDefault.stdout.contains("learned item counter:"), "\(byDefault.stdout)")
        let off = try s.analyze(["--learned-counter", "off"])
        #expect(off.status == 0 && !off.stdout.contains("learned item counter"), "\(off.stdout)")
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
