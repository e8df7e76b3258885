import Foundation
import LaneCore
import Testing
@testable import MediaIO

/// tools/rtsp_serve.py (GStreamer) serving a file on 127.0.0.1, when this machine has it.
final class RTSPServer {
    static let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("../../tools/rtsp_serve.py").standardized

    /// GStreamer's Python bindings live in the system Python, not in a pyenv one.
    static let python = "/usr/bin/python3"

    static let available: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let ok = (try? p.run()) != nil && { p.waitUntilExit(); return p.terminationStatus == 0 }()
        if !ok {
            print("note: RTSP round-trip test skipped: GStreamer's RTSP server is not installed " +
                  "(apt-get install gstreamer1.0-rtsp python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)")
        }
        return ok
    }()

    let process = Process()
    let url: String

    init(file: URL) throws {
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script.path, file.path, "--port", "0", "--mount", "/sco-03"]
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        try process.run()
        // The server prints one READY line once it listens.
        var text = ""
        let handle = out.fileHandleForReading
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("READY ") else {
            process.terminate()
            process.waitUntilExit()
            let why = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Fixtures.FixtureError(message: "rtsp_serve.py did not start: \(text) \(why)")
        }
        url = String(line.dropFirst(6))
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        // Never hang a test run on a server that ignores SIGTERM.
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

@Suite struct RTSPTests {
    @Test(.enabled(if: RTSPServer.available), arguments: ["ultrafast", "veryfast"])
    func decodesAndClipsALiveStream(preset: String) throws {
        let dir = Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.codedVideo(dir.appendingPathComponent("cam.mp4"), frames: 45, fps: 15, keyframeInterval: 15,
                                           preset: preset)
        let server = try RTSPServer(file: file)
        var options = SourceOptions()
        options.openTimeout = 5
        let source = try VideoSource(url: server.url, options: options)
        #expect(source.info.codec == "h264")
        #expect(source.info.width == 320 && source.info.height == 240)

        let clip = dir.appendingPathComponent("rtsp-clip.mp4")
        source.clips.request(from: 1.1, to: 2.2, path: clip, id: "live")
        var indices: [Int] = []
        var times: [Double] = []
        var results: [Result<ClipResult, MediaError>] = []
        do {
            while let f = try source.next() {
                times.append(f.time)
                indices.append(Fixtures.readIndex(source.snapshot(maxWidth: 320)!))
                results += source.clips.takeCompleted()
            }
        } catch {
            // A server that does not say goodbye ends with a stall instead of EOF.
            #expect(error.message.contains("no data"))
        }
        results += source.clips.finish()

        #expect(indices.count >= 40)
        let first = try #require(indices.first)
        #expect(indices == Array(first..<(first + indices.count)))
        #expect(times.first == 0)
        for (i, t) in times.enumerated() { #expect(abs(t - Double(i) / 15) < 0.01) }

        let result = try #require(results.first)
        let c = try result.get()
        #expect(c.startsOnKeyframe && c.copied)
        let clipIndices = try Fixtures.codedIndices(clip)
        let startIndex = try #require(clipIndices.first)
        #expect(startIndex % 15 == 0)  // a keyframe of the source file
        #expect(clipIndices == Array(startIndex..<(startIndex + clipIndices.count)))
        #expect(Double(startIndex - first) / 15 <= 1.1 + 1e-6)
        #expect(Double(clipIndices.last! - first) / 15 >= 2.2 - 1e-6)
    }
}
