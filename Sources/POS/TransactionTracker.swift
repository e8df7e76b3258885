import Contract
import Foundation

/// One registered item line, as the rules stage needs it. A line with quantity 3
/// is one ScanEvent with quantity 3 (one beep, several items).
public struct ScanEvent: Sendable, Hashable {
    /// POS clock, seconds since 1970.
    public var posTime: Double
    public var sku: String?
    public var barcode: String?
    public var entry: ItemEntry?
    public var quantity: Double
    public var transaction: String?
    /// 1-based line of the POS event in its file (0 when not from a file).
    public var eventLine: Int

    public init(posTime: Double, sku: String?, barcode: String?, entry: ItemEntry?, quantity: Double = 1,
                transaction: String?, eventLine: Int = 0) {
        self.posTime = posTime; self.sku = sku; self.barcode = barcode; self.entry = entry
        self.quantity = quantity; self.transaction = transaction; self.eventLine = eventLine
    }

    /// The scan of an `item` event; nil for other types. `transaction` overrides
    /// the event's own (e.g. the one the tracker inferred).
    public init?(event: POSEvent, transaction: String? = nil) {
        guard event.type == .item else { return nil }
        self.init(posTime: event.time, sku: event.sku, barcode: event.barcode, entry: event.entry,
                  quantity: event.quantity ?? 1, transaction: transaction ?? event.transaction, eventLine: event.line)
    }

    /// The code to compare with the catalog: the SKU, else the barcode.
    public var code: String? { sku ?? barcode }
}

/// Follows a lane's POS events in time order: which transaction is open, running
/// counts, and the scans. Memory stays bounded: closed transactions and seen event
/// ids older than `horizon` seconds (POS clock) are forgotten; the counts are kept.
public struct TransactionTracker: Sendable {
    public struct Counts: Sendable, Equatable {
        /// Events applied (duplicates excluded).
        public var events = 0
        /// Events skipped because their id was already applied.
        public var duplicates = 0
        /// Transactions started, including those inferred from their later events.
        public var transactions = 0
        /// Transactions whose `transaction_start` never arrived.
        public var inferredStarts = 0
        public var completed = 0
        public var cancelled = 0
        /// Closed without an end or cancel, because another transaction began.
        public var abandoned = 0
        public var itemLines = 0
        public var itemLinesByEntry: [ItemEntry: Int] = [:]
        public var itemLinesWithoutEntry = 0
        public var voids = 0
        public var refunds = 0
        public var noSales = 0
        public var priceOverrides = 0
        public init() {}
    }

    public struct Transaction: Sendable, Equatable {
        /// Empty for a POS that sends no transaction ids.
        public var id: String
        public var start: Double
        public var end: Double?
        public var cancelled = false
        public var inferredStart = false
        public var itemLines = 0
        public var voids = 0
    }

    public enum Outcome: Sendable, Equatable {
        case duplicate
        case applied
        case scan(ScanEvent)
    }

    /// Seconds of POS time to remember closed transactions and event ids.
    public var horizon: Double
    /// `transaction(at:)` falls back to a transaction this close, in seconds.
    public var nearbyTolerance: Double
    public private(set) var counts = Counts()
    public private(set) var open: Transaction?
    /// Closed transactions within the horizon, oldest first.
    public private(set) var recent: [Transaction] = []
    /// The latest POS time seen.
    public private(set) var latestTime = -Double.infinity
    private var seenIDs: [String: Double] = [:]
    private var lastPrune = -Double.infinity

    public init(horizon: Double = 600, nearbyTolerance: Double = 5) {
        self.horizon = horizon
        self.nearbyTolerance = nearbyTolerance
    }

    public var openTransactionID: String? { open.flatMap { $0.id.isEmpty ? nil : $0.id } }
    /// Shorthands for the summary.
    public var transactionCount: Int { counts.transactions }
    public var itemLineCount: Int { counts.itemLines }
    public var duplicates: Int { counts.duplicates }

