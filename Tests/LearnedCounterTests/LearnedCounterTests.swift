import Contract
import Foundation
import Testing
import Vision
@testable import LearnedCounter

/// Gives fixed logits and records what it was shown.
final class FixedNetwork: CountNetwork {
    let side = 4
    var logit: Double
    var runs: [[UInt8]] = []
    init(logit: Double) { self.logit = logit }
    func logits(crops: [[UInt8]], empty: [UInt8]) -> [Double]? {
        runs += crops
        return crops.map { _ in logit }
    }
}

struct LearnedCounterTests {
    static let modelDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/LearnedCounter/Resources").standardized

    /// The crop square is the one tools/counter/video_crops.py cuts for
    /// training (Python's `round`, half to even, and the clamps).
    @Test func theSquareIsTheTrainingCropsSquare() {
        // Box 0.3–0.5 × 0.4–0.6 of 1280 × 720: 256 wide, 144 high → side 320, centred at (512, 360).
        let a = LearnedItemCounter.square(zone: (0.3, 0.4, 0.5, 0.6), width: 1280, height: 720)
        #expect(a.x == 352 && a.y == 200 && a.side == 320)
        // Near the right edge: moved inside.
        let b = LearnedItemCounter.square(zone: (0.85, 0.4, 0.99, 0.6), width: 1280, height: 720)
        #expect(b.x + b.side == 1280 && b.side == 224)
        // Larger than the frame's height: the height.
        let c = LearnedItemCounter.square(zone: (0.1, 0.05, 0.9, 0.95), width: 640, height: 360)
        #expect(c.side == 360 && c.y == 0)
        // 0.25 × 1.25 × 100 = 31.25 → 31; centre 50 − 15.5 = 34.5 → 34 (half to even).
        let d = LearnedItemCounter.square(zone: (0.375, 0.4, 0.625, 0.5), width: 100, height: 100)
        #expect(d.side == 31 && d.x == 34)
    }

    @Test func theMedianIsEachBytesMiddleValue() {
        var rng = SystemRandomNumberGenerator()
        for n in [1, 2, 3, 4, 15] {
            let images = (0..<n).map { _ in (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) } }
            let m = LearnedItemCounter.median(images)
            for i in 0..<300 {
                let column = images.map { Int($0[i]) }.sorted()
                let want = n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2
                #expect(Int(m[i]) == want)
            }
        }
    }

    func counter(_ net: FixedNetwork) throws -> LearnedItemCounter {
        let zone = [NormalizedPoint(x: 0.4, y: 0.4), NormalizedPoint(x: 0.6, y: 0.4), NormalizedPoint(x: 0.6, y: 0.6)]
        return try #require(LearnedItemCounter(network: net, bar: 1.0, scanZone: zone))
    }

    func pass(at mid: Double, path: PassPath = .overScanner) -> PassObservation {
        PassObservation(id: 1, path: path, start: mid - 1.5, end: mid + 1.5,
                        scanEnter: path == .overScanner ? mid - 0.4 : nil, scanLeave: path == .overScanner ? mid + 0.4 : nil)
    }

    /// A pass is scored on the crops nearest its five instants (the middle of
    /// its crossing ± 0.2 and 0.4 s), as in training, beside the empty
    /// scanner; its margin is the mean logit less the bar.
    @Test func aPassIsScoredOnItsFiveCropsAgainstTheBar() throws {
        let net = FixedNetwork(logit: 1.5)
        let c = try counter(net)
        c.samples = [[UInt8]](repeating: [UInt8](repeating: 9, count: 48), count: 3)
        c.recent = stride(from: 0.0, through: 4.0, by: 0.2).map { t in
            LearnedItemCounter.Crop(time: 100 + t, pixels: [UInt8](repeating: UInt8(t * 10), count: 48))
        }
        let m = try #require(c.margin(for: pass(at: 102)))
        #expect(abs(m - 0.5) < 1e-9)
        #expect(net.runs.map { $0[0] } == [16, 18, 20, 22, 24])
        // Around the scanner: nothing to score.
        #expect(c.margin(for: pass(at: 102, path: .aroundScanner)) == nil)
        // Too few crops near it (the scanner was not busy): no score.
        c.recent = c.recent.filter { $0.time < 101.7 }
        #expect(c.margin(for: pass(at: 102)) == nil)
        #expect(c.stats.passesScored == 1 && c.stats.networkRuns == 5)
    }

    @Test func noEmptyScannerYetMeansNoScore() throws {
        let c = try counter(FixedNetwork(logit: 3))
        c.recent = stride(from: 0.0, through: 2.0, by: 0.2).map { LearnedItemCounter.Crop(time: 100 + $0, pixels: [UInt8](repeating: 1, count: 48)) }
        c.samples = [[UInt8](repeating: 0, count: 48)]
        #expect(c.margin(for: pass(at: 101)) == nil)
    }

    /// OpenCV's dnn runs the exported network as torch ran it
    /// (tools/counter/golden.py on the model's .pt gave these), one crop at a
    /// time or five together.
    @Test func theBundledNetworkGivesTorchsLogits() throws {
        let model = try CounterModel.load(directory: Self.modelDir)
        let net = try ONNXCountNetwork(path: model.network, side: model.side)
        let n = model.side * model.side * 3
        let empty = (0..<n).map { UInt8((13 * $0) % 256) }
        let crops = (0..<2).map { k in (0..<n).map { UInt8((7 * $0 + 31 * k) % 251) } }
        let together = try #require(net.logits(crops: crops, empty: empty))
        let golden = [3.773623, 4.836735]
        for k in 0..<2 { #expect(abs(together[k] - golden[k]) < 1e-4, "\(together[k]) vs \(golden[k])") }
        let alone = try #require(net.logits(crops: [crops[1]], empty: empty))
        #expect(abs(alone[0] - together[1]) < 1e-5)
        #expect(net.logits(crops: [Array(crops[0].prefix(10))], empty: empty) == nil)
    }

    @Test func aModelFolderThatCannotBeUsedIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanesight-counter-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: CounterModelError.self) { try CounterModel.load(directory: dir) }
        try Data(#"{"network": "missing.onnx", "bar": 1.2, "side": 96}"#.utf8).write(to: dir.appendingPathComponent("item-counter.json"))
        do { _ = try CounterModel.load(directory: dir); Issue.record("loaded a model without its network") } catch let e as CounterModelError {
            #expect(e.description.contains("item-counter.json") && e.description.contains("network"))
        }
        try Data("not onnx".utf8).write(to: dir.appendingPathComponent("missing.onnx"))
        let m = try CounterModel.load(directory: dir)
        #expect(m.bar == 1.2)
        #expect(throws: CounterModelError.self) { try ONNXCountNetwork(path: m.network, side: m.side) }
    }
}
