import CFFmpeg
import Foundation

/// A media failure, naming the file or URL (passwords removed) and what went wrong.
public struct MediaError: Error, CustomStringConvertible, Sendable {
    public var url: String
    public var message: String

    public init(url: String, message: String) {
        self.url = MediaError.redacted(url)
        self.message = message
    }

    public var description: String { "\(url): \(message)" }

    /// `rtsp://user:secret@host/…` → `rtsp://user:***@host/…`: camera URLs often carry
    /// credentials and errors end up in logs.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
              let colon = rest[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<rest.index(after: colon)]) + "***" + String(url[at...])
    }
}

/// FFmpeg's text for an error code.
func avErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(lanesight_av_error_max_string_size()) + 1)
    if av_strerror(code, &buffer, buffer.count) < 0 { return "error \(code)" }
    let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return text
}

/// FFmpeg prints to stderr unless told otherwise; our errors are reported as MediaError,
/// so stay quiet unless LANESIGHT_FFMPEG_LOG asks for more (error, warning, info, debug).
let ffmpegLogging: Void = {
    let level: Int32
    switch ProcessInfo.processInfo.environment["LANESIGHT_FFMPEG_LOG"]?.lowercased() {
    case "error": level = AV_LOG_ERROR
    case "warning": level = AV_LOG_WARNING
    case "info": level = AV_LOG_INFO
    case "debug": level = AV_LOG_DEBUG
    default: level = AV_LOG_QUIET
    }
    av_log_set_level(level)
}()

/// True for `scheme://…` inputs other than `file://`.
func isNetworkURL(_ url: String) -> Bool {
    guard let r = url.range(of: "://") else { return false }
    let scheme = url[..<r.lowerBound].lowercased()
    return scheme != "file" && !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
}

/// Checks a local path before FFmpeg sees it, for clearer messages than FFmpeg's.
func checkLocalFile(_ url: String) throws(MediaError) {
    let path = url.hasPrefix("file://") ? String(url.dropFirst(7)) : url
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw MediaError(url: url, message: "no such file")
    }
    if isDirectory.boolValue { throw MediaError(url: url, message: "is a directory, not a video file") }
    guard FileManager.default.isReadableFile(atPath: path) else {
        throw MediaError(url: url, message: "permission denied")
    }
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0 {
        throw MediaError(url: url, message: "the file is empty")
    }
}

/// Turns an error from opening or reading an input into words a user can act on.
func describeOpenError(_ code: Int32, network: Bool, timedOut: Bool, timeout: Double) -> String {
    if timedOut || code == lanesight_averror(lanesight_etimedout()) {
        return "timed out after \(formatSeconds(timeout)) (no answer from the camera or server)"
    }
    switch code {
    case lanesight_averror(lanesight_econnrefused()): return "connection refused (is the camera or server running, and is the port right?)"
    case lanesight_averror(lanesight_ehostunreach()), lanesight_averror(lanesight_enetunreach()): return "host unreachable"
    case lanesight_averror(lanesight_enoent()): return network ? "not found on the server" : "no such file"
    case lanesight_averror(lanesight_eacces()): return "permission denied"
    case lanesight_averror_invaliddata(): return network ? "the server sent data FFmpeg cannot read as a stream" : "not a video file (FFmpeg does not recognise its format)"
    case lanesight_averror_http_not_found(): return "not found on the server (HTTP 404)"
    case lanesight_averror_exit(): return "interrupted (timed out after \(formatSeconds(timeout)))"
    default: return avErrorText(code)
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
}