    @discardableResult
    public mutating func ingest(_ e: POSEvent) -> Outcome {
        if let id = e.id {
            if seenIDs[id] != nil {
                counts.duplicates += 1
                return .duplicate
            }
            seenIDs[id] = e.time
        }
        counts.events += 1
        latestTime = max(latestTime, e.time)
        defer { pruneIfDue() }

        switch e.type {
        case .transactionStart:
            let id = e.transaction ?? ""
            if let o = open, o.id == id, !id.isEmpty { return .applied }  // repeated start
            begin(id, at: e.time, inferred: false)
            return .applied
        case .item:
            let tx = attach(e)
            counts.itemLines += 1
            if let entry = e.entry { counts.itemLinesByEntry[entry, default: 0] += 1 } else { counts.itemLinesWithoutEntry += 1 }
            update(tx) { $0.itemLines += 1 }
            return .scan(ScanEvent(event: e, transaction: tx)!)
        case .void:
            let tx = attach(e)
            counts.voids += 1
            update(tx) { $0.voids += 1 }
            return .applied
        case .priceOverride:
            _ = attach(e)
            counts.priceOverrides += 1
            return .applied
        case .refund:
            if e.transaction != nil { _ = attach(e) }
            counts.refunds += 1
            return .applied
        case .noSale:
            counts.noSales += 1
            return .applied
        case .transactionEnd, .transactionCancel:
            finish(e)
            return .applied
        }
    }

    /// The transaction open at `posTime`, else the nearest one within
    /// `nearbyTolerance`, else nil. Only the horizon is remembered.
    public func transaction(at posTime: Double) -> String? {
        if let o = open, posTime >= o.start { return named(o.id) }
        for t in recent.reversed() where t.start <= posTime && posTime <= (t.end ?? t.start) {
            return named(t.id)
        }
        var best: (distance: Double, id: String)? = nil
        func consider(_ t: Transaction) {
            let end = t.end ?? .infinity
            let d = posTime < t.start ? t.start - posTime : max(0, posTime - end)
            if d <= nearbyTolerance, best == nil || d <= best!.distance { best = (d, t.id) }
        }
        for t in recent { consider(t) }
        if let o = open { consider(o) }
        return best.flatMap { named($0.id) }
    }

    // MARK: internals

    private func named(_ id: String) -> String? { id.isEmpty ? nil : id }

    private mutating func begin(_ id: String, at time: Double, inferred: Bool) {
        if var o = open {
            o.end = time
            counts.abandoned += 1
            recent.append(o)
        }
        var t = Transaction(id: id, start: time)
        t.inferredStart = inferred
        open = t
        counts.transactions += 1
        if inferred { counts.inferredStarts += 1 }
    }

    /// The transaction an in-transaction event belongs to, inferring a start when
    /// its transaction was never started.
    private mutating func attach(_ e: POSEvent) -> String? {
        guard let tx = e.transaction else { return openTransactionID }
        if open?.id == tx { return tx }
        if recent.contains(where: { $0.id == tx }) { return tx }  // late line of a closed transaction
        begin(tx, at: e.time, inferred: true)
        return tx
    }

    private mutating func update(_ id: String?, _ change: (inout Transaction) -> Void) {
        guard let id else { return }
        if open?.id == id {
            change(&open!)
        } else if let k = recent.lastIndex(where: { $0.id == id }) {
            change(&recent[k])
        }
    }

    private mutating func finish(_ e: POSEvent) {
        let cancelled = e.type == .transactionCancel
        let tx = e.transaction
        if var o = open, tx == nil || o.id == tx {
            o.end = e.time
            o.cancelled = cancelled
            open = nil
            recent.append(o)
        } else if let tx, recent.contains(where: { $0.id == tx }) {
            return  // a repeated end of a closed transaction
        } else {
            // An end whose transaction we never saw: count it, with a zero-length span.
            begin(tx ?? "", at: e.time, inferred: true)
            var o = open!
            o.end = e.time
            o.cancelled = cancelled
            open = nil
            recent.append(o)
        }
        if cancelled { counts.cancelled += 1 } else { counts.completed += 1 }
    }

    private mutating func pruneIfDue() {
        guard latestTime - lastPrune >= horizon / 8 || recent.count > 4096 else { return }
        lastPrune = latestTime
        let cutoff = latestTime - horizon
        recent.removeAll { ($0.end ?? $0.start) < cutoff }
        seenIDs = seenIDs.filter { $0.value >= cutoff }
    }
}
