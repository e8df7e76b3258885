import Contract
import Foundation
import Vision

/// One exception the rules found. Times are on the camera clock.
public struct Decision: Sendable, Hashable {
    public var type: IncidentType
    public var start: Double
    public var end: Double
    /// 0…1.
    public var confidence: Double
    public var transaction: String?
    public var details: IncidentDetails
    /// The pass it is about (nil for occlusions).
    public var passID: Int?
    /// The blocked interval (occlusions only).
    public var obstruction: Obstruction?

    public init(type: IncidentType, start: Double, end: Double, confidence: Double, transaction: String?,
                details: IncidentDetails, passID: Int? = nil, obstruction: Obstruction? = nil) {
        self.type = type; self.start = start; self.end = end; self.confidence = confidence
        self.transaction = transaction; self.details = details; self.passID = passID; self.obstruction = obstruction
    }
}

/// How one pass was decided, for the pass log (`analyze --pass-log`).
public struct PassOutcome: Sendable, Hashable {
    public var pass: PassObservation
    /// SKUs matched to it.
    public var scanned: [String]
    /// POS-clock times of the matched registrations.
    public var scanTimes: [Double]
    /// `normal`, `empty_hand`, `unverifiable`, `below_confidence`, or an incident type.
    public var verdict: String
    public var similarityScanned: Double?
    /// For an unscanned pass: how much the item looked like the closest known product.
    public var similarityBest: Double?
    /// What decided the item count (`single`, `blobs`, `appearance`, `size`).
    public var countReason: String?
    /// The incident's confidence, also when it fell below the floor.
    public var confidence: Double?
}

/// What the rules saw, for the run summary.
public struct RuleCounters: Sendable, Equatable {
    public var passesSeen = 0
    /// Passes joined to an overlapping one as parts of the same carry.
    public var passesMerged = 0
    /// Passes finished with (whatever the outcome, empty hands included).
    public var passesDecided = 0
    /// Decided passes that got at least one registration.
    public var passesMatched = 0
    /// Decided passes below `minItemConfidence`: ignored.
    public var passesEmptyHand = 0
    /// Decided passes that overlapped an occlusion: no pass-level incident.
    public var passesUnverifiable = 0
    /// POS item lines.
    public var scansSeen = 0
    /// Item lines with at least one unit given to a pass.
    public var scansMatched = 0
    /// Item lines given to no pass by the time they were forgotten (normal by themselves).
    public var scansUnmatched = 0
    public var obstructionsSeen = 0
    /// Decisions dropped for falling below `minConfidence`.
    public var decisionsBelowConfidence = 0
    /// The POS − camera offset in use, seconds.
    public var clockOffset = 0.0
    public var clockOffsetSupport = 0
    public var clockOffsetTrusted = false
    public init() {}
}

/// Tuning that is not part of the lane's rule settings.
public struct RuleEngineOptions: Sendable, Equatable {
    /// Extra wait after a pass's window closes before deciding it, seconds.
    public var decisionMargin = 0.5
    /// Keep every pass's outcome for `takeOutcomes()` (the pass log).
    public var keepOutcomes = false
    /// An item showing less than this share of the frame is mostly hidden: its
    /// few pixels are often the hand's rim or shadow, so its look is judged on
    /// `smallItemMarginFactor` times the wrong-scan margin, and never learned.
    public var minJudgedItemArea = 0.0015
    /// Not judging such items at all missed switches; judging them on the plain
    /// margin found 4 more on 30 sessions of both renderers and raised 4 false
    /// ones (small normal items looking like nothing they were). On twice the
    /// margin: 39 sessions +5 found, no false one more; 18 unseen +2, none more.
    public var smallItemMarginFactor = 2.0
    /// A hidden item's look, read in the bag it was left in, is judged on this
    /// times the margin: the bag shows more than the item (the items under it,
    /// its folds; for two items carried as one, both). On the plain margin, over
    /// 84 sessions of both renderers, such looks made 11 true `wrong_scan`s, 4
    /// false ones and 5 on pairs; on 1.5 times it 9, none and 1. On 12 foreign
    /// sessions rendered afterwards to check it: 3 false alerts fewer and 3
    /// true switches lost (all 3 in two sessions that repeat tuning scenes at
    /// 720p; docs/rules.md).
    public var hiddenLookMarginFactor = 1.5
    /// How late a POS event may reach the engine: camera-clock seconds after
    /// the moment it registers (its POS time minus the offset). Passes wait
    /// this long past their window. Nil: `clockOffsetMax + scanWindow`, which
    /// also covers a caller that interleaves POS events by their raw stamps.
    public var posLatency: Double? = nil
    /// A pass is decided at the latest this long after it ends, trusted offset or not.
    public var lookBack = 45.0
    /// An obstruction is final once nothing has extended it for this long.
    public var obstructionSettle = 1.0
    /// A pass entering the scanner while it was blocked, or this soon after,
    /// is the cover being lifted off it: not verifiable.
    public var coverLiftSeconds = 0.5
    /// How long carrying an item from the pickup zone to bagging around the
    /// scanner plausibly takes (on our and the foreign renders 0.5–0.8 s)…
    public var aroundCarrySeconds = 0.2...2.0
    /// …and how much less sure a missed scan is outside that.
    public var implausibleCarryFactor = 0.5
    /// A blocked view and a blocked scanner this close in time are one occlusion.
    public var obstructionJoin = 0.5
    /// Later passes included when matching the ones being decided.
    public var contextPasses = 6
    /// The closest two passes' crossings come; where a pass not seen yet may cross at the earliest.
    public var minPassSpacing = 1.5
    /// At most how long after its crossing a pass is reported (ingested).
    public var passReportDelay = 4.0
    /// At most this many passes are decided per matching round (bounds the work).
    public var chunk = 64
    /// Seconds over the scanner that make a full scanning motion, until the
    /// lane's own pace is known (`RuleEngine.presentation`); a `fake_scan` with a
    /// shorter crossing is less sure, down to none at `sweepSeconds`. About the
    /// shortest time a scanned item spends there: on 39 sessions of both
    /// renderers 95 % of normal scanned passes took 0.84 s or more (ours 1.13 s),
    /// every true `fake_scan` found 0.87 s or more, and the false ones
    /// 0.33–0.93 s (an empty hand sweeping across, or the edge of a normal pass).
    /// Until 2026-12-04 (evening) the factor went linearly from 0.4 at none to 1
    /// at 1.0 s; from 0 at 0.3 s to 1 at 0.9 s it took 2 false alerts off 39
    /// sessions with the offset estimated, 5 with it known, and lost none.
    public var presentSeconds = 0.9
    public var sweepSeconds = 0.3
    /// An unscanned carry while the POS had no transaction open is this much less sure.
    public var outsideSaleFactor = 0.5
    /// A hand over the scanner when the POS started or ended a sale (within
    /// `saleBoundarySlack` seconds of its crossing) is more likely reaching
    /// across to the screen (start, pay) than presenting an item: a `fake_scan`
    /// then is this much less sure. On 49 sessions of both renderers three
    /// false ones had a sale start or end inside their crossing; the true ones
    /// were 2.0 s or more from one. (Not voids: true ones came 0.4 s after one.)
    public var saleBoundaryFactor = 0.5
    public var saleBoundarySlack = 1.0
    /// Learn appearance only from passes at least this sure they carried an item.
    public var learnMinItemConfidence = 0.7
    /// Before the clock offset is trusted a pass is learned from (its look, its
    /// size) only when it looks at least this much like the scanned product as
    /// known (its catalog picture, or its established learned look): that
    /// vouches for the pairing the offset cannot yet. Without it a 3-minute session, which seldom reaches trust, learns
    /// no product's size and never tells two of a product from one.
    public var learnUntrustedSimilarity = 0.8
    /// Two item passes on the same path that overlap in time, or cross the
    /// scanner within this many seconds of each other, are one carry the
    /// tracker lost and found again: they are merged, or the fragment without
    /// the scan would alert.
    public var fragmentGap = 0.3
    /// A carry taken around the scanner that reaches the bag this long after
    /// a hand seen presenting something there is that carry, seen late (the
    /// vision's `companionLag` for tracks beside a scanned one).
    public var handCompanionLag = 1.5
    public var estimator = ClockOffsetEstimator.Parameters()
    public init() {}
}

