import Foundation
import Contract
import Rules
import Vision

/// What a lane learns and keeps between runs, in the state folder: how
/// products look (the appearance memory) and how large they show (the item
/// counter's sizes). One pair of files per store, lane and catalog.
///
/// A file that cannot be read is not silently replaced: it is set aside as
/// `NAME.unreadable-TIMESTAMP`, the caller is warned, and the lane starts that
/// part afresh. A file that cannot be written is a warning too.
final class LaneState {
    let appearanceURL: URL
    let sizesURL: URL
    /// The camera view, as the lane's zones describe it: sizes are shares of
    /// the frame, so they are dropped when the zones change.
    let view: String
    let warn: (String) -> Void
    /// False once a file could not be set aside: it is left as it was.
    private var appearanceWritable = true
    private var sizesWritable = true

    init(directory: URL, lane: Lane, catalogFingerprint: String, warn: @escaping (String) -> Void) {
        let base = "\(lane.store)-\(lane.lane)-\(catalogFingerprint)"
        appearanceURL = directory.appendingPathComponent(base + ".appearance.json")
        sizesURL = directory.appendingPathComponent(base + ".sizes.json")
        view = Self.view(of: lane)
        self.warn = warn
    }

    static func view(of lane: Lane) -> String {
        lane.zones.map { z in
            z.role.rawValue + ":" + z.polygon.map { String(format: "%.3f,%.3f", $0.x, $0.y) }.joined(separator: " ")
        }.joined(separator: "; ")
    }

    /// The saved appearance memory, or nil when there is none (or it was unreadable).
    func loadMemory(references: [String: [AppearanceDescriptor]]) -> AppearanceMemory? {
        guard FileManager.default.fileExists(atPath: appearanceURL.path) else { return nil }
        do {
            return try AppearanceMemory.load(from: appearanceURL, references: references)
        } catch {
            appearanceWritable = setAside(appearanceURL, because: error)
            return nil
        }
    }

    /// Takes the saved sizes into `counter` when they were learned in this view.
    func loadSizes(into counter: inout ItemCounter) {
        let url = sizesURL
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let sizes: ItemCounter.LearnedSizes
        do {
            sizes = try ItemCounter.LearnedSizes.load(from: url)
        } catch {
            sizesWritable = setAside(url, because: error)
            return
        }
        if !counter.restore(sizes, view: view) {
            warn("\(url.path): learned in another camera view (the lane's zones changed); item sizes are learned afresh")
        }
    }

    func save(memory: AppearanceMemory, counter: ItemCounter) {
        do {
            try FileManager.default.createDirectory(at: appearanceURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            warn("\(appearanceURL.deletingLastPathComponent().path): cannot create the state folder, nothing learned is kept: \(error.localizedDescription)")
            return
        }
        if appearanceWritable {
            do { try memory.save(to: appearanceURL) } catch { warn("\(error)") }
        }
        if sizesWritable {
            do { try counter.learnedSizes(view: view).save(to: sizesURL) } catch { warn("\(error)") }
        }
    }

    /// Whether the file is out of the way (else it must not be overwritten).
    private func setAside(_ url: URL, because error: Error) -> Bool {
        // The readers' errors name the file (and line and field) already.
        let problem = (error as? InputError)?.description ?? "\(url.path): \(error)"
        let stamp = Int(Date().timeIntervalSince1970)
        let aside = url.appendingPathExtension("unreadable-\(stamp)")
        do {
            try FileManager.default.moveItem(at: url, to: aside)
            warn("\(problem); kept as \(aside.lastPathComponent), this run learns afresh")
            return true
        } catch {
            warn("\(problem); could not set it aside (\(error.localizedDescription)), so it is left as it is and what this run learns there is not kept")
            return false
        }
    }
}
