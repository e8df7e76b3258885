import Foundation
import LaneCore
import Testing
@testable import MediaIO

@Suite struct VideoWriterTests {
    @Test func roundTripSixtyFrames() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("sub/dir/sim.mp4")
        let start = try #require(ISOTime.parseEpochSeconds("2026-11-02T09:03:00.123Z"))
        try Fixtures.codedVideo(file, frames: 60, fps: 15, keyframeInterval: 30, creationTime: start)
        let s = try VideoSource(url: file.path)
        #expect(s.info.width == 320 && s.info.height == 240)
        #expect(s.info.frameCount == 60)
        #expect(abs((s.info.frameRate ?? 0) - 15) < 1e-6)
        #expect(abs((s.info.creationTime ?? 0) - start) < 0.0005)
        var indices: [Int] = []
        var times: [Double] = []
        while let f = try s.next() {
            times.append(f.time)
            indices.append(Fixtures.readIndex(s.snapshot(maxWidth: 320)!))
        }
        #expect(indices == Array(0..<60))
        #expect(times.enumerated().allSatisfy { abs($0.element - Double($0.offset) / 15) < 1e-6 })
    }

    @Test func rejectsBadSizesAndFrames() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.appendingPathComponent("odd.mp4"), width: 321, height: 240, fps: 15, creationTime: nil)
        }
        let w = try VideoWriter(path: dir.appendingPathComponent("ok.mp4"), width: 64, height: 48, fps: 10, creationTime: nil)
        do {
            try w.append(RGBImage(width: 32, height: 48))
            Issue.record("a frame of the wrong size was accepted")
        } catch {
            #expect(error.message.contains("32x48"))
        }
        try w.append(RGBImage(width: 64, height: 48))
        try w.finish()
        #expect(try VideoSource(url: dir.appendingPathComponent("ok.mp4").path).info.creationTime == nil)
    }
}

@Suite struct ImageFileTests {
    func pattern(_ w: Int, _ h: Int) -> RGBImage {
        var img = RGBImage(width: w, height: h)
        for i in 0..<(w * h) {
            img.pixels[3 * i] = UInt8(i % 251); img.pixels[3 * i + 1] = UInt8((i / w) % 256); img.pixels[3 * i + 2] = UInt8((i * 7) % 256)
        }
        return img
    }

    @Test func pngRoundTripRGB() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.png")
        let img = pattern(37, 21)
        try ImageFile.writePNG(img, alpha: nil, to: url)
        let back = try ImageFile.read(url)
        #expect(back.rgb.width == 37 && back.rgb.height == 21)
        #expect(back.rgb.pixels == img.pixels)
        #expect(back.alpha == nil)
    }

    @Test func pngRoundTripWithAlpha() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("mask.png")
        let img = pattern(16, 9)
        let alpha = (0..<(16 * 9)).map { UInt8(($0 * 13) % 256) }
        try ImageFile.writePNG(img, alpha: alpha, to: url)
        let back = try ImageFile.read(url)
        #expect(back.rgb.pixels == img.pixels)
        #expect(back.alpha == alpha)
        // Fully opaque alpha reads back as none.
        try ImageFile.writePNG(img, alpha: [UInt8](repeating: 255, count: 16 * 9), to: url)
        #expect(try ImageFile.read(url).alpha == nil)
    }

    @Test func readsJPEG() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("blue.jpg")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=0x2040E0:size=64x48", "-frames:v", "1", url.path])
        let img = try ImageFile.read(url)
        #expect(img.rgb.width == 64 && img.rgb.height == 48)
        let p = 3 * (24 * 64 + 32)
        #expect(abs(Int(img.rgb.pixels[p]) - 0x20) < 8 && abs(Int(img.rgb.pixels[p + 1]) - 0x40) < 8 && abs(Int(img.rgb.pixels[p + 2]) - 0xE0) < 8)
    }

    @Test func badImagesNameTheFile() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.png")
        #expect(throws: MediaError.self) { try ImageFile.read(missing) }
        do { _ = try ImageFile.read(missing) } catch { #expect(error.description == "\(missing.path): no such file") }
        let text = dir.appendingPathComponent("x.png")
        try Data("hello".utf8).write(to: text)
        do { _ = try ImageFile.read(text); Issue.record("text read as an image") } catch {
            #expect(error.url == text.path && error.message.contains("not a PNG or JPEG"))
        }
        let broken = dir.appendingPathComponent("broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: broken)
        do { _ = try ImageFile.read(broken); Issue.record("broken PNG read") } catch {
            #expect(error.message.contains("corrupt PNG"))
        }
    }
}