/// The exception decisions of one lane, streaming: feed passes, obstructions
/// and POS events as they come, call `advance(to:)` with the camera time, and
/// `finish()` at the end. Not thread-safe; the caller owns it.
public struct RuleEngine: Sendable {
    public let settings: RuleSettings
    public let options: RuleEngineOptions
    /// What wrong-scan checks judge by; grows with normal scans. Save it after a run.
    public var memory: AppearanceMemory
    /// Item counts from blobs, appearance and size.
    public var counter: ItemCounter
    public private(set) var counters = RuleCounters()

    private var estimator: ClockOffsetEstimator
    /// SKU or barcode → the catalog's SKU.
    private let canonicalSKU: [String: String]

    private var now = -Double.infinity
    /// Undecided passes, by reference time.
    private var pending: [PassObservation] = []
    private var outcomes: [PassOutcome] = []

    /// Ids of passes decided, or merged into another, since the last call:
    /// nothing more will come of them, so what is kept for them can go (the
    /// decisions' own passes are in the decisions).
    /// At most `finishedPassCap` are held (the older half goes when it fills),
    /// so an engine whose caller never asks stays bounded; the analyzer asks every frame.
    public mutating func takeFinishedPassIDs() -> [Int] {
        defer { finishedPassIDs.removeAll(keepingCapacity: true) }
        return finishedPassIDs
    }
    private var finishedPassIDs: [Int] = [] {
        didSet { if finishedPassIDs.count > Self.finishedPassCap { finishedPassIDs.removeFirst(finishedPassIDs.count / 2) } }
    }
    static let finishedPassCap = 4096

    /// Outcomes decided since the last call (only with `options.keepOutcomes`).
    public mutating func takeOutcomes() -> [PassOutcome] {
        defer { outcomes.removeAll(keepingCapacity: true) }
        return outcomes
    }
    private var lines: [ScanLine] = []
    private var nextLineSerial = 0
    private var obstructions: [HeldObstruction] = []
    private var transactions: [TransactionSpan] = []
    private var recentItems: [(posTime: Double, transaction: String)] = []
    private var seenIDs: Set<String> = []
    private var seenIDOrder: [String] = []
    /// Scan-zone times of recent passes with one registration (the lane's pace).
    private var scannedDwells: [Double] = []
    static let paceSamples = 40

    /// Seconds over the scanner that make a full presentation, and at or under
    /// which a crossing is a sweep: `presentSeconds` and `sweepSeconds` until
    /// the lane's pace is known, then its scanned items' 10th percentile (a
    /// quick scanner's items take half a second: a crossing that short is still
    /// a presentation on that lane), never longer than `presentSeconds`.
    var presentation: (full: Double, sweep: Double) {
        let o = options
        guard scannedDwells.count >= Self.paceMinimum else { return (o.presentSeconds, o.sweepSeconds) }
        let sorted = scannedDwells.sorted()
        let full = min(o.presentSeconds, max(Self.fastestPresentation, sorted[sorted.count / 10]))
        return (full, min(o.sweepSeconds, full / 3))
    }
    static let paceMinimum = 8
    static let fastestPresentation = 0.4

    struct ScanLine: Sendable {
        var serial: Int
        var posTime: Double
        var sku: String
        var transaction: String?
        var unitsLeft: Int
        var matchedAny = false
        /// Registered by weight: the item lay on the scale over the scanner.
        var weighed = false
    }

