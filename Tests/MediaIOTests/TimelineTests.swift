import Foundation
import LaneCore
import Testing
@testable import MediaIO

#if canImport(Glibc)
import Glibc
#endif

@Suite struct TimelineTests {
    @Test func timesStayMonotonicWhenTimestampsJumpBack() throws {
        // Two copies of the same MPEG-TS back to back: the second restarts its clock.
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mp4 = try Fixtures.codedVideo(dir.appendingPathComponent("a.mp4"), frames: 45, fps: 15, keyframeInterval: 15)
        let ts = dir.appendingPathComponent("a.ts")
        try Fixtures.ffmpeg(["-i", mp4.path, "-c", "copy", "-f", "mpegts", ts.path])
        let once = try Data(contentsOf: ts)
        let twice = dir.appendingPathComponent("twice.ts")
        try (once + once).write(to: twice)

        let s = try VideoSource(url: twice.path)
        let clip = dir.appendingPathComponent("second-half.mp4")
        s.clips.request(from: 4.1, to: 4.6, path: clip, id: "jump")
        var frames: [VideoFrame] = []
        var indices: [Int] = []
        var results: [Result<ClipResult, MediaError>] = []
        while let f = try s.next() {
            frames.append(f)
            indices.append(Fixtures.readIndex(s.snapshot(maxWidth: 320)!))
            results += s.clips.takeCompleted()
        }
        results += s.clips.finish()
        #expect(frames.count == 90)
        #expect(indices == Array(0..<45) + Array(0..<45))
        // One nominal frame on at the jump, then the stream's own spacing.
        for (i, f) in frames.enumerated() { #expect(abs(f.time - Double(i) / 15) < 1e-6) }

        // The clip recorder follows the same timeline: 4.0 s is frame 15 of the second copy.
        let c = try #require(results.first).get()
        #expect(abs(c.start - 4.0) < 1e-3)
        #expect(try Fixtures.codedIndices(clip).first == 15)
    }

    @Test func openTimesOutWhenTheServerNeverAnswers() throws {
        // A socket that listens but never speaks: the TCP connect succeeds, RTSP gets no reply.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        try #require(bound == 0 && listen(fd, 4) == 0)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = UInt16(bigEndian: addr.sin_port)

        var options = SourceOptions()
        options.openTimeout = 1
        do {
            _ = try VideoSource(url: "rtsp://127.0.0.1:\(port)/silent", options: options)
            Issue.record("opened a server that never answered")
        } catch {
            #expect(error.url == "rtsp://127.0.0.1:\(port)/silent")
            #expect(error.message.contains("timed out"))
        }
    }
}
