import Foundation
import LaneCore
import Testing
@testable import MediaIO

/// Test media made at test time: nothing binary is committed.
enum Fixtures {
    static func tempDirectory(_ name: String = #function) -> URL {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("lanesight-mediaio-\(clean)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs the ffmpeg CLI (used for inputs our own writer does not make: audio-only,
    /// MPEG-TS, JPEG, foreign creation_time tags).
    static func ffmpeg(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw FixtureError(message: "ffmpeg \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    struct FixtureError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    static let bits = 10

    /// A frame whose top band encodes `index` in binary (white = 1), over a colour that
    /// drifts with the index, so a decoded frame tells which source frame it is.
    static func codedFrame(_ index: Int, width: Int = 320, height: Int = 240) -> RGBImage {
        var img = RGBImage(width: width, height: height, fill: (UInt8(40 + index % 100), 90, UInt8(200 - index % 100)))
        let block = width / bits
        for bit in 0..<bits {
            let on = (index >> bit) & 1 == 1
            let v: UInt8 = on ? 255 : 0
            for y in 0..<(height / 4) {
                for x in (bit * block + 2)..<((bit + 1) * block - 2) {
                    let i = 3 * (y * width + x)
                    img.pixels[i] = v; img.pixels[i + 1] = v; img.pixels[i + 2] = v
                }
            }
        }
        return img
    }

    static func readIndex(_ img: RGBImage) -> Int {
        let block = img.width / bits
        var value = 0
        for bit in 0..<bits {
            let x = bit * block + block / 2, y = img.height / 8
            if img.pixels[3 * (y * img.width + x)] > 128 { value |= 1 << bit }
        }
        return value
    }

    /// An H.264 MP4 of coded frames made with our own VideoWriter.
    @discardableResult
    static func codedVideo(_ url: URL, frames: Int, fps: Int = 15, keyframeInterval: Int = 15,
                           creationTime: Double? = nil, width: Int = 320, height: Int = 240,
                           preset: String = "ultrafast") throws -> URL {
        // ultrafast: no B-frames; veryfast and slower: B-frames.
        let w = try VideoWriter(path: url, width: width, height: height, fps: fps, creationTime: creationTime,
                                keyframeInterval: keyframeInterval, crf: 18, preset: preset)
        for i in 0..<frames { try w.append(codedFrame(i, width: width, height: height)) }
        try w.finish()
        return url
    }

    static func readAll(_ source: VideoSource) throws -> [VideoFrame] {
        var frames: [VideoFrame] = []
        while let f = try source.next() { frames.append(f) }
        return frames
    }

    /// Frame indices coded in a video, in order.
    static func codedIndices(_ url: URL) throws -> [Int] {
        let s = try VideoSource(url: url.path)
        var out: [Int] = []
        while try s.next() != nil { out.append(readIndex(s.snapshot(maxWidth: 10_000)!)) }
        return out
    }
}