    struct HeldObstruction: Sendable {
        var obstruction: Obstruction
        var decided = false
        /// Decided as an occlusion incident.
        var reported = false
    }

    struct TransactionSpan: Sendable {
        var id: String
        var start: Double?
        var end: Double?
    }

    static let heldTransactions = 64
    /// Seconds around an item line that count as a sale under way.
    static let saleActivity = 30.0
    static let heldIDs = 4096

    public init(settings: RuleSettings, catalog: Catalog? = nil, memory: AppearanceMemory = AppearanceMemory(),
                counter: ItemCounter = ItemCounter(), options: RuleEngineOptions = RuleEngineOptions()) {
        self.settings = settings
        self.counter = counter
        self.options = options
        self.memory = memory
        estimator = ClockOffsetEstimator(settings: settings, parameters: options.estimator)
        var map: [String: String] = [:]
        for item in catalog?.items ?? [] {
            if let b = item.barcode, map[b] == nil { map[b] = item.sku }
        }
        for item in catalog?.items ?? [] { map[item.sku] = item.sku }
        canonicalSKU = map
        counters.clockOffset = settings.clockOffset ?? 0
        counters.clockOffsetTrusted = settings.clockOffset != nil
    }

    /// The clock offset estimate in use.
    public var offsetEstimate: ClockOffsetEstimator.Estimate { estimator.current }

    /// How much is held, to check that memory stays bounded.
    public var held: (passes: Int, scanLines: Int, obstructions: Int, transactions: Int, estimatorSamples: Int) {
        (pending.count, lines.count, obstructions.count, transactions.count + recentItems.count, estimator.sampleCount)
    }

    // MARK: Input

    public mutating func ingest(pass incoming: PassObservation) {
        counters.passesSeen += 1
        var pass = incoming
        let isItem = pass.itemConfidence >= settings.minItemConfidence
        if pass.itemHidden {
            if let k = pending.firstIndex(where: { handCovers(pass, item: $0) }) {
                counters.passesMerged += 1
                let item = pending.remove(at: k)
                insertPending(Self.guided(item, by: pass))
                finishedPassIDs.append(pass.id)
                return
            }
            insertPending(pass)
            // Items gripped from above show only as the hand's motion: without
            // those, a lane that showed few items locked onto an alias one
            // pass away (docs/rules.md).
            if pass.path == .overScanner { estimator.addPass(reference: pass.referenceTime) }
            return
        }
        if isItem, let k = pending.firstIndex(where: { $0.itemHidden && handCovers($0, item: pass) }) {
            counters.passesMerged += 1
            let hand = pending.remove(at: k)
            if hand.path == .overScanner { estimator.removePass(reference: hand.referenceTime) }
            pass = Self.guided(pass, by: hand)
            finishedPassIDs.append(hand.id)
        }
        // A pass begun under a cover (the cover lifted off) is never one carry
        // with a pass that was not: the item after it is judged on its own.
        if isItem, let k = pending.lastIndex(where: {
            !$0.itemHidden && $0.itemConfidence >= settings.minItemConfidence && $0.underCover == pass.underCover
                && Self.sameCarry($0, pass, gap: options.fragmentGap)
        }) {
            counters.passesMerged += 1
            let held = pending.remove(at: k)
            let merged = Self.merge(held, pass)
            insertPending(merged)
            finishedPassIDs.append(merged.id == held.id ? pass.id : held.id)
            return
        }
        insertPending(pass)
        if isItem, pass.path == .overScanner, !pass.underCover {
            estimator.addPass(reference: pass.referenceTime)
        }
    }

    /// A scanning motion seen from the hand alone (`itemHidden`) stands in for
    /// an item nobody saw. Where an item pass is under way at the same moment,
    /// the hand was carrying that item: the item pass (with its look, size and
    /// count) decides.
    func handCovers(_ hand: PassObservation, item: PassObservation) -> Bool {
        guard !item.itemHidden, item.itemConfidence >= settings.minItemConfidence else { return false }
        if item.path == hand.path { return Self.sameCarry(hand, item, gap: options.fragmentGap) }
        // Taken around the scanner while the hand was over it or on its way to
        // the bag, or reaching the bag just after the hand did (the arm's or
        // the item's track, seen late). An item taken around before the hand
        // came onto the scanner (while it was still fetching the next item) is
        // a carry of its own.
        let from = hand.scanEnter ?? hand.start, to = hand.end + options.handCompanionLag
        let overlap = min(to, item.end) - max(from, item.start)
        return overlap > 0.5 * (item.end - item.start)
    }

    /// The item pass of a carry whose hand was seen presenting it: if the item
    /// was taken for going around the scanner (its centre beside the bed while
    /// the hand held it over it), the hand's time over the scanner stands, and
    /// what that track saw beside the bed (the arm, a corner) does not judge
    /// the product or the count. An item seen over the scanner for a moment
    /// only (a frame or two at a low frame rate) was held there as long as the hand was.
    static func guided(_ item: PassObservation, by hand: PassObservation) -> PassObservation {
        var p = item
        // The bag showed what the hand left there: the carry held an item,
        // however faintly its track saw it (a sleeve-coloured item, a rim).
        if hand.itemConfidence >= LaneVision.itemLeftConfidence { p.itemConfidence = max(p.itemConfidence, hand.itemConfidence) }
        // A hand seen going around the scanner only confirms the item's carry.
        guard hand.path == .overScanner else { return p }
        guard item.path == .aroundScanner else {
            if let d = item.dwell, d < HandWatch.minDwell, let a = hand.scanEnter, let b = hand.scanLeave,
               let e = item.scanEnter, let l = item.scanLeave {
                p.scanEnter = min(a, e)
                p.scanLeave = max(b, l)
            }
            return p
        }
        p.path = .overScanner
        p.appearance = nil
        p.itemArea = nil
        p.itemCount = 1
        p.scanEnter = hand.scanEnter
        p.scanLeave = hand.scanLeave
        p.start = min(item.start, hand.start)
        p.end = max(item.end, hand.end)
        return p
    }

