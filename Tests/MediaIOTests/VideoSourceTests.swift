import Foundation
import LaneCore
import Testing
@testable import MediaIO

@Suite struct VideoSourceTests {
    @Test func decodesAGeneratedClipWithTimesSizeAndCreationTime() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("testsrc.mp4")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=15", "-t", "2", "-c:v", "libx264",
                             "-pix_fmt", "yuv420p", "-metadata", "creation_time=2026-11-02T09:03:00Z", file.path])
        let source = try VideoSource(url: file.path)
        let info = source.info
        #expect(info.width == 1280 && info.height == 720)
        #expect(info.codec == "h264")
        #expect(abs((info.frameRate ?? 0) - 15) < 1e-6)
        #expect(info.frameCount == 30)
        #expect(abs((info.duration ?? 0) - 2) < 0.01)
        #expect(info.creationTime == ISOTime.parseEpochSeconds("2026-11-02T09:03:00Z"))
        #expect(info.analysisWidth == 320 && info.analysisHeight == 180)

        let frames = try Fixtures.readAll(source)
        #expect(frames.count == 30)
        for (i, f) in frames.enumerated() {
            #expect(f.index == i)
            #expect(abs(f.time - Double(i) / 15) < 1e-6)
            #expect(f.analysis.width == 320 && f.analysis.height == 180)
            #expect(f.analysis.y.count == 320 * 180 && f.analysis.u.count == 320 * 180)
        }
        #expect(try source.next() == nil)  // stays at the end
    }

    @Test func analysisHeightKeepsAspectAndIsEven() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("odd.mp4")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10", "-t", "0.5", "-c:v", "libx264", file.path])
        var options = SourceOptions()
        options.analysisWidth = 250  // 480 × 250 / 640 = 187.5 → 188
        let s = try VideoSource(url: file.path, options: options)
        let f = try #require(try s.next())
        #expect(f.analysis.width == 250 && f.analysis.height == 188)
        options.analysisWidth = 0
        let full = try VideoSource(url: file.path, options: options)
        let g = try #require(try full.next())
        #expect(g.analysis.width == 640 && g.analysis.height == 480)
    }

    @Test func anAnalysisRegionIsCutOutAtTheSamePixelBudget() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("strip.mp4")
        // Red, with a green strip from x = 800 to 1120.
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=0xFF0000:size=1280x720:rate=10", "-t", "0.5",
                             "-vf", "drawbox=x=800:y=0:w=320:h=720:color=0x00FF00:t=fill",
                             "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", file.path])
        var options = SourceOptions()
        options.analysisRegion = NormalizedRect(x: 0.605, y: 0, width: 0.295, height: 1)
        let s = try VideoSource(url: file.path, options: options)
        // The left edge moves down to a 16-pixel boundary (774 → 768); the right edge stays at 1152.
        let r = try #require(s.info.analysisRegion)
        #expect(abs(r.x - 0.6) < 1e-9 && abs(r.width - 0.3) < 1e-9 && r.y == 0 && r.height == 1)
        let f = try #require(try s.next())
        #expect(f.analysis.width == s.info.analysisWidth && f.analysis.height == s.info.analysisHeight)
        // About the pixels the whole frame gets (320 × 180), in the region's shape (384 × 720).
        #expect(abs(Double(f.analysis.width * f.analysis.height) / (320 * 180) - 1) < 0.03)
        #expect(abs(Double(f.analysis.width) / Double(f.analysis.height) - 384.0 / 720) < 0.02)
        let red = ColorConversion.yuv(r: 255, g: 0, b: 0), green = ColorConversion.yuv(r: 0, g: 255, b: 0)
        let row = f.analysis.height / 2 * f.analysis.width
        // 32 of the region's 384 columns are red on each side of the green strip.
        for (x, c) in [(1, red), (f.analysis.width / 2, green), (f.analysis.width - 2, red)] {
            #expect(abs(Int(f.analysis.v[row + x]) - Int(c.v)) <= 12)
        }

        // A small region is magnified at most twice the whole frame's scale (320 / 1280 → 0.5)…
        var small = SourceOptions()
        small.analysisRegion = NormalizedRect(x: 0.625, y: 0.25, width: 0.1, height: 0.1)
        let t = try VideoSource(url: file.path, options: small)
        #expect(t.info.analysisWidth == 64 && t.info.analysisHeight == 36)
        let g = try #require(try t.next())
        #expect(abs(Int(g.analysis.v[18 * 64 + 32]) - Int(green.v)) <= 12)
        // …and never beyond the source's own pixels.
        small.maxRegionZoom = 10
        let u = try VideoSource(url: file.path, options: small)
        #expect(u.info.analysisWidth == 128 && u.info.analysisHeight == 72)
    }

    @Test func analysisPlanesCarryBT601Colours() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("red.mp4")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=0xFF0000:size=640x360:rate=10", "-t", "0.5",
                             "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", file.path])
        let s = try VideoSource(url: file.path)
        let f = try #require(try s.next())
        let expected = ColorConversion.yuv(r: 255, g: 0, b: 0)
        let mid = f.analysis.width * f.analysis.height / 2 + f.analysis.width / 2
        #expect(abs(Int(f.analysis.y[mid]) - Int(expected.y)) <= 3)
        #expect(abs(Int(f.analysis.u[mid]) - Int(expected.u)) <= 3)
        #expect(abs(Int(f.analysis.v[mid]) - Int(expected.v)) <= 3)

        let rgb = try #require(s.snapshot(maxWidth: 320))
        #expect(rgb.width == 320 && rgb.height == 180)
        let p = 3 * (90 * 320 + 160)
        #expect(rgb.pixels[p] > 240 && rgb.pixels[p + 1] < 15 && rgb.pixels[p + 2] < 15)
        let big = try #require(s.snapshot(maxWidth: 4000))
        #expect(big.width == 640 && big.height == 360)
    }

    @Test func snapshotIsNilBeforeTheFirstFrame() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 3)
        let s = try VideoSource(url: file.path)
        #expect(s.snapshot(maxWidth: 100) == nil)
        _ = try s.next()
        #expect(s.snapshot(maxWidth: 100)?.width == 100)
    }

    @Test func snapshotShowsTheLastDecodedFrame() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("coded.mp4"), frames: 40)
        #expect(try Fixtures.codedIndices(file) == Array(0..<40))
    }

    @Test func decodeBenchmarkCountsEveryFrame() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("b.mp4"), frames: 25)
        let result = try DecodeBenchmark.decodeAll(url: file.path)
        #expect(result.frames == 25)
        #expect(result.seconds > 0)
        let single = try DecodeBenchmark.decodeAll(url: file.path, threads: 1)
        #expect(single.frames == 25)
    }
}

