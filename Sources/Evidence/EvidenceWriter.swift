import Contract
import Foundation
import LaneCore

/// Lays out an analysis's output folder:
///
///     DIR/incidents.json
///     DIR/evidence/<incident id>/1.jpg … n.jpg
///     DIR/evidence/<incident id>/clip.mp4
///
/// Paths handed back are relative to DIR, as incidents.json records them.
public final class EvidenceWriter {
    public let outputDirectory: URL
    public let renderer: KeyframeRenderer
    /// JPEG quality of key frames.
    public var jpegQuality: Int = 85

    public init(outputDirectory: URL, renderer: KeyframeRenderer = OpenCVKeyframeRenderer()) {
        self.outputDirectory = outputDirectory
        self.renderer = renderer
    }

    /// Writes evidence/<incident id>/1.jpg … n.jpg; returns paths relative to outputDirectory.
    public func writeKeyframes(incidentID: String, frames: [(RGBImage, KeyframeAnnotation)]) throws -> [String] {
        let folder = try incidentFolder(incidentID)
        var paths: [String] = []
        for (n, (image, annotation)) in frames.enumerated() {
            let relative = "evidence/\(incidentID)/\(n + 1).jpg"
            let url = folder.appendingPathComponent("\(n + 1).jpg")
            let data: Data
            do {
                data = try renderer.jpeg(image, annotation: annotation, quality: jpegQuality)
            } catch {
                throw EvidenceError(path: url.path, message: "\(error)")
            }
            do { try data.write(to: url, options: .atomic) } catch {
                throw EvidenceError(path: url.path, message: "cannot write: \(error.localizedDescription)")
            }
            paths.append(relative)
        }
        return paths
    }

    /// Where this incident's clip goes: evidence/<id>/clip.mp4 (the folder is created).
    public func clipPath(incidentID: String) -> (absolute: URL, relative: String) {
        let relative = "evidence/\(Self.safeComponent(incidentID))/clip.mp4"
        let absolute = outputDirectory.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: absolute.deletingLastPathComponent(), withIntermediateDirectories: true)
        return (absolute, relative)
    }

    /// DIR/incidents.json, written atomically.
    public func writeIncidents(_ incidents: [Incident]) throws {
        let url = outputDirectory.appendingPathComponent("incidents.json")
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
            try IncidentsFile.encode(incidents).write(to: url, options: .atomic)
        } catch {
            throw EvidenceError(path: url.path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    private func incidentFolder(_ id: String) throws -> URL {
        guard Self.safeComponent(id) == id else {
            throw EvidenceError(path: outputDirectory.path,
                                message: "incident id '\(id)' cannot be a folder name (use letters, digits, '-', '_', '.')")
        }
        let folder = outputDirectory.appendingPathComponent("evidence").appendingPathComponent(id)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw EvidenceError(path: folder.path, message: "cannot create the folder: \(error.localizedDescription)")
        }
        return folder
    }

    /// Incident ids name folders: anything but letters, digits, '-', '_' and '.' becomes
    /// '_', and a name of dots only is refused by `writeKeyframes`.
    static func safeComponent(_ id: String) -> String {
        let mapped = String(id.map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_"
        })
        if mapped.isEmpty || mapped.allSatisfy({ $0 == "." }) { return "_" + mapped }
        return mapped
    }
}