    /// Parts of one carry: both crossed the scanner at about the same moment,
    /// or they were under way at the same time. (Their starts and ends alone
    /// say little: a pass starts when the hand leaves pickup, often right
    /// after the last one ended.)
    static func sameCarry(_ a: PassObservation, _ b: PassObservation, gap: Double) -> Bool {
        // One hand over the scanner while the other carries around it is the
        // classic pass-around, not one carry: never merged.
        guard a.path == b.path else { return false }
        if a.path == .overScanner {
            let x = a.matchInterval, y = b.matchInterval
            if x.lowerBound <= y.upperBound + gap && y.lowerBound <= x.upperBound + gap { return true }
        }
        let overlap = min(a.end, b.end) - max(a.start, b.start)
        return overlap > 0.5 * min(a.end - a.start, b.end - b.start)
    }

    /// One carry seen as two passes: the whole span, the scanner crossing from
    /// the first entry to the last exit, and the look and count of the better-seen part.
    static func merge(_ a: PassObservation, _ b: PassObservation) -> PassObservation {
        let seen = { (p: PassObservation) in Double(p.appearance?.pixelCount ?? 0) * p.itemConfidence }
        // The better-seen part keeps its id: its key frames show its box.
        var m = seen(b) > seen(a) ? b : a
        let other = seen(b) > seen(a) ? a : b
        m.start = min(a.start, b.start)
        m.end = max(a.end, b.end)
        let enters = [a.scanEnter, b.scanEnter].compactMap { $0 }, leaves = [a.scanLeave, b.scanLeave].compactMap { $0 }
        if let e = enters.min(), let l = leaves.max() {
            m.scanEnter = e
            m.scanLeave = l
        }
        m.itemConfidence = max(a.itemConfidence, b.itemConfidence)
        if m.appearance == nil { m.appearance = other.appearance }
        if m.itemArea == nil { m.itemArea = other.itemArea }
        if m.box == nil { m.box = other.box }
        return m
    }

    private mutating func insertPending(_ pass: PassObservation) {
        var i = pending.count
        while i > 0, pending[i - 1].referenceTime > pass.referenceTime { i -= 1 }
        pending.insert(pass, at: i)
    }

    /// An interval the camera could not verify. Reporting a growing obstruction
    /// again (same kind, overlapping) extends the held one. A blocked view and a
    /// blocked scanner at about the same time are one occlusion (a hand nearing
    /// the lens covers the scanner first): held as the view's. One reported
    /// after the other was decided is that occlusion still, unless it goes on
    /// for another `occlusionMin` (then it is a new one, from where the first ended).
    public mutating func ingest(obstruction: Obstruction) {
        var o = obstruction
        guard o.end >= o.start else { return }
        for h in obstructions where h.decided && overlaps(h.obstruction, o) {
            let d = h.obstruction
            if h.reported {
                guard o.end - d.end >= settings.occlusionMin else { return }
                o = Obstruction(kind: o.kind, start: max(o.start, d.end), end: o.end, coverage: o.coverage)
            } else {
                // Too short on its own; together they may not be.
                o = Obstruction(kind: d.kind == .view ? .view : o.kind, start: min(o.start, d.start), end: max(o.end, d.end), coverage: o.coverage)
            }
        }
        if let k = obstructions.firstIndex(where: {
            !$0.decided && overlaps($0.obstruction, o)
        }) {
            let h = obstructions[k].obstruction
            let kind: ObstructionKind = h.kind == .view || o.kind == .view ? .view : o.kind
            let coverage: Double
            if h.kind != o.kind {
                // Shares of different things (scanner, view): the view's says how blocked it was.
                coverage = h.kind == .view ? h.coverage : o.coverage
            } else {
                let d1 = max(0, h.duration), d2 = max(0, o.duration)
                coverage = d1 + d2 > 0 ? (h.coverage * d1 + o.coverage * d2) / (d1 + d2) : max(h.coverage, o.coverage)
            }
            obstructions[k].obstruction = Obstruction(kind: kind, start: min(h.start, o.start), end: max(h.end, o.end), coverage: coverage)
        } else {
            counters.obstructionsSeen += 1
            obstructions.append(HeldObstruction(obstruction: o))
            obstructions.sort { $0.obstruction.start < $1.obstruction.start }
        }
    }

    /// Overlapping, or of different kinds and within `obstructionJoin` of each other.
    private func overlaps(_ h: Obstruction, _ o: Obstruction) -> Bool {
        let slack = h.kind == o.kind ? 0 : options.obstructionJoin
        return h.start <= o.end + slack && o.start <= h.end + slack
    }

