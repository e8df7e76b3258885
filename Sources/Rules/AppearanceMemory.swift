import Contract
import Foundation
import Vision

/// What the appearance of a pass says about the product that was scanned.
public struct AppearanceAssessment: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable {
        /// The scanned product has no trusted model (or too little was seen): say nothing.
        case noModel
        /// Looks like the scanned product, or at least not clearly unlike it.
        case normal
        /// Not enough to flag, but not something to learn from either.
        case suspicious
        /// The item seen is not the product scanned.
        case wrong
    }

    public var verdict: Verdict
    /// Similarity (0…1) of the seen item to the scanned product's model.
    public var similarityScanned: Double?
    /// The other known product the item looked most like, and how much.
    public var seenLike: String?
    public var similaritySeen: Double?
    /// 0…1 for `wrong`: how far past the thresholds the evidence is.
    public var confidence: Double

    public init(verdict: Verdict, similarityScanned: Double? = nil, seenLike: String? = nil,
                similaritySeen: Double? = nil, confidence: Double = 0) {
        self.verdict = verdict; self.similarityScanned = similarityScanned; self.seenLike = seenLike
        self.similaritySeen = similaritySeen; self.confidence = confidence
    }
}

/// Per-SKU appearance models for wrong-scan checks: reference descriptors from
/// the catalog's pictures, plus exemplars learned from normal scans on this lane.
///
/// Learned exemplars are kept individually and judged by consensus: the model
/// is the group of exemplars that agree with the best-supported one, so one bad
/// exemplar (say the first pass of a product was a barcode switch) is outvoted
/// instead of averaged in. Exemplars loaded from an earlier run weigh less than
/// ones learned now, and are the first to go when a SKU is full.
public struct AppearanceMemory: Sendable {
    public struct Parameters: Sendable, Equatable {
        /// Two descriptors at least this similar show the same product.
        public var consistency = 0.7
        /// Exemplars kept per SKU.
        public var maxExemplars = 24
        /// Weight of an exemplar loaded from a file (learned now: 1).
        public var loadedWeight = 0.5
        /// Consistent learned exemplars needed before a model without references is trusted.
        public var minTrustedExemplars = 2
        /// Consensus weight from which a learned model's usual spread is known.
        public var establishedWeight = 4.0
        /// "Far below its usual spread": this many standard deviations below the usual similarity…
        public var spreadFactor = 4.0
        /// …and at least this many times the wrong-scan margin.
        public var spreadMarginFactor = 1.0
        /// Descriptors from fewer pixels are too noisy to judge or learn.
        public var minPixels = 30
        public init() {}
    }

    struct Exemplar: Sendable {
        var descriptor: AppearanceDescriptor
        var weight: Double
        var loaded: Bool
        var serial: Int
    }

    struct Model: Sendable {
        var references: [AppearanceDescriptor] = []
        var exemplars: [Exemplar] = []
        // Derived by `refresh`:
        var inliers: [Int] = []
        var isolated: Set<Int> = []
        /// Usual similarity of a fresh exemplar to the rest, and its spread, once established.
        var usual: (mean: Double, sd: Double)? = nil
    }

    public let parameters: Parameters
    var models: [String: Model] = [:]
    private var serial = 0

    public init(references: [String: [AppearanceDescriptor]] = [:], parameters: Parameters = Parameters()) {
        self.parameters = parameters
        setReferences(references)
    }

    /// Replaces the catalog references (learned exemplars stay).
    public mutating func setReferences(_ references: [String: [AppearanceDescriptor]]) {
        for key in models.keys { models[key]?.references = [] }
        for (sku, refs) in references where !refs.isEmpty {
            models[sku, default: Model()].references = refs
        }
        for key in Array(models.keys) { refresh(key) }
    }

    /// SKUs with a trusted model.
    public var knownSKUs: [String] { models.keys.filter { isTrusted($0) }.sorted() }

