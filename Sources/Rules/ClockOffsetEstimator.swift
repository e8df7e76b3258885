import Contract
import Foundation

/// Estimates the constant offset between the clocks: POS time = camera time + offset.
///
/// One scan next to one pass says little (scans jitter about a second around
/// the crossing and passes come every few seconds), so the estimate is a vote
/// of every recent scan: for each candidate offset, each scan scores how close
/// it lands to its nearest pass crossing (a robust, log-mixture score, so a
/// scan with no pass nearby just scores nothing). The best candidate is then
/// refined: to the mean residual of its inliers, then, with scans paired one to
/// one with crossings, to the middle of the offsets that keep the most pairs
/// within the jitter bound (docs/rules.md). It is trusted once enough scans
/// support it and it beats every offset a second or more away by a clear margin
/// (periodic passes make aliases one period away; those stay untrusted).
public struct ClockOffsetEstimator: Sendable {
    public struct Estimate: Sendable, Equatable {
        /// POS clock − camera clock, seconds.
        public var offset: Double
        /// Scans within a second of a pass crossing at this offset.
        public var support: Int
        /// 0…1: how clearly this offset beats the alternatives.
        public var confidence: Double
        /// Good enough to decide passes on.
        public var trusted: Bool
        /// Given by the settings rather than estimated.
        public var fixed: Bool
        /// The best-scoring offset a second or more away (an alias when passes
        /// come at a steady pace); nil when there is none.
        public var rival: Double?

        public init(offset: Double, support: Int, confidence: Double, trusted: Bool, fixed: Bool, rival: Double? = nil) {
            self.offset = offset; self.support = support; self.confidence = confidence
            self.trusted = trusted; self.fixed = fixed; self.rival = rival
        }
    }

    public struct Parameters: Sendable, Equatable {
        /// Recent pass crossings and scans kept (each); older ones are forgotten.
        public var capacity = 400
        /// Inlier scans needed before the estimate is trusted.
        public var minSupport = 10
        /// Log-score margin over the best offset ≥ 1 s away needed for trust.
        public var minMargin = 5.0
        /// Spread of scans around the crossing assumed by the score, seconds.
        public var jitter = 0.6
        /// How far a scan may stray from its crossing, for the final refinement.
        public var jitterBound = 1.0
        /// Grid step of the coarse search, seconds.
        public var step = 0.05
        /// After trust, recompute only every this many new samples.
        public var refreshEvery = 25
        public init() {}
    }

    public let maxOffset: Double
    public let fixedOffset: Double?
    public let parameters: Parameters
    /// Camera-clock reference times of recent over-scanner passes (confident
    /// item passes, and scanning motions seen from the hand alone), ascending.
    private var passes: [Double] = []
    /// POS-clock times of recent item lines, ascending.
    private var scans: [Double] = []
    private var cached: Estimate
    private var newSamples = 0
    private var dirty = false

    public init(settings: RuleSettings, parameters: Parameters = Parameters()) {
        maxOffset = max(0, settings.clockOffsetMax)
        fixedOffset = settings.clockOffset
        self.parameters = parameters
        if let f = settings.clockOffset {
            cached = Estimate(offset: f, support: 0, confidence: 1, trusted: true, fixed: true)
        } else {
            cached = Estimate(offset: 0, support: 0, confidence: 0, trusted: false, fixed: false)
        }
    }

    /// Samples held now (passes + scans); bounded by twice the capacity.
    public var sampleCount: Int { passes.count + scans.count }

    /// A pass's scan-zone crossing (camera clock).
    public mutating func addPass(reference: Double) {
        guard fixedOffset == nil, reference.isFinite else { return }
        Self.insertSorted(&passes, reference, capacity: parameters.capacity)
        newSamples += 1
        dirty = true
    }

    /// An item line's time (POS clock).
    public mutating func addScan(posTime: Double) {
        guard fixedOffset == nil, posTime.isFinite else { return }
        Self.insertSorted(&scans, posTime, capacity: parameters.capacity)
        newSamples += 1
        dirty = true
    }

    /// Forgets a crossing added earlier (a hand's motion that turned out to
    /// be an item pass's carry: the item votes for it instead).
    public mutating func removePass(reference: Double) {
        guard let k = passes.firstIndex(of: reference) else { return }
        passes.remove(at: k)
        dirty = true
    }

    /// Keeps the array sorted and drops the oldest value beyond capacity.
    /// Values almost always arrive in order, so the insert is at the end.
    private static func insertSorted(_ a: inout [Double], _ v: Double, capacity: Int) {
        var i = a.count
        while i > 0, a[i - 1] > v { i -= 1 }
        a.insert(v, at: i)
        if a.count > max(1, capacity) { a.removeFirst(a.count - max(1, capacity)) }
    }

    /// The last computed estimate, without recomputing.
    public var current: Estimate { cached }

    /// The estimate, recomputed when new data makes it worth it (always when
    /// not yet trusted, or when `force`). Only scans up to `scansUntil` (POS
    /// clock) take part: the POS journal runs ahead of the video, and a scan
    /// whose crossing the camera has not reported yet would vote for whatever
    /// offset pairs it with an earlier pass.
    public mutating func estimate(force: Bool = false, scansUntil: Double = .infinity) -> Estimate {
        guard fixedOffset == nil else { return cached }
        if dirty, force || !cached.trusted || newSamples >= parameters.refreshEvery {
            cached = compute(scans: Array(scans.prefix { $0 <= scansUntil }))
            newSamples = 0
            dirty = false
        }
        return cached
    }