    public mutating func ingest(posEvent e: POSEvent) {
        if let id = e.id {
            guard !seenIDs.contains(id) else { return }
            seenIDs.insert(id)
            seenIDOrder.append(id)
            if seenIDOrder.count > Self.heldIDs {
                let drop = seenIDOrder.count - Self.heldIDs
                for old in seenIDOrder.prefix(drop) { seenIDs.remove(old) }
                seenIDOrder.removeFirst(drop)
            }
        }
        switch e.type {
        case .transactionStart:
            if let t = e.transaction {
                transactions.append(TransactionSpan(id: t, start: e.time, end: nil))
            }
        case .transactionEnd, .transactionCancel:
            if let t = e.transaction {
                if let k = transactions.lastIndex(where: { $0.id == t && $0.end == nil }) {
                    transactions[k].end = e.time
                } else {
                    transactions.append(TransactionSpan(id: t, start: nil, end: e.time))
                }
            }
        case .item:
            let raw = e.sku ?? e.barcode
            let sku = raw.flatMap { canonicalSKU[$0] } ?? e.barcode.flatMap { canonicalSKU[$0] } ?? raw ?? "unknown"
            let byWeight = e.entry == .weighed || e.quantity.map { $0 != $0.rounded() } ?? false
            lines.append(ScanLine(serial: nextLineSerial, posTime: e.time, sku: sku, transaction: e.transaction,
                                  unitsLeft: PassScanMatcher.units(of: e), weighed: byWeight))
            nextLineSerial += 1
            if lines.count > 1, lines[lines.count - 2].posTime > e.time {
                lines.sort { ($0.posTime, $0.serial) < ($1.posTime, $1.serial) }
            }
            counters.scansSeen += 1
            estimator.addScan(posTime: e.time)
            if let t = e.transaction {
                recentItems.append((e.time, t))
                if recentItems.count > Self.heldTransactions { recentItems.removeFirst(recentItems.count - Self.heldTransactions) }
            }
        default:
            break
        }
        if transactions.count > Self.heldTransactions { transactions.removeFirst(transactions.count - Self.heldTransactions) }
    }

    // MARK: Decisions

    /// Decides what the camera time `cameraTime` makes decidable.
    public mutating func advance(to cameraTime: Double) -> [Decision] {
        now = max(now, cameraTime)
        return run(force: false)
    }

    /// Decides everything still held, with the best offset estimate.
    public mutating func finish() -> [Decision] {
        if let last = pending.map(\.end).max() { now = max(now, last) }
        if let last = obstructions.map(\.obstruction.end).max() { now = max(now, last) }
        return run(force: true)
    }

    private mutating func run(force: Bool) -> [Decision] {
        // A scan's crossing is reported up to `passReportDelay` after it, at
        // any offset in the range: later scans wait (all count at the end).
        var est = estimator.estimate(force: force, scansUntil: force ? .infinity
                                     : now - options.passReportDelay - max(0, settings.clockOffsetMax))
        if !est.trusted, let rival = est.rival, prefersByAppearance(rival, over: est.offset) { est.offset = rival }
        counters.clockOffset = est.offset
        counters.clockOffsetSupport = est.support
        counters.clockOffsetTrusted = est.trusted
        var out: [Decision] = []
        out += decideObstructions(force: force)
        out += decidePasses(force: force, estimate: est)
        forget(force: force, offset: est.offset)
        return out.sorted { ($0.start, $0.passID ?? -1) < ($1.start, $1.passID ?? -1) }
    }

    private mutating func decideObstructions(force: Bool) -> [Decision] {
        var out: [Decision] = []
        for k in obstructions.indices where !obstructions[k].decided {
            let o = obstructions[k].obstruction
            guard force || now >= o.end + options.obstructionSettle else { continue }
            obstructions[k].decided = true
            guard blockedBeyondWeighing(o) >= settings.occlusionMin else { continue }
            // Longer and more completely covered is surer; at the threshold it is already likely.
            let lengthFactor = min(1, 0.8 + 0.2 * (o.duration - settings.occlusionMin) / max(0.5, settings.occlusionMin))
            let coverFactor = min(1, 0.6 + 0.4 * max(0, min(1, o.coverage)))
            let conf = lengthFactor * coverFactor
            let d = Decision(type: .occlusion, start: o.start, end: o.end, confidence: conf,
                             transaction: transaction(atCamera: (o.start + o.end) / 2, offset: estimator.current.offset),
                             details: IncidentDetails(blocked: o.kind.rawValue, coverage: o.coverage,
                                                      clockOffsetS: estimator.current.offset),
                             obstruction: o)
            if conf >= settings.minConfidence {
                out.append(d)
                obstructions[k].reported = true
            } else {
                counters.decisionsBelowConfidence += 1
            }
        }
        return out
    }

    /// How long `o` blocked the view, or the scanner after any item weighed
    /// during the cover: the scale is the scanner's glass, so a produce bag
    /// resting there until its weight registered (and a moment to lift it off)
    /// is the sale going on, not something hiding it. Only a weight registered
    /// while the cover was there counts: one just before it (the last item,
    /// then a jacket laid down) excused two true occlusions on the tuning
    /// sessions when a scan window either side was allowed.
    private func blockedBeyondWeighing(_ o: Obstruction) -> Double {
        guard o.kind == .scanZone else { return o.duration }
        let offset = estimator.current.offset
        var from = o.start
        for l in lines where l.weighed {
            let t = l.posTime - offset
            if t >= o.start && t <= o.end { from = max(from, t + Self.liftOff) }
        }
        return o.end - from
    }

    /// Seconds to lift a weighed item off the scale after its weight registered.
    static let liftOff = 1.0

    /// Passes at a steady pace make offsets one pace apart explain the scan
    /// times about equally well, and until one is trusted the other may be
    /// the right one: at the wrong one every pass is paired with its
    /// neighbour's scan. What the undecided passes looked like settles it:
    /// paired at the right offset, the items look like the products scanned.
    func prefersByAppearance(_ rival: Double, over offset: Double) -> Bool {
        let a = appearanceAgreement(offset: offset), b = appearanceAgreement(offset: rival)
        return b.pairs >= Self.minAgreementPairs && b.mean >= a.mean + Self.agreementMargin
    }

    static let minAgreementPairs = 3
    static let agreementMargin = 0.15

    /// Mean similarity of the undecided over-the-scanner passes to the product
    /// of the nearest scan within the scan window at `offset` (0 for a pass
    /// with none), and how many passes had one.
    func appearanceAgreement(offset: Double) -> (mean: Double, pairs: Int) {
        var sum = 0.0, judged = 0, pairs = 0
        for p in pending where p.path == .overScanner && p.itemConfidence >= settings.minItemConfidence {
            guard let seen = p.appearance else { continue }
            var nearest: (gap: Double, sku: String)?
            for l in lines {
                let g = PassScanMatcher.gap(l.posTime - offset, p.matchInterval)
                if g <= settings.scanWindow, g < (nearest?.gap ?? .infinity) { nearest = (g, l.sku) }
            }
            judged += 1
            if let n = nearest, let sim = memory.similarity(seen, sku: n.sku) {
                sum += sim
                pairs += 1
            }
        }
        return (judged == 0 ? 0 : sum / Double(judged), pairs)
    }