    public func exemplarCount(sku: String) -> Int { models[sku]?.exemplars.count ?? 0 }

    /// Whether `sku` has a model good enough to judge against.
    public func isTrusted(_ sku: String) -> Bool {
        guard let m = models[sku] else { return false }
        return !m.references.isEmpty || m.inliers.count >= parameters.minTrustedExemplars
    }

    /// Whether the learned model knows its usual spread.
    public func isEstablished(_ sku: String) -> Bool { models[sku]?.usual != nil }

    /// Similarity (0…1) of `d` to the product's trusted model, nil when there is none.
    public func similarity(_ d: AppearanceDescriptor, sku: String) -> Double? {
        guard isTrusted(sku), let m = models[sku] else { return nil }
        return score(d, m, excluding: nil)
    }

    /// Best of: the nearest reference, and the weighted mean of the three
    /// nearest consensus exemplars (a mean, so that a SKU with many exemplars
    /// does not win just by having more chances). Beside catalog pictures the
    /// exemplars count only once the learned model is established: an item
    /// compared with earlier passes on the same lane (same light, same hands)
    /// scores higher than against a picture, so one or two exemplars of a
    /// look-alike made a switched barcode look like the scanned product
    /// (an apple's single exemplar took a lemon to 0.81 against 0.44 by the
    /// picture, and the switch went unflagged).
    private func score(_ d: AppearanceDescriptor, _ m: Model, excluding: Int?, learnedAlways: Bool = false) -> Double {
        var best = -1.0
        for r in m.references { best = max(best, d.productSimilarity(r)) }
        guard learnedAlways || m.references.isEmpty || m.usual != nil else { return max(0, best) }
        var sims: [(Double, Double)] = []
        for i in m.inliers where i != excluding {
            sims.append((d.productSimilarity(m.exemplars[i].descriptor), m.exemplars[i].weight))
        }
        if !sims.isEmpty {
            sims.sort { $0.0 > $1.0 }
            let top = sims.prefix(3)
            let w = top.reduce(0) { $0 + $1.1 }
            if w > 0 { best = max(best, top.reduce(0) { $0 + $1.0 * $1.1 } / w) }
        }
        return max(0, best)
    }

    /// Judges the item seen in a pass against the product scanned for it.
    public func assess(seen: AppearanceDescriptor, scanned sku: String, margin: Double) -> AppearanceAssessment {
        guard seen.pixelCount >= parameters.minPixels else { return AppearanceAssessment(verdict: .noModel) }
        var other: (sku: String, sim: Double)? = nil
        for (key, m) in models where key != sku && isTrusted(key) {
            let s = score(seen, m, excluding: nil)
            if other == nil || s > other!.sim || (s == other!.sim && key < other!.sku) { other = (key, s) }
        }
        guard isTrusted(sku), let m = models[sku] else {
            // Nothing to judge by, but an item that clearly looks like another
            // known product must not become this product's exemplar.
            var partial = 0.0
            if let m = models[sku] {
                for e in m.exemplars { partial = max(partial, seen.productSimilarity(e.descriptor)) }
            }
            if let o = other, o.sim >= parameters.consistency, o.sim - partial >= margin {
                return AppearanceAssessment(verdict: .suspicious, seenLike: o.sku, similaritySeen: o.sim)
            }
            return AppearanceAssessment(verdict: .noModel)
        }
        let s = score(seen, m, excluding: nil)
        var result = AppearanceAssessment(verdict: .normal, similarityScanned: s)
        if let o = other, o.sim > s { result.seenLike = o.sku; result.similaritySeen = o.sim }

        var confidence = 0.0
        // Another product matches clearly better, and the scanned one does not
        // look as it usually does (look-alikes of a well-known product pass).
        let looksUsual = m.usual.map { s >= $0.mean - 2 * $0.sd } ?? false
        if let o = other, o.sim - s >= margin, margin > 0 || o.sim > s {
            if looksUsual {
                result.verdict = .suspicious
            } else {
                let excess = (o.sim - s) / max(margin, 0.01)
                confidence = max(confidence, min(0.95, 0.45 + 0.25 * excess))
            }
        }
        // Far below the product's own usual spread, whatever else it resembles.
        if let u = m.usual {
            let needed = max(parameters.spreadFactor * u.sd, parameters.spreadMarginFactor * margin, 0.05)
            let gap = u.mean - s
            if gap >= needed {
                confidence = max(confidence, min(0.95, 0.45 + 0.25 * gap / needed))
            } else if gap >= max(2 * u.sd, margin) && result.verdict == .normal {
                result.verdict = .suspicious
            }
        }
        if confidence > 0 {
            result.verdict = .wrong
            result.confidence = confidence
        }
        return result
    }

