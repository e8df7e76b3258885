import Foundation
import LaneCore
import Testing
@testable import MediaIO

@Suite struct HeldFrameTests {
    @Test func heldFrameConvertsToWhatSnapshotGaveAtThatFrame() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 30, preset: "veryfast")
        let s = try VideoSource(url: file.path)
        #expect(s.holdCurrentFrame() == nil)
        var held: [(Int, HeldFrame, RGBImage)] = []
        while let f = try s.next() {
            if f.index % 7 == 3 { held.append((f.index, try #require(s.holdCurrentFrame()), try #require(s.snapshot(maxWidth: 160)))) }
        }
        #expect(held.count == 4)
        // Converted long after the decoder moved on: still that frame, pixel for pixel.
        for (index, frame, eager) in held {
            #expect(frame.width == 320 && frame.height == 240)
            let late = try #require(frame.rgb(maxWidth: 160))
            #expect(late.width == 160 && late.height == 120)
            #expect(late.pixels == eager.pixels)
            #expect(Fixtures.readIndex(try #require(frame.rgb(maxWidth: 10_000))) == index)
        }
    }

    @Test func heldFrameCanBeConvertedOnAnotherThread() async throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 5)
        let s = try VideoSource(url: file.path)
        _ = try s.next()
        _ = try s.next()
        let held = try #require(s.holdCurrentFrame())
        let index = await Task.detached { held.rgb(maxWidth: 10_000).map(Fixtures.readIndex) }.value
        #expect(index == 1)
    }
}

