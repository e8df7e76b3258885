import Foundation
import LaneCore
import Testing
@testable import MediaIO

@Suite struct ClipTests {
    /// 10 s at 15 fps with a keyframe every second (frames 0, 15, 30, …).
    func source(_ dir: URL, history: Double = 30, frames: Int = 150) throws -> VideoSource {
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("lane.mp4"), frames: frames, fps: 15, keyframeInterval: 15)
        var options = SourceOptions()
        options.packetHistory = history
        return try VideoSource(url: file.path, options: options)
    }

    /// Asks `s` for one clip, reads the whole stream, and returns that clip.
    func oneClip(_ s: VideoSource, from: Double, to: Double, path: URL, id: String) throws -> ClipResult {
        s.clips.request(from: from, to: to, path: path, id: id)
        var results: [Result<ClipResult, MediaError>] = []
        while try s.next() != nil { results += s.clips.takeCompleted() }
        results += s.clips.finish()
        return try clip(results, id)
    }

    func clip(_ results: [Result<ClipResult, MediaError>], _ id: String) throws -> ClipResult {
        let hit = try #require(results.first { r in
            switch r {
            case .success(let c): return c.id == id
            case .failure(let e): return e.message.contains(id)
            }
        })
        return try hit.get()
    }

    @Test func clipRequestedAheadStartsOnKeyframeAndCoversTheSpan() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try source(dir)
        let out = dir.appendingPathComponent("evidence/inc-1/clip.mp4")
        s.clips.request(from: 3.5, to: 5.2, path: out, id: "inc-1")
        var completedAtFrame: Int?
        var results: [Result<ClipResult, MediaError>] = []
        while let f = try s.next() {
            let done = s.clips.takeCompleted()
            if !done.isEmpty, completedAtFrame == nil { completedAtFrame = f.index }
            results += done
        }
        let c = try clip(results, "inc-1")
        // Written once packets past `to` were read, long before the end of the file.
        #expect((completedAtFrame ?? 999) < 100)
        #expect(c.copied && c.startsOnKeyframe)
        #expect(abs(c.start - 3.0) < 1e-6)  // keyframe at frame 45
        #expect(c.end >= 5.2)
        #expect(c.path == out)

        let indices = try Fixtures.codedIndices(out)
        #expect(indices.first == 45)
        #expect(indices == Array(45..<(45 + indices.count)))  // every frame, in order
        #expect(indices.contains(78))  // 5.2 s
        let clipSource = try VideoSource(url: out.path)
        let first = try #require(try clipSource.next())
        #expect(first.time == 0)
        #expect(abs((clipSource.info.duration ?? 0) - Double(indices.count) / 15) < 0.1)
    }

    @Test func clipRequestedAfterTheFactUsesTheHistory() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try source(dir)
        while let f = try s.next(), f.time < 6 {}
        let out = dir.appendingPathComponent("late.mp4")
        s.clips.request(from: 2.0, to: 4.0, path: out, id: "late")  // keyframe exactly at `from`
        let c = try clip(s.clips.takeCompleted(), "late")
        #expect(c.startsOnKeyframe && abs(c.start - 2.0) < 1e-6)
        let indices = try Fixtures.codedIndices(out)
        #expect(indices.first == 30)
        #expect(indices.contains(60))
    }

    @Test func whenTheKeyframeBeforeFromIsGoneTheClipStartsAtTheNextOne() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try source(dir, history: 2)
        while let f = try s.next(), f.time < 8 {}
        #expect(s.clips.heldSeconds < 4)
        let out = dir.appendingPathComponent("trimmed.mp4")
        s.clips.request(from: 1.5, to: 7.0, path: out, id: "trimmed")
        let c = try clip(s.clips.takeCompleted(), "trimmed")
        #expect(c.startsOnKeyframe)
        // The ring keeps back to the last keyframe at or before its 2 s horizon.
        #expect(c.start >= 5.0 && c.start <= 6.0)
        #expect(c.start == c.start.rounded())
        #expect(try Fixtures.codedIndices(out).first == Int(c.start * 15))
    }

    @Test func finishWritesPendingClipsWithWhatThereIs() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try source(dir, frames: 60)
        let tail = dir.appendingPathComponent("tail.mp4")
        let never = dir.appendingPathComponent("never.mp4")
        s.clips.request(from: 3.2, to: 20, path: tail, id: "tail")
        s.clips.request(from: 30, to: 31, path: never, id: "never")
        _ = try Fixtures.readAll(s)
        #expect(s.clips.takeCompleted().isEmpty)
        let results = s.clips.finish()
        #expect(results.count == 2)
        let c = try clip(results, "tail")
        #expect(abs(c.start - 3.0) < 1e-6 && abs(c.end - 4.0) < 1e-6)
        #expect(try Fixtures.codedIndices(tail) == Array(45..<60))
        #expect(throws: MediaError.self) { try clip(results, "never") }
        #expect(!FileManager.default.fileExists(atPath: never.path))
    }

    @Test func clipsFromAnnexBInput() throws {
        // MPEG-TS carries H.264 as Annex B, like RTSP; the MP4 muxer must convert it.
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mp4 = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 90, fps: 15, keyframeInterval: 15)
        let ts = dir.appendingPathComponent("a.ts")
        try Fixtures.ffmpeg(["-i", mp4.path, "-c", "copy", "-f", "mpegts", ts.path])
        let s = try VideoSource(url: ts.path)
        let out = dir.appendingPathComponent("from-ts.mp4")
        let c = try oneClip(s, from: 2.1, to: 3.5, path: out, id: "ts")
        #expect(c.startsOnKeyframe && abs(c.start - 2.0) < 1e-3)
        let indices = try Fixtures.codedIndices(out)
        #expect(indices.first == 30)
        #expect(indices == Array(30..<(30 + indices.count)) && indices.contains(52))
    }

    @Test func clipWithBFramesFromAForeignEncoder() throws {
        // x264 medium: B-frames, so dts < pts; the clip must still show its first frame at 0.
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("b.mp4")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "6", "-c:v", "libx264",
                             "-g", "30", "-bf", "3", "-pix_fmt", "yuv420p", file.path])
        let s = try VideoSource(url: file.path)
        let out = dir.appendingPathComponent("b-clip.mp4")
        s.clips.request(from: 2.5, to: 3.0, path: out, id: "b")
        var results: [Result<ClipResult, MediaError>] = []
        while try s.next() != nil { results += s.clips.takeCompleted() }
        let c = try clip(results, "b")
        #expect(c.startsOnKeyframe && abs(c.start - 2.0) < 1e-3)
        let clipSource = try VideoSource(url: out.path)
        let frames = try Fixtures.readAll(clipSource)
        #expect(frames.first?.time == 0)
        #expect(frames.count >= 15)  // 2.0 … 3.0 s
        #expect(abs(Double(frames.count) / 15 - (c.end - c.start)) < 0.1)
    }

    /// Older recorders write AVI: MJPEG (every frame a keyframe) or MPEG-4 Part 2.
    /// Their packets are copied into the MP4 clip as they are.
    @Test(arguments: [("mjpeg", ["-q:v", "3"], 2.1), ("mpeg4", ["-q:v", "3", "-g", "15", "-bf", "0"], 2.0)])
    func clipsFromAVI(codec: String, encoder: [String], clipStart: Double) throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mp4 = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 90, fps: 15, keyframeInterval: 15)
        let avi = dir.appendingPathComponent("a.avi")
        try Fixtures.ffmpeg(["-i", mp4.path, "-c:v", codec] + encoder + [avi.path])
        let s = try VideoSource(url: avi.path)
        #expect(s.info.codec == codec)
        let out = dir.appendingPathComponent("from-avi.mp4")
        let c = try oneClip(s, from: 2.1, to: 3.5, path: out, id: codec)
        #expect(c.copied && c.startsOnKeyframe)
        #expect(c.start <= 2.1 + 1e-6 && c.start > clipStart - 0.07, "starts at \(c.start)")
        let indices = try Fixtures.codedIndices(out)
        let first = Int((c.start * 15).rounded())
        #expect(indices.first == first)
        #expect(indices == Array(first..<(first + indices.count)) && indices.contains(52))
    }

    @Test func h265ClipsAreTaggedForEveryPlayer() throws {
        // Many CCTV cameras record H.265. Copied into MP4 it must say `hvc1`
        // (FFmpeg's default `hev1` does not play in Apple's players).
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("h265.mp4")
        do {
            try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "5", "-c:v", "libx265",
                                 "-preset", "ultrafast", "-x265-params", "keyint=15:log-level=error", "-pix_fmt", "yuv420p", file.path])
        } catch {
            print("note: H.265 clip test skipped: this ffmpeg cannot encode H.265 (\(error))")
            return
        }
        let s = try VideoSource(url: file.path)
        #expect(s.info.codec == "hevc")
        let out = dir.appendingPathComponent("h265-clip.mp4")
        let c = try oneClip(s, from: 2.1, to: 3.5, path: out, id: "h265")
        #expect(c.startsOnKeyframe && abs(c.start - 2.0) < 1e-3)
        let bytes = try Data(contentsOf: out)
        #expect(bytes.range(of: Data("hvc1".utf8)) != nil, "the sample entry says hvc1")
        #expect(bytes.range(of: Data("hev1".utf8)) == nil)
        // And it decodes: every frame from its keyframe on, the first at 0.
        let frames = try Fixtures.readAll(try VideoSource(url: out.path))
        #expect(frames.first?.time == 0)
        #expect(frames.count >= 21)  // 2.0 … 3.5 s at 15 fps
        #expect(ClipRecorder.fourCC("hvc1") == 0x3163_7668)
    }
}