@Suite struct MediaErrorTests {
    func openError(_ url: String, timeout: Double = 10) -> MediaError? {
        var options = SourceOptions()
        options.openTimeout = timeout
        do {
            _ = try VideoSource(url: url, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingFile() throws {
        let e = try #require(openError("/nonexistent/lane.mp4"))
        #expect(e.url == "/nonexistent/lane.mp4")
        #expect(e.description == "/nonexistent/lane.mp4: no such file")
    }

    @Test func notAVideo() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.mp4")
        try Data("this is not a video\n".utf8).write(to: text)
        let e = try #require(openError(text.path))
        #expect(e.url == text.path)
        #expect(e.message.contains("not a video"))

        let empty = dir.appendingPathComponent("empty.mp4")
        try Data().write(to: empty)
        #expect(try #require(openError(empty.path)).message.contains("empty"))
        #expect(try #require(openError(dir.path)).message.contains("directory"))
    }

    @Test func noVideoStream() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let audio = dir.appendingPathComponent("beep.m4a")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-c:a", "aac", audio.path])
        let e = try #require(openError(audio.path))
        #expect(e.message.contains("no video stream"))
        #expect(e.message.contains("audio"))
    }

    @Test func refusedRTSPConnection() throws {
        // Port 1 on loopback: nothing listens, the kernel refuses at once.
        let e = try #require(openError("rtsp://admin:secret@127.0.0.1:1/sco-03", timeout: 3))
        #expect(e.message.contains("connection refused"))
        #expect(e.url == "rtsp://admin:***@127.0.0.1:1/sco-03")
        #expect(!e.description.contains("secret"))
    }

    @Test func refusedHTTPConnection() throws {
        let e = try #require(openError("http://127.0.0.1:1/lane.mp4", timeout: 3))
        #expect(e.message.contains("connection refused"))
    }

    @Test func redaction() {
        #expect(MediaError.redacted("rtsp://u:p@h:554/x") == "rtsp://u:***@h:554/x")
        #expect(MediaError.redacted("rtsp://h:554/x@y") == "rtsp://h:554/x@y")
        #expect(MediaError.redacted("/videos/a@b.mp4") == "/videos/a@b.mp4")
    }
}