@Suite struct DecodeAheadTests {
    @Test(arguments: [1, 8])
    func framesAndTimesAreThoseOfAVideoSource(depth: Int) throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 60, creationTime: 1_793_610_000.25,
                                           preset: "veryfast")
        let reference = try Fixtures.readAll(try VideoSource(url: file.path))
        let s = try DecodeAheadSource(url: file.path, depth: depth)
        #expect(s.info.width == 320 && s.info.analysisWidth == 320 && s.info.creationTime == 1_793_610_000.25)
        #expect(s.holdCurrentFrame() == nil)
        var frames: [VideoFrame] = []
        while let f = try s.next() {
            // The held frame is the one just returned, whatever the thread has decoded since.
            let held = try #require(s.holdCurrentFrame())
            #expect(Fixtures.readIndex(try #require(held.rgb(maxWidth: 10_000))) == f.index)
            frames.append(f)
        }
        #expect(try s.next() == nil)
        #expect(frames.map(\.index) == reference.map(\.index))
        #expect(frames.map(\.time) == reference.map(\.time))
        #expect(frames.map(\.analysis.y) == reference.map(\.analysis.y))
        #expect(frames.map(\.analysis.v) == reference.map(\.analysis.v))
        #expect(s.finishClips().isEmpty)
    }

    @Test func clipsAreServedOnTheDecodeThread() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("lane.mp4"), frames: 150, fps: 15, keyframeInterval: 15)
        let s = try DecodeAheadSource(url: file.path, depth: 4)
        let early = dir.appendingPathComponent("evidence/early/clip.mp4")
        let late = dir.appendingPathComponent("evidence/late/clip.mp4")
        let past = dir.appendingPathComponent("evidence/past/clip.mp4")
        var results: [Result<ClipResult, MediaError>] = []
        while let f = try s.next() {
            if f.index == 10 { s.requestClip(from: 3.5, to: 5.2, path: early, id: "early") }
            if f.index == 100 { s.requestClip(from: 2.1, to: 4.0, path: past, id: "past") }
            if f.index == 140 { s.requestClip(from: 9.0, to: 20, path: late, id: "late") }
            results += s.takeCompletedClips()
        }
        #expect(results.count == 2)  // early and past, while reading
        results += s.finishClips()
        #expect(results.count == 3)
        let byID = Dictionary(uniqueKeysWithValues: try results.map { r in let c = try r.get(); return (c.id, c) })
        let e = try #require(byID["early"])
        #expect(e.startsOnKeyframe && abs(e.start - 3.0) < 1e-6 && e.end >= 5.2)
        let indices = try Fixtures.codedIndices(early)
        #expect(indices.first == 45 && indices == Array(45..<(45 + indices.count)) && indices.contains(78))
        #expect(try Fixtures.codedIndices(past).first == 30)
        // Cut at finish() with what there was: up to the last frame.
        #expect(try Fixtures.codedIndices(late) == Array(135..<150))
    }

    @Test func readingAheadDoesNotShortenTheHistory() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Keyframes every second, 2 s of history; at 4.5 s a clip from 2.0 s is asked for.
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("lane.mp4"), frames: 120, fps: 15, keyframeInterval: 15)
        var options = SourceOptions()
        options.packetHistory = 2
        let inStep = try VideoSource(url: file.path, options: options)
        let ahead = try DecodeAheadSource(url: file.path, options: options, depth: 8)
        let a = dir.appendingPathComponent("a/clip.mp4"), b = dir.appendingPathComponent("b/clip.mp4")
        while let f = try inStep.next(), f.index < 67 {}
        inStep.clips.request(from: 2.0, to: 2.5, path: a, id: "a")
        while let f = try ahead.next(), f.index < 67 {}
        // Let the decode thread fill its queue: the request then meets a ring read ahead.
        Thread.sleep(forTimeInterval: 0.3)
        ahead.requestClip(from: 2.0, to: 2.5, path: b, id: "b")
        let ra = try #require(inStep.clips.finish().first).get()
        let rb = try #require(ahead.finishClips().first).get()
        #expect(ra.start == 2.0 && rb.start == 2.0)
        #expect(try Fixtures.codedIndices(a) == Fixtures.codedIndices(b))
    }

    @Test func clipRequestedAfterTheEndIsWrittenAtFinish() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("lane.mp4"), frames: 45, fps: 15, keyframeInterval: 15)
        let s = try DecodeAheadSource(url: file.path)
        while try s.next() != nil {}
        let out = dir.appendingPathComponent("end/clip.mp4")
        s.requestClip(from: 1.2, to: 2.5, path: out, id: "end")
        let beyond = dir.appendingPathComponent("beyond/clip.mp4")
        s.requestClip(from: 10, to: 12, path: beyond, id: "beyond")
        let results = s.finishClips()
        #expect(results.count == 2)
        let c = try #require(results.compactMap { try? $0.get() }.first)
        #expect(c.id == "end" && abs(c.start - 1.0) < 1e-6)
        #expect(try Fixtures.codedIndices(out).first == 15)
        let failure = results.compactMap { r -> MediaError? in if case .failure(let e) = r { return e } else { return nil } }
        #expect(failure.count == 1 && failure[0].message.contains("beyond"))
        #expect(!FileManager.default.fileExists(atPath: beyond.path))
    }

    @Test func openErrorsAreThrownByInit() throws {
        #expect(throws: MediaError.self) { try DecodeAheadSource(url: "/nonexistent/lane.mp4") }
        do {
            _ = try DecodeAheadSource(url: "/nonexistent/lane.mp4")
        } catch {
            #expect(error.description == "/nonexistent/lane.mp4: no such file")
        }
    }

    @Test func theEndIsTheEndOnEveryLaterCall() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 30)
        let reference = try Fixtures.readAll(try VideoSource(url: file.path)).count
        let s = try DecodeAheadSource(url: file.path, depth: 2)
        var n = 0
        while try s.next() != nil { n += 1 }
        #expect(n == reference)
        #expect(try s.next() == nil)
        #expect(try s.next() == nil)
    }

    @Test func abandoningTheSourceMidStreamStopsTheThread() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 60)
        weak var weakHeld: HeldFrame?
        do {
            let s = try DecodeAheadSource(url: file.path, depth: 4)
            _ = try s.next()
            weakHeld = s.holdCurrentFrame()
            #expect(weakHeld != nil)
        }
        // The reader's last frame goes with the source and the thread winds down on its
        // own; it may still be dropping its own reference to that frame for a moment.
        for _ in 0..<200 where weakHeld != nil { Thread.sleep(forTimeInterval: 0.01) }
        #expect(weakHeld == nil)
    }
}

@Suite struct ClipHistoryTests {
    @Test func aSpanThatLeftTheHistoryFailsInsteadOfClippingAnotherMoment() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("lane.mp4"), frames: 150, fps: 15, keyframeInterval: 15)
        var options = SourceOptions()
        options.packetHistory = 2
        let s = try VideoSource(url: file.path, options: options)
        while let f = try s.next(), f.time < 8 {}
        let gone = dir.appendingPathComponent("gone/clip.mp4")
        s.clips.request(from: 1.0, to: 2.0, path: gone, id: "gone")
        let results = s.clips.takeCompleted()
        #expect(results.count == 1)
        if case .failure(let e) = results.first {
            #expect(e.message.hasPrefix("clip gone: 1.000–2.000 s has left the 2 s packet history"))
            #expect(e.url == gone.path)
        } else {
            Issue.record("expected a failure, got \(String(describing: results.first))")
        }
        #expect(!FileManager.default.fileExists(atPath: gone.path))
        // Partly gone: from the first keyframe still held, as before.
        let part = dir.appendingPathComponent("part/clip.mp4")
        s.clips.request(from: 5.0, to: 6.8, path: part, id: "part")
        let c = try #require(s.clips.finish().first).get()
        #expect(c.start > 5.0 && c.start <= 6.8 && c.startsOnKeyframe)
    }
}