    /// Whether the pass cannot be verified: occlusions hid at least half of it
    /// (over the scanner, of its time there; around it, of the whole carry), or
    /// it came onto the scanner as the cover was lifted off it. Such a track
    /// often runs on into the next carry, mostly seen, but its look and count
    /// are the cover's too (docs/rules.md).
    private func overlapsOcclusion(_ p: PassObservation) -> Bool {
        // Born on the covered scanner (the vision says): the cover itself.
        if p.underCover { return true }
        let span = p.path == .overScanner ? p.matchInterval : min(p.start, p.end)...max(p.start, p.end)
        let occlusions = obstructions.map(\.obstruction).filter { $0.duration >= settings.occlusionMin }
        // Onto the scanner while it was covered: the cover being lifted away.
        if p.path == .overScanner, let enter = p.scanEnter,
           occlusions.contains(where: { $0.start <= enter && enter <= $0.end + options.coverLiftSeconds }) {
            return true
        }
        let covered = occlusions
            .filter { $0.start <= span.upperBound && span.lowerBound <= $0.end }
            .map { max($0.start, span.lowerBound)...min($0.end, span.upperBound) }
            .sorted { $0.lowerBound < $1.lowerBound }
        guard !covered.isEmpty else { return false }
        // The union of the covered stretches: covers may overlap.
        var hidden = 0.0
        var reach = span.lowerBound
        for c in covered {
            hidden += max(0, c.upperBound - max(c.lowerBound, reach))
            reach = max(reach, c.upperBound)
        }
        return hidden >= 0.5 * (span.upperBound - span.lowerBound)
    }

    private func isReady(_ p: PassObservation, estimate est: ClockOffsetEstimator.Estimate) -> Bool {
        if now >= p.end + options.lookBack { return true }
        // An obstruction over this pass may still be growing into an occlusion.
        if obstructions.contains(where: {
            $0.obstruction.start <= p.end && p.start <= $0.obstruction.end && now < $0.obstruction.end + options.obstructionSettle
        }) { return false }
        guard est.trusted else { return false }
        let waitForPOS = options.posLatency ?? (max(0, settings.clockOffsetMax) + settings.scanWindow)
        return now >= p.matchInterval.upperBound + settings.scanWindow + options.decisionMargin + waitForPOS
    }

    private mutating func decidePasses(force: Bool, estimate est: ClockOffsetEstimator.Estimate) -> [Decision] {
        var out: [Decision] = []
        // Until the offset is trusted, use the best estimate with a wider
        // window, wider still the less data backs it. (Widening by the whole
        // offset range would let any scan excuse any pass on a quiet lane.)
        let slack = est.trusted ? 0 : (est.support >= 4 ? 0.75 : 1.5)
        let window = settings.scanWindow + slack
        let matcher = PassScanMatcher(window: window, aroundPenalty: settings.scanWindow / 2,
                                      extraUnitPenalty: settings.scanWindow / 4)
        let offset = est.offset
        while !pending.isEmpty {
            var ready = 0
            while ready < pending.count, ready < max(1, options.chunk), force || isReady(pending[ready], estimate: est) { ready += 1 }
            guard ready > 0 else { break }
            // Later passes compete for the same scans, so they join the
            // matching (without being decided) up to a gap no window bridges,
            // or a few passes on.
            var end = ready
            let readyReach = pending[0..<ready].map { $0.matchInterval.upperBound }.max()! + window
            var reach = readyReach
            var natural = false
            while end < pending.count {
                if pending[end].matchInterval.lowerBound - window > reach { natural = true; break }
                if end >= ready + max(0, options.contextPasses) { break }
                reach = max(reach, pending[end].matchInterval.upperBound + window)
                end += 1
            }
            let context = Array(pending[0..<end])
            // Empty hands take no scans: a scan near one belongs to a real pass
            // or to none. Nor does a cover lifted off the scanner (never judged):
            // beside it is the carry the scan was for.
            var candidates: [PassScanMatcher.Candidate] = []
            var candidateOf: [Int: Int] = [:]
            for (i, p) in context.enumerated() where p.itemConfidence >= settings.minItemConfidence && !p.underCover {
                candidateOf[i] = candidates.count
                candidates.append(PassScanMatcher.Candidate(pass: p))
            }
            let lo = context.map { $0.matchInterval.lowerBound }.min()! - window
            let hi = reach
            // Unless a gap separates them, the passes left out (or not seen
            // yet) compete for the last scans: without them, their scans would
            // pull the last included passes off their own.
            var horizon: Double? = nil
            if !natural {
                if end < pending.count {
                    horizon = pending[end].matchInterval.lowerBound
                } else if !force {
                    // A pass not seen yet crosses after the last one seen, and
                    // not long before now (passes are reported when they end).
                    let last = candidates.map(\.reference).max() ?? readyReach
                    horizon = max(last + options.minPassSpacing, now - options.passReportDelay)
                }
            }
            var unitLine: [Int] = []
            var unitTimes: [Double] = []
            for (li, l) in lines.enumerated() where l.unitsLeft > 0 {
                let t = l.posTime - offset
                guard t >= lo, t <= hi else { continue }
                for _ in 0..<l.unitsLeft { unitLine.append(li); unitTimes.append(t) }
            }
            let assignment = matcher.assign(passes: candidates, unitTimes: unitTimes, laterPassesFrom: horizon)
            var taken = [Int](repeating: 0, count: lines.count)
            var assigned = [Int](repeating: 0, count: lines.count)
            for (u, a) in assignment.enumerated() where a != nil { assigned[unitLine[u]] += 1 }
            for i in 0..<ready {
                let p = context[i]
                var matched: [(line: Int, time: Double)] = []
                if let c = candidateOf[i] {
                    for (u, a) in assignment.enumerated() where a == c { matched.append((unitLine[u], unitTimes[u])) }
                }
                for m in matched { taken[m.line] += 1 }
                // The nearest registration no pass took, to temper an unscanned verdict.
                var nearestFree: Double? = nil
                for (li, l) in lines.enumerated() where l.unitsLeft > assigned[li] {
                    let g = PassScanMatcher.gap(l.posTime - offset, p.matchInterval)
                    if g <= 3 * window { nearestFree = min(nearestFree ?? .infinity, g) }
                }
                if let d = decide(pass: p, matched: matched, nearestFree: nearestFree, estimate: est) { out.append(d) }
            }
            for (li, n) in taken.enumerated() where n > 0 {
                if !lines[li].matchedAny { counters.scansMatched += 1 }
                lines[li].matchedAny = true
                lines[li].unitsLeft -= n
            }
            pending.removeFirst(ready)
        }
        return out
    }

