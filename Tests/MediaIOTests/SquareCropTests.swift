import Foundation
import LaneCore
import Testing
@testable import MediaIO

/// The learned counter's crop (`HeldFrame.squareRGB`) is what FFmpeg's
/// `crop,scale=flags=area` gives, which its training crops came from.
struct SquareCropTests {
    @Test func aSquareCropIsFFmpegsCropAndAreaScale() throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = dir.appendingPathComponent("pattern.mp4")
        try Fixtures.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=15", "-frames:v", "2",
                             "-pix_fmt", "yuv420p", "-c:v", "libx264", video.path])
        let raw = dir.appendingPathComponent("crop.rgb")
        // An odd corner and side: both are rounded down to the chroma grid.
        try Fixtures.ffmpeg(["-i", video.path, "-frames:v", "1", "-vf", "crop=151:151:201:57,scale=96:96:flags=area",
                             "-f", "rawvideo", "-pix_fmt", "rgb24", raw.path])
        let want = [UInt8](try Data(contentsOf: raw))
        let s = try VideoSource(url: video.path)
        _ = try s.next()
        let held = try #require(s.holdCurrentFrame())
        let scaler = SquareScaler()
        let got = try #require(held.squareRGB(x: 201, y: 57, side: 151, size: 96, scaler: scaler))
        #expect(got.width == 96 && got.height == 96 && want.count == got.pixels.count)
        let diffs = zip(want, got.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
        #expect(mean < 1.5, "mean difference \(mean), largest \(diffs.max() ?? 0)")
        // The kept scaler crops as a new one does, and again the same.
        let again = held.squareRGB(x: 201, y: 57, side: 151, size: 96, scaler: scaler)
        let fresh = held.squareRGB(x: 201, y: 57, side: 151, size: 96, scaler: SquareScaler())
        #expect(again?.pixels == got.pixels && fresh?.pixels == got.pixels)
        // Outside the frame: nothing.
        #expect(held.squareRGB(x: 600, y: 0, side: 100, size: 96, scaler: scaler) == nil)
    }
}