    /// Per-scan score at offset `c`: log(1 + Σ kernel/ε) over the nearest
    /// crossings, so it is 0 far from any pass and saturates when on one.
    private func score(_ c: Double, scans: [Double]) -> (total: Double, inliers: Int) {
        let twoVar = 2 * parameters.jitter * parameters.jitter
        let eps = 0.1
        var total = 0.0, inliers = 0
        var j = 0
        for s in scans {
            let t = s - c
            while j < passes.count, passes[j] < t { j += 1 }
            var k = 0.0
            var nearest = Double.infinity
            if j < passes.count { let d = passes[j] - t; k += exp(-d * d / twoVar); nearest = min(nearest, d) }
            if j > 0 { let d = t - passes[j - 1]; k += exp(-d * d / twoVar); nearest = min(nearest, d) }
            if j + 1 < passes.count { let d = passes[j + 1] - t; k += exp(-d * d / twoVar) }
            total += log(1 + k / eps)
            if nearest <= 1.0 { inliers += 1 }
        }
        return (total, inliers)
    }

    private func compute(scans: [Double]) -> Estimate {
        guard !passes.isEmpty, !scans.isEmpty else {
            return Estimate(offset: cached.offset, support: 0, confidence: 0, trusted: false, fixed: false)
        }
        let steps = max(1, Int((2 * maxOffset / parameters.step).rounded()))
        var grid: [(c: Double, s: Double)] = []
        grid.reserveCapacity(steps + 1)
        for i in 0...steps {
            let c = -maxOffset + Double(i) * (2 * maxOffset) / Double(steps)
            grid.append((c, score(c, scans: scans).total))
        }
        // Ties go to the offset nearest zero, the likelier a priori.
        var best = grid[0]
        for g in grid where g.s > best.s || (g.s == best.s && abs(g.c) < abs(best.c)) { best = g }
        var rival = 0.0
        for g in grid where abs(g.c - best.c) >= 1.0 { rival = max(rival, g.s) }
        // The best peak a second or more away: an alias, not the slope of the best one.
        var rivalOffset: Double?
        var rivalPeak = 0.0
        for i in grid.indices where abs(grid[i].c - best.c) >= 1.0 && grid[i].s > rivalPeak
            && (i == 0 || grid[i - 1].s <= grid[i].s) && (i == grid.count - 1 || grid[i + 1].s <= grid[i].s) {
            rivalPeak = grid[i].s
            rivalOffset = grid[i].c
        }
        let margin = best.s - rival

        // Refine: mean residual of the scans near a crossing, a few rounds.
        var c = best.c
        for _ in 0..<4 {
            var sum = 0.0, n = 0
            var j = 0
            for s in scans {
                let t = s - c
                while j < passes.count, passes[j] < t { j += 1 }
                var r = Double.infinity
                if j < passes.count { r = t - passes[j] }
                if j > 0, abs(t - passes[j - 1]) < abs(r) { r = t - passes[j - 1] }
                if abs(r) <= 1.25 { sum += r; n += 1 }
            }
            guard n > 0 else { break }
            let next = min(maxOffset, max(-maxOffset, c + sum / Double(n)))
            if abs(next - c) < 1e-4 { c = next; break }
            c = next
        }
        // Then the middle of the offsets that keep the most scans within the
        // jitter bound of their crossing: with bounded jitter this pins the
        // offset far tighter than the mean (the error shrinks like 1/n, not
        // 1/√n). Scans are first paired one-to-one with crossings, so a scan
        // cannot borrow a neighbour's crossing to stretch the range.
        let pairing = PassScanMatcher(window: 1.5, aroundPenalty: 0).assign(
            passes: passes.map { PassScanMatcher.Candidate(interval: $0...$0, reference: $0, capacity: 1) },
            unitTimes: scans.map { $0 - c })
        var implied: [Double] = []
        for (k, a) in pairing.enumerated() { if let a { implied.append(scans[k] - passes[a]) } }
        implied.sort()
        let bound = parameters.jitterBound
        var most = 0
        var choice: Double? = nil
        var hiIndex = 0
        for lo in implied.indices {
            hiIndex = max(hiIndex, lo)
            while hiIndex + 1 < implied.count, implied[hiIndex + 1] - implied[lo] <= 2 * bound { hiIndex += 1 }
            let n = hiIndex - lo + 1
            let mid = (implied[lo] + implied[hiIndex]) / 2
            if n > most || (n == most && abs(mid - c) < abs(choice! - c)) { most = n; choice = mid }
        }
        if let choice { c = min(maxOffset, max(-maxOffset, choice)) }
        let support = score(c, scans: scans).inliers
        let confidence = max(0, min(1, 1 - exp(-margin / parameters.minMargin)))
        let trusted = support >= parameters.minSupport && margin >= parameters.minMargin
        return Estimate(offset: c, support: support, confidence: confidence, trusted: trusted, fixed: false, rival: rivalOffset)
    }
}
