import Contract
import Vision

/// Assigns registrations (scan units, already on the camera clock) to passes.
///
/// The assignment keeps order (passes are sequential, so a later scan never goes
/// to an earlier pass than an earlier scan did), matches as many units as
/// possible, and among those minimises the total time distance. It is solved
/// exactly by dynamic programming over (unit, current pass, units taken by it),
/// so a dense run of passes cannot make a later pass steal a scan that a closer
/// pass needs.
public struct PassScanMatcher: Sendable {
    /// One pass as the matcher sees it.
    public struct Candidate: Sendable, Hashable {
        /// Where a matching scan is expected (before the window is added).
        public var interval: ClosedRange<Double>
        /// Passes are ordered by this; also the tie-breaker inside the interval.
        public var reference: Double
        /// How many units the pass may absorb.
        public var capacity: Int
        /// Went around the scanner: a scan is less likely to belong to it.
        public var around: Bool

        public init(interval: ClosedRange<Double>, reference: Double, capacity: Int, around: Bool = false) {
            self.interval = interval; self.reference = reference
            self.capacity = max(0, capacity); self.around = around
        }

        /// Room for as many scans as items seen: two when two hands reach the
        /// item or the learned counter counts two (a pair carried together and
        /// both scanned must not leave its second scan unclaimed).
        public init(pass: PassObservation, maxCapacity: Int = PassScanMatcher.maxCapacity) {
            let two = pass.twoHanded || pass.learnedTwo
            self.init(interval: pass.matchInterval, reference: pass.referenceTime,
                      capacity: min(maxCapacity, max(two ? 2 : 1, pass.itemCount)), around: pass.path == .aroundScanner)
        }
    }

    /// Seconds either side of a pass's interval in which a unit may match it.
    public var window: Double
    /// Extra cost (seconds) of giving a unit to a pass that went around the
    /// scanner, so an over-scanner neighbour wins a tie.
    public var aroundPenalty: Double
    /// Extra cost of a pass's second and later units: when a scan could be a
    /// multi-item pass's second or its neighbour's first, the neighbour is likelier.
    public var extraUnitPenalty: Double
    /// No pass absorbs more units than this, however many items were counted.
    public static let maxCapacity = 12
    /// Units of one POS line are capped too: a quantity of 500 is one bulk item, not 500 scans.
    public static let maxUnitsPerLine = 12

    public init(window: Double, aroundPenalty: Double? = nil, extraUnitPenalty: Double? = nil) {
        self.window = window
        self.aroundPenalty = aroundPenalty ?? window / 2
        self.extraUnitPenalty = extraUnitPenalty ?? window / 4
    }

    /// How many registrations a POS item line stands for: its quantity when that
    /// is a whole number ≥ 1 (a quantity of 3 is three scans), otherwise one
    /// (a weighed 0.532 kg is one item).
    public static func units(of event: POSEvent) -> Int {
        guard let q = event.quantity, q.isFinite, q >= 1, q.rounded() == q else { return 1 }
        return min(maxUnitsPerLine, Int(q))
    }

    /// Distance from `t` to the interval (0 inside it).
    @inline(__always)
    static func gap(_ t: Double, _ r: ClosedRange<Double>) -> Double {
        t < r.lowerBound ? r.lowerBound - t : (t > r.upperBound ? t - r.upperBound : 0)
    }

    public func feasible(_ t: Double, _ p: Candidate) -> Bool {
        p.capacity > 0 && t >= p.interval.lowerBound - window && t <= p.interval.upperBound + window
    }

    /// What a match costs, in seconds: distance outside the interval, plus a
    /// little of the distance to the reference so the nearer pass wins when
    /// both intervals contain the unit.
    public func cost(_ t: Double, _ p: Candidate) -> Double {
        // The stand-in for later passes: a pass that may not exist is the less likely owner.
        if p.reference == .infinity { return 2 * Self.gap(t, p.interval) }
        return Self.gap(t, p.interval) + 0.25 * abs(t - p.reference) + (p.around ? aroundPenalty : 0)
    }