    private mutating func decide(pass p: PassObservation, matched: [(line: Int, time: Double)], nearestFree: Double?,
                                 estimate est: ClockOffsetEstimator.Estimate) -> Decision? {
        counters.passesDecided += 1
        finishedPassIDs.append(p.id)
        var outcome = PassOutcome(pass: p, scanned: matched.map { lines[$0.line].sku },
                                  scanTimes: matched.map { lines[$0.line].posTime }, verdict: "normal")
        defer { if options.keepOutcomes { outcomes.append(outcome) } }
        guard p.itemConfidence >= settings.minItemConfidence else {
            counters.passesEmptyHand += 1
            outcome.verdict = "empty_hand"
            return nil
        }
        if !matched.isEmpty { counters.passesMatched += 1 }
        // The lane's pace: how long its scanned items spend over the scanner.
        if matched.count == 1, !p.itemHidden, let dwell = p.dwell, dwell > 0 {
            scannedDwells.append(dwell)
            if scannedDwells.count > Self.paceSamples { scannedDwells.removeFirst() }
        }
        guard !overlapsOcclusion(p) else {
            counters.passesUnverifiable += 1
            outcome.verdict = "unverifiable"
            return nil
        }
        let w = settings.scanWindow
        let byWeight = matched.contains { lines[$0.line].weighed }
        // A hidden item's look is what it left in the bag: beside what was
        // there before, it says which product, not how many.
        var counted = p
        if p.itemHidden { counted.appearance = nil }
        let verdict = counter.count(counted, scanned: matched.map { lines[$0.line].sku }, byWeight: byWeight)
        let itemsSeen = verdict.count
        outcome.countReason = verdict.reason
        let scanned = matched.map { lines[$0.line].sku }
        let txn = matched.compactMap { lines[$0.line].transaction }.first
            ?? transaction(atCamera: p.referenceTime, offset: est.offset)
        let scanStart = p.scanEnter.map { min($0, p.scanLeave ?? $0) } ?? p.start
        let scanEnd = p.scanLeave.map { max($0, p.scanEnter ?? $0) } ?? p.end
        var details = IncidentDetails(scanned: scanned, itemsSeen: itemsSeen, path: p.path.rawValue,
                                      dwellS: p.dwell, clockOffsetS: est.offset)

        var decision: Decision? = nil
        if matched.isEmpty {
            // Only the pass log shows it: not worth the comparisons otherwise.
            if options.keepOutcomes, let seen = p.appearance {
                outcome.similarityBest = memory.knownSKUs.compactMap { memory.similarity(seen, sku: $0) }.max()
            }
            // A scan just outside the window makes "nothing was scanned" less sure.
            let near = nearestFree.map { 0.5 + 0.5 * min(1, max(0, $0 - w) / w) } ?? 1
            // Between sales (bags set out, a basket moved) a carry is seldom a product.
            let sale = outsideSale(atCamera: p.referenceTime, offset: est.offset) ? options.outsideSaleFactor : 1
            let conf = clamp01(p.itemConfidence * near * sale)
            if p.path == .aroundScanner {
                // Basket to bag takes about a second: a "carry" of a frame or two, or of
                // many seconds, is more likely a track that joined two things.
                let carry = abs(p.end - p.start)
                let plausible = options.aroundCarrySeconds.contains(carry) ? 1 : options.implausibleCarryFactor
                decision = Decision(type: .missedScan, start: min(p.start, p.end), end: max(p.start, p.end),
                                    confidence: clamp01(conf * plausible), transaction: txn, details: details, passID: p.id)
            } else {
                // Presenting an item to the scanner takes a moment; a hand that
                // only swept across the bed (or a track that touched its edge) is less sure.
                let (full, sweep) = presentation
                let presented = p.dwell.map { min(1, max(0, ($0 - sweep) / (full - sweep))) } ?? 1
                let screen = saleBoundary(from: scanStart, to: scanEnd, offset: est.offset) ? options.saleBoundaryFactor : 1
                decision = Decision(type: .fakeScan, start: scanStart, end: scanEnd, confidence: clamp01(conf * presented * screen),
                                    transaction: txn, details: details, passID: p.id)
            }
        } else if matched.count < itemsSeen {
            // Around the scanner with some scans is not one of our patterns; stay quiet.
            if p.path == .overScanner {
                let conf = clamp01(p.itemConfidence * verdict.confidence)
                decision = Decision(type: .multiItem, start: scanStart, end: scanEnd, confidence: conf,
                                    transaction: txn, details: details, passID: p.id)
            }
        } else if p.path == .overScanner, let seen = p.appearance, let sku = scanned.first,
                  scanned.allSatisfy({ $0 == sku }) {
            // Little of it seen: twice the evidence, and nothing learned. Seen
            // only in the bag it was left in (a hidden item): half as much again,
            // and nothing learned.
            let small = (p.itemArea ?? 1) < options.minJudgedItemArea
            let factor = small ? options.smallItemMarginFactor : p.itemHidden ? options.hiddenLookMarginFactor : 1
            let a = memory.assess(seen: seen, scanned: sku, margin: settings.wrongScanMargin * factor)
            outcome.similarityScanned = a.similarityScanned
            if a.verdict == .wrong && verdict.scannedBesideAnother {
                // Unlike the scanned product as a whole, yet one end of it is
                // the scanned product and another end plainly is not: two
                // items over the scanner, one of them scanned.
                details.itemsSeen = max(2, itemsSeen)
                outcome.countReason = (outcome.countReason ?? "") + " scanned beside another"
                decision = Decision(type: .multiItem, start: scanStart, end: scanEnd,
                                    confidence: clamp01(p.itemConfidence * ItemCounter.besideConfidence),
                                    transaction: txn, details: details, passID: p.id)
            } else if a.verdict == .wrong && verdict.scannedInMix {
                // Unlike the scanned product as a whole, but explained clearly
                // better with it mixed in than by any one product: it is there
                // (two items, the second not told apart, or a print the picture
                // lacks), so its barcode was not switched. Nothing to learn either.
                outcome.verdict = "scanned_in_mix"
            } else if a.verdict == .wrong {
                let farthest = matched.map { PassScanMatcher.gap($0.time, p.matchInterval) }.max() ?? 0
                let near = 1 - 0.3 * min(1, farthest / w)
                let conf = clamp01(a.confidence * p.itemConfidence * near)
                details.seenLike = a.seenLike
                details.similarityScanned = a.similarityScanned
                details.similaritySeen = a.similaritySeen
                decision = Decision(type: .wrongScan, start: scanStart, end: scanEnd, confidence: conf,
                                    transaction: txn, details: details, passID: p.id)
            } else if !small, !p.itemHidden, a.verdict == .normal || a.verdict == .noModel, itemsSeen == 1, matched.count == 1,
                      est.trusted || (a.verdict == .normal && (a.similarityScanned ?? 0) >= options.learnUntrustedSimilarity),
                      p.itemConfidence >= options.learnMinItemConfidence, p.countConfidence >= 0.5 {
                memory.learn(seen, sku: sku)
                counter.learn(p, sku: sku)
            }
        }
        guard let d = decision else { return nil }
        outcome.confidence = d.confidence
        guard d.confidence >= settings.minConfidence else {
            counters.decisionsBelowConfidence += 1
            outcome.verdict = "below_confidence:" + d.type.rawValue
            return nil
        }
        outcome.verdict = d.type.rawValue
        return d
    }

