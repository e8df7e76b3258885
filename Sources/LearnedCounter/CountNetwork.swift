import CLaneCV
import Foundation

/// Reads crops of the scan zone, each beside the lane's empty scanner, and
/// says how likely the hands over it carry two items or more.
public protocol CountNetwork: AnyObject {
    /// Side of the square crops it reads.
    var side: Int { get }
    /// One logit of "two or more" per crop. Crops and the empty scanner are
    /// packed RGB, `side` × `side`. Nil when it could not run.
    func logits(crops: [[UInt8]], empty: [UInt8]) -> [Double]?
}

/// A model file that cannot be used, named with the reason.
public struct CounterModelError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// The learned counter's model: the network file and the bar its logit must
/// reach to count two, set when it was trained (tools/counter/train.py: the
/// logit that flags 2 % of held-out single items).
public struct CounterModel: Sendable, Equatable {
    public var network: URL
    public var bar: Double
    public var side: Int

    /// The file beside the network, `item-counter.json`.
    struct Description: Decodable {
        var network: String
        var bar: Double
        var side: Int
    }

    /// Reads `item-counter.json` in `directory`; errors name the file and the field.
    public static func load(directory: URL) throws -> CounterModel {
        let file = directory.appendingPathComponent("item-counter.json")
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw CounterModelError(file: file.path, message: "cannot read it (\(error.localizedDescription))")
        }
        let d: Description
        do { d = try JSONDecoder().decode(Description.self, from: data) } catch {
            throw CounterModelError(file: file.path, message: "not a counter model description: \(error)")
        }
        guard d.bar.isFinite else { throw CounterModelError(file: file.path, message: "field \"bar\" is not a number") }
        guard (16...512).contains(d.side) else { throw CounterModelError(file: file.path, message: "field \"side\" must be 16…512") }
        let net = directory.appendingPathComponent(d.network)
        guard FileManager.default.isReadableFile(atPath: net.path) else {
            throw CounterModelError(file: file.path, message: "field \"network\": no file \(net.path)")
        }
        return CounterModel(network: net, bar: d.bar, side: d.side)
    }

    /// The model built with `lanesight`: SwiftPM copies the target's resources
    /// into a folder beside the executable. Nil when it is not there (a binary
    /// copied without it).
    public static func bundled() -> URL? {
        guard let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        let dir = exe.deletingLastPathComponent()
            .appendingPathComponent("LaneSight_LearnedCounter.resources")
        let json = dir.appendingPathComponent("item-counter.json")
        return FileManager.default.fileExists(atPath: json.path) ? dir : nil
    }
}

/// The network in an ONNX file, run by OpenCV's dnn module (one thread).
/// Not thread-safe: one per lane.
public final class ONNXCountNetwork: CountNetwork {
    let handle: OpaquePointer
    public let side: Int
    /// The input, reused between runs.
    var input: [Float] = []

    public init(path: URL, side: Int) throws {
        guard let h = lcv_net_open(path.path) else {
            throw CounterModelError(file: path.path, message: String(cString: lcv_last_error()))
        }
        handle = h
        self.side = side
    }

    deinit { lcv_net_free(handle) }

    public func logits(crops: [[UInt8]], empty: [UInt8]) -> [Double]? {
        let plane = side * side
        guard !crops.isEmpty, empty.count == plane * 3, crops.allSatisfy({ $0.count == plane * 3 }) else { return nil }
        // NCHW, each crop's three planes then the empty scanner's, scaled to −0.5…0.5 as in training.
        let per = 6 * plane
        if input.count != per * crops.count { input = [Float](repeating: 0, count: per * crops.count) }
        input.withUnsafeMutableBufferPointer { dst in
            empty.withUnsafeBufferPointer { e in
                for (n, crop) in crops.enumerated() {
                    crop.withUnsafeBufferPointer { c in
                        let base = n * per
                        for i in 0..<plane {
                            for ch in 0..<3 {
                                dst[base + ch * plane + i] = Float(c[3 * i + ch]) / 255 - 0.5
                                dst[base + (3 + ch) * plane + i] = Float(e[3 * i + ch]) / 255 - 0.5
                            }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: crops.count)
        let rc = input.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                lcv_net_forward(handle, inp.baseAddress, Int32(crops.count), 6, Int32(side), Int32(side), o.baseAddress, Int32(crops.count))
            }
        }
        return rc == LCV_OK ? out.map(Double.init) : nil
    }
}