    /// Learns `d` as how `sku` looks (call only for normal single-item, single-scan passes).
    public mutating func learn(_ d: AppearanceDescriptor, sku: String) {
        guard d.pixelCount >= parameters.minPixels else { return }
        add(Exemplar(descriptor: d, weight: 1, loaded: false, serial: nextSerial()), to: sku)
    }

    private mutating func nextSerial() -> Int { serial += 1; return serial }

    private mutating func add(_ e: Exemplar, to sku: String) {
        models[sku, default: Model()].exemplars.append(e)
        refresh(sku)
        while let m = models[sku], m.exemplars.count > max(1, parameters.maxExemplars) {
            // Outliers first, then what came from a file, then the oldest.
            let victim = m.exemplars.indices.min { a, b in
                let ka = (m.isolated.contains(a) ? 0 : 1, m.exemplars[a].loaded ? 0 : 1, m.exemplars[a].serial)
                let kb = (m.isolated.contains(b) ? 0 : 1, m.exemplars[b].loaded ? 0 : 1, m.exemplars[b].serial)
                return ka < kb
            }!
            models[sku]!.exemplars.remove(at: victim)
            refresh(sku)
        }
    }

    /// Recomputes the consensus of one SKU: the exemplar agreed with by the most
    /// weight (references count too) anchors it; its agreeing exemplars are the model.
    private mutating func refresh(_ sku: String) {
        guard var m = models[sku] else { return }
        let ex = m.exemplars
        let n = ex.count
        var sim = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let s = ex[i].descriptor.productSimilarity(ex[j].descriptor)
                sim[i * n + j] = s; sim[j * n + i] = s
            }
        }
        var support = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<n where j != i && sim[i * n + j] >= parameters.consistency { support[i] += ex[j].weight }
            if m.references.contains(where: { ex[i].descriptor.productSimilarity($0) >= parameters.consistency }) {
                support[i] += 1
            }
        }
        m.isolated = Set((0..<n).filter { support[$0] == 0 })
        m.inliers = []
        m.usual = nil
        let anchor = (0..<n).max { a, b in
            (support[a], ex[a].weight, ex[a].serial) < (support[b], ex[b].weight, ex[b].serial)
        }
        if let a = anchor, support[a] > 0 {
            m.inliers = (0..<n).filter { $0 == a || sim[a * n + $0] >= parameters.consistency }
        }
        let weight = m.inliers.reduce(0) { $0 + ex[$1].weight }
        if weight >= parameters.establishedWeight, m.inliers.count >= 4 {
            var sum = 0.0, sumSq = 0.0, w = 0.0
            for i in m.inliers {
                let s = score(ex[i].descriptor, m, excluding: i, learnedAlways: true)
                sum += s * ex[i].weight; sumSq += s * s * ex[i].weight; w += ex[i].weight
            }
            let mean = sum / w
            m.usual = (mean, max(0, sumSq / w - mean * mean).squareRoot())
        }
        models[sku] = m
        if m.references.isEmpty && m.exemplars.isEmpty { models[sku] = nil }
    }

    // MARK: Persistence

    static let format = "lanesight-appearance/2"

    private struct FileExemplar: Codable {
        var pixels: Int
        /// Non-zero bins and their mass: most of a colour histogram is empty.
        var bins: [Int]
        var mass: [Float]
    }

    private struct File: Codable {
        var format: String
        var binCount: Int
        var skus: [String: [FileExemplar]]
        enum CodingKeys: String, CodingKey {
            case format
            case binCount = "bin_count"
            case skus
        }
    }

    /// Writes the learned exemplars (not the catalog references) as JSON, atomically.
    public func save(to url: URL) throws {
        var skus: [String: [FileExemplar]] = [:]
        for (sku, m) in models where !m.exemplars.isEmpty {
            skus[sku] = m.exemplars.sorted { $0.serial < $1.serial }.map { e in
                var bins: [Int] = [], mass: [Float] = []
                for (i, v) in e.descriptor.histogram.enumerated() where v > 0 { bins.append(i); mass.append(v) }
                return FileExemplar(pixels: e.descriptor.pixelCount, bins: bins, mass: mass)
            }
        }
        try StateFile.write(File(format: Self.format, binCount: AppearanceDescriptor.binCount, skus: skus),
                            to: url, what: "appearance memory")
    }

    /// A memory with these catalog references and the exemplars saved at `url`.
    public static func load(from url: URL, references: [String: [AppearanceDescriptor]] = [:],
                            parameters: Parameters = Parameters()) throws -> AppearanceMemory {
        var m = AppearanceMemory(references: references, parameters: parameters)
        try m.load(from: url)
        return m
    }

    /// Adds the exemplars saved by `save(to:)` to this memory, at the loaded
    /// weight. Errors name the file and the field.
    public mutating func load(from url: URL) throws {
        let name = url.path
        let file = try StateFile.read(File.self, from: url, what: "appearance memory")
        guard file.format == Self.format else {
            throw InputError(file: name, line: 0, field: "format", message: "expected \"\(Self.format)\", found \"\(file.format)\"")
        }
        guard file.binCount == AppearanceDescriptor.binCount else {
            throw InputError(file: name, line: 0, field: "bin_count",
                             message: "written for \(file.binCount)-bin descriptors, this build uses \(AppearanceDescriptor.binCount)")
        }
        // Validate everything before changing anything.
        var loaded: [(String, AppearanceDescriptor)] = []
        for sku in file.skus.keys.sorted() {
            for (k, e) in file.skus[sku]!.enumerated() {
                let field = "skus.\(sku)[\(k)]"
                guard e.bins.count == e.mass.count else {
                    throw InputError(file: name, line: 0, field: field, message: "bins and mass differ in length (\(e.bins.count) vs \(e.mass.count))")
                }
                var h = [Float](repeating: 0, count: AppearanceDescriptor.binCount)
                for (b, v) in zip(e.bins, e.mass) {
                    guard (0..<AppearanceDescriptor.binCount).contains(b) else {
                        throw InputError(file: name, line: 0, field: field + ".bins", message: "bin \(b) is outside 0..<\(AppearanceDescriptor.binCount)")
                    }
                    guard v.isFinite, v >= 0 else {
                        throw InputError(file: name, line: 0, field: field + ".mass", message: "mass \(v) must be a finite number ≥ 0")
                    }
                    h[b] += v
                }
                let total = h.reduce(0, +)
                guard total > 0 else {
                    throw InputError(file: name, line: 0, field: field, message: "an empty histogram")
                }
                loaded.append((sku, AppearanceDescriptor(histogram: h.map { $0 / total }, pixelCount: max(0, e.pixels))))
            }
        }
        for (sku, d) in loaded {
            add(Exemplar(descriptor: d, weight: parameters.loadedWeight, loaded: true, serial: nextSerial()), to: sku)
        }
    }
}