    /// The POS started, ended or cancelled a transaction during camera span
    /// a…b, give or take `saleBoundarySlack`.
    private func saleBoundary(from a: Double, to b: Double, offset: Double) -> Bool {
        let lo = a + offset - options.saleBoundarySlack, hi = b + offset + options.saleBoundarySlack
        return transactions.contains { s in
            [s.start, s.end].contains { $0.map { lo <= $0 && $0 <= hi } ?? false }
        }
    }

    /// The POS reports transactions and none was open at camera time `t` (with slack for its stamps).
    private func outsideSale(atCamera t: Double, offset: Double) -> Bool {
        guard !transactions.isEmpty else { return false }
        let tau = t + offset, slack = settings.scanWindow
        let open = transactions.contains { s in
            (s.start ?? -.infinity) - slack <= tau && tau <= (s.end ?? .infinity) + slack
        }
        // Item lines nearby of a transaction whose start and end were not reported are a sale too.
        return !open && !recentItems.contains { r in
            abs(r.posTime - tau) <= Self.saleActivity && !transactions.contains { $0.id == r.transaction }
        }
    }

    /// The transaction open at a camera time: an open POS span, else the
    /// transaction of the nearest recent item line within a minute.
    private func transaction(atCamera t: Double, offset: Double) -> String? {
        let tau = t + offset
        var best: TransactionSpan? = nil
        for s in transactions {
            let afterStart = s.start.map { $0 <= tau } ?? true
            let beforeEnd = s.end.map { tau <= $0 } ?? true
            guard afterStart, beforeEnd, s.start != nil || s.end != nil else { continue }
            if best == nil || (s.start ?? -.infinity) >= (best!.start ?? -.infinity) { best = s }
        }
        if let best { return best.id }
        var nearest: (Double, String)? = nil
        for r in recentItems where abs(r.posTime - tau) <= 60 {
            if nearest == nil || abs(r.posTime - tau) < nearest!.0 { nearest = (abs(r.posTime - tau), r.transaction) }
        }
        return nearest?.1
    }

    /// Drops what can no longer matter: fully used lines at once, unused ones
    /// once no pass could still claim them, decided obstructions long past.
    private mutating func forget(force: Bool, offset: Double) {
        let horizon = now - (options.lookBack + settings.scanWindow + 2 * max(0, settings.clockOffsetMax) + options.decisionMargin)
        var kept: [ScanLine] = []
        kept.reserveCapacity(lines.count)
        for l in lines {
            if l.unitsLeft <= 0 { continue }
            if force || l.posTime - offset < horizon {
                if !l.matchedAny { counters.scansUnmatched += 1 }
                continue
            }
            kept.append(l)
        }
        lines = kept
        let obstructionHorizon = now - 2 * options.lookBack
        obstructions.removeAll { $0.decided && (force || $0.obstruction.end < obstructionHorizon) }
    }
}

@inline(__always) func clamp01(_ x: Double) -> Double { x.isFinite ? min(1, max(0, x)) : 0 }