    /// For each unit time (camera clock, any order), the index in `passes` of the
    /// pass it goes to, or nil. `passes` may be in any order; order is by `reference`.
    ///
    /// `laterPassesFrom`: the earliest crossing a pass not given here (not seen
    /// yet, or left out) could have. Units that could be such a pass's are then
    /// weighed against it as against any other pass, so the last passes given
    /// do not take scans that are likely a later pass's (the rest shifting to
    /// make room), and come back nil.
    public func assign(passes given: [Candidate], unitTimes: [Double], laterPassesFrom horizon: Double? = nil) -> [Int?] {
        var passes = given
        if let horizon, !unitTimes.isEmpty {
            passes.append(Candidate(interval: horizon...Double.infinity, reference: .infinity,
                                    capacity: min(unitTimes.count, 64)))
        }
        var result = [Int?](repeating: nil, count: unitTimes.count)
        guard !passes.isEmpty, !unitTimes.isEmpty else { return result }
        let pOrder = passes.indices.sorted { (passes[$0].reference, $0) < (passes[$1].reference, $1) }
        let uOrder = unitTimes.indices.sorted { (unitTimes[$0], $0) < (unitTimes[$1], $1) }
        // Independent groups: a run of passes whose widened intervals chain
        // together, with the units inside; keeps each DP small.
        // A long pass may start before an earlier-ordered one ends, so a group
        // only closes when no later pass reaches back into it.
        var suffixLow = [Double](repeating: .infinity, count: pOrder.count + 1)
        for n in stride(from: pOrder.count - 1, through: 0, by: -1) {
            suffixLow[n] = min(suffixLow[n + 1], passes[pOrder[n]].interval.lowerBound - window)
        }
        var groupStart = 0
        var reach = passes[pOrder[0]].interval.upperBound + window
        var groups: [Range<Int>] = []
        for (n, pi) in pOrder.enumerated().dropFirst() {
            if suffixLow[n] > reach {
                groups.append(groupStart..<n)
                groupStart = n
                reach = passes[pi].interval.upperBound + window
            } else {
                reach = max(reach, passes[pi].interval.upperBound + window)
            }
        }
        groups.append(groupStart..<pOrder.count)

        var uCursor = 0
        for g in groups {
            let gp = Array(pOrder[g])
            let lo = gp.map { passes[$0].interval.lowerBound - window }.min()!
            let hi = gp.map { passes[$0].interval.upperBound + window }.max()!
            while uCursor < uOrder.count, unitTimes[uOrder[uCursor]] < lo { uCursor += 1 }
            var gu: [Int] = []
            var c = uCursor
            while c < uOrder.count, unitTimes[uOrder[c]] <= hi { gu.append(uOrder[c]); c += 1 }
            uCursor = c
            guard !gu.isEmpty else { continue }
            let local = solve(passes: gp.map { passes[$0] }, times: gu.map { unitTimes[$0] })
            for (k, a) in local.enumerated() {
                if let a, gp[a] < given.count { result[gu[k]] = gp[a] }
            }
        }
        return result
    }

    /// The exact order-keeping assignment for passes sorted by reference and
    /// unit times sorted ascending. State (i, j, k): i units handled, pass j is
    /// the one that may still take units, and it holds k of them.
    func solve(passes: [Candidate], times: [Double]) -> [Int?] {
        let n = passes.count, m = times.count
        var base = [Int](repeating: 0, count: n + 2)
        for j in 0..<n { base[j + 1] = base[j] + passes[j].capacity + 1 }
        base[n + 1] = base[n] + 1  // the "past every pass" state
        let width = base[n + 1]
        // A match is worth far more than any total of distances, so the count
        // comes first and distance only breaks ties.
        let reward = 1e6
        let none = -Double.infinity
        var score = [Double](repeating: none, count: (m + 1) * width)
        var back = [Int32](repeating: -1, count: (m + 1) * width)

        func advanceRow(_ i: Int) {
            let row = i * width
            for j in 0..<n {
                for k in 0...passes[j].capacity {
                    let s = score[row + base[j] + k]
                    guard s > none else { continue }
                    let to = row + base[j + 1]
                    if s > score[to] { score[to] = s; back[to] = Int32(row + base[j] + k) }
                }
            }
        }

        score[0] = 0
        advanceRow(0)
        for i in 1...m {
            let prev = (i - 1) * width, row = i * width
            let t = times[i - 1]
            for j in 0...n {
                let cap = j < n ? passes[j].capacity : 0
                let ok = j < n && feasible(t, passes[j])
                let gain = ok ? reward - cost(t, passes[j]) : 0
                for k in 0...cap {
                    let s = score[prev + base[j] + k]
                    guard s > none else { continue }
                    let stay = row + base[j] + k
                    if s > score[stay] { score[stay] = s; back[stay] = Int32(prev + base[j] + k) }
                    if ok, k < cap {
                        let take = row + base[j] + k + 1
                        let g = k == 0 || passes[j].reference == .infinity ? gain : gain - extraUnitPenalty
                        if s + g > score[take] { score[take] = s + g; back[take] = Int32(prev + base[j] + k) }
                    }
                }
            }
            advanceRow(i)
        }

        var best = m * width
        for s in (m * width)..<((m + 1) * width) where score[s] > score[best] { best = s }
        var result = [Int?](repeating: nil, count: m)
        var cur = best
        while cur > 0 {
            let p = Int(back[cur])
            guard p >= 0 else { break }
            let (ci, cs) = cur.quotientAndRemainder(dividingBy: width)
            let (pi, ps) = p.quotientAndRemainder(dividingBy: width)
            if pi == ci - 1, cs == ps + 1 {
                // Took unit ci-1; find which pass owns slot cs.
                var j = 0
                while base[j + 1] <= cs { j += 1 }
                result[ci - 1] = j
            }
            cur = p
        }
        return result
    }
}
