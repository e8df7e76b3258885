import Contract
import Testing
@testable import POS

private let t0 = 1_793_000_000.0

private func ev(_ dt: Double, _ type: POSEventType, _ tx: String? = nil, sku: String? = nil, entry: ItemEntry? = nil,
                quantity: Double? = nil, id: String? = nil, line: Int = 0) -> POSEvent {
    POSEvent(time: t0 + dt, store: "0042", lane: "sco-03", type: type, transaction: tx, sku: sku, quantity: quantity,
             entry: entry, id: id, line: line)
}

@Suite struct TransactionTrackerTests {
    @Test func followsATransactionAndDerivesScans() {
        var tr = TransactionTracker()
        #expect(tr.ingest(ev(0, .transactionStart, "T1", id: "a")) == .applied)
        let out = tr.ingest(ev(1, .item, "T1", sku: "4011", entry: .scan, quantity: 3, id: "b", line: 2))
        #expect(out == .scan(ScanEvent(posTime: t0 + 1, sku: "4011", barcode: nil, entry: .scan, quantity: 3,
                                       transaction: "T1", eventLine: 2)))
        tr.ingest(ev(2, .item, "T1", sku: "0007", entry: .keyed, id: "c"))
        tr.ingest(ev(3, .void, "T1", sku: "0007", id: "d"))
        #expect(tr.openTransactionID == "T1")
        #expect(tr.transaction(at: t0 + 2.5) == "T1")
        tr.ingest(ev(10, .transactionEnd, "T1", id: "e"))
        #expect(tr.openTransactionID == nil)
        #expect(tr.transaction(at: t0 + 5) == "T1")
        #expect(tr.counts.transactions == 1)
        #expect(tr.counts.completed == 1)
        #expect(tr.counts.itemLines == 2)
        #expect(tr.counts.itemLinesByEntry == [.scan: 1, .keyed: 1])
        #expect(tr.counts.voids == 1)
        #expect(tr.recent.first?.itemLines == 2)
        #expect(tr.recent.first?.voids == 1)
    }

    @Test func duplicatesByIdAreCountedAndSkipped() {
        var tr = TransactionTracker()
        tr.ingest(ev(0, .transactionStart, "T1", id: "a"))
        tr.ingest(ev(1, .item, "T1", sku: "4011", entry: .scan, id: "b"))
        #expect(tr.ingest(ev(1, .item, "T1", sku: "4011", entry: .scan, id: "b")) == .duplicate)
        // Without an id there is nothing to deduplicate by: applied again.
        #expect(tr.ingest(ev(1.5, .item, "T1", sku: "4011")) != .duplicate)
        #expect(tr.counts.duplicates == 1)
        #expect(tr.counts.itemLines == 2)
        #expect(tr.counts.itemLinesWithoutEntry == 1)
        #expect(tr.counts.events == 3)
    }

    @Test func infersAMissingStart() {
        var tr = TransactionTracker()
        tr.ingest(ev(0, .transactionStart, "T1"))
        tr.ingest(ev(5, .transactionEnd, "T1"))
        let scan = tr.ingest(ev(20, .item, "T2", sku: "4011"))
        if case .scan(let s) = scan { #expect(s.transaction == "T2") } else { Issue.record("expected a scan") }
        #expect(tr.openTransactionID == "T2")
        #expect(tr.counts.transactions == 2)
        #expect(tr.counts.inferredStarts == 1)
        #expect(tr.transaction(at: t0 + 25) == "T2")
        // An item with no transaction id belongs to the open one.
        if case .scan(let s) = tr.ingest(ev(21, .item, nil, sku: "99")) { #expect(s.transaction == "T2") }
        // A new start abandons an unfinished transaction.
        tr.ingest(ev(30, .transactionStart, "T3"))
        #expect(tr.counts.abandoned == 1)
        #expect(tr.transaction(at: t0 + 29) == "T2")
        #expect(tr.transaction(at: t0 + 31) == "T3")
        tr.ingest(ev(40, .transactionCancel, nil))
        #expect(tr.counts.cancelled == 1)
        #expect(tr.recent.last?.cancelled == true)
    }

    @Test func endOfAnUnseenTransactionIsCounted() {
        var tr = TransactionTracker()
        tr.ingest(ev(0, .transactionEnd, "T9"))
        #expect(tr.counts.transactions == 1)
        #expect(tr.counts.completed == 1)
        #expect(tr.openTransactionID == nil)
        tr.ingest(ev(1, .transactionEnd, "T9"))  // repeated end: ignored
        #expect(tr.counts.completed == 1)
    }

    @Test func nearestTransactionWithinTolerance() {
        var tr = TransactionTracker(nearbyTolerance: 3)
        tr.ingest(ev(10, .transactionStart, "T1"))
        tr.ingest(ev(20, .transactionEnd, "T1"))
        tr.ingest(ev(30, .transactionStart, "T2"))
        tr.ingest(ev(40, .transactionEnd, "T2"))
        #expect(tr.transaction(at: t0 + 15) == "T1")
        #expect(tr.transaction(at: t0 + 22) == "T1")   // 2 s after T1 ended
        #expect(tr.transaction(at: t0 + 28) == "T2")   // 2 s before T2 started
        #expect(tr.transaction(at: t0 + 25) == nil)    // 5 s from both
        #expect(tr.transaction(at: t0 + 8) == "T1")
        #expect(tr.transaction(at: t0 + 44) == nil)
        tr.ingest(ev(50, .transactionStart, "T3"))
        #expect(tr.transaction(at: t0 + 48) == "T3")
        #expect(tr.transaction(at: t0 + 500) == "T3")  // open
    }

    @Test func memoryIsBoundedButCountsAreKept() {
        var tr = TransactionTracker(horizon: 600)
        var t = 0.0
        for k in 0..<2_000 {  // ~28 hours of transactions, 50 s apart
            tr.ingest(ev(t, .transactionStart, "T\(k)", id: "s\(k)"))
            tr.ingest(ev(t + 10, .item, "T\(k)", sku: "4011", entry: .scan, id: "i\(k)"))
            tr.ingest(ev(t + 20, .transactionEnd, "T\(k)", id: "e\(k)"))
            t += 50
        }
        #expect(tr.counts.transactions == 2_000)
        #expect(tr.counts.completed == 2_000)
        #expect(tr.counts.itemLines == 2_000)
        #expect(tr.recent.count <= 600 / 50 + 3)
        #expect(tr.recent.allSatisfy { $0.end! >= tr.latestTime - 600 - 600 / 8 })
        #expect(tr.transaction(at: t0 + 10) == nil)  // forgotten
        #expect(tr.transaction(at: t0 + t - 50 + 5) == "T1999")
        // Ids older than the horizon are forgotten too: an ancient retransmission is applied again.
        #expect(tr.ingest(ev(t, .noSale, id: "i0")) == .applied)
        #expect(tr.ingest(ev(t, .noSale, id: "i1999")) == .duplicate)
    }

    @Test func otherEventTypesAreCounted() {
        var tr = TransactionTracker()
        tr.ingest(ev(0, .noSale))
        tr.ingest(ev(1, .refund))
        tr.ingest(ev(2, .priceOverride, "T1"))
        #expect(tr.counts.noSales == 1)
        #expect(tr.counts.refunds == 1)
        #expect(tr.counts.priceOverrides == 1)
        #expect(tr.counts.inferredStarts == 1)
        #expect(tr.openTransactionID == "T1")
    }

    @Test func scanEventFromAPOSEvent() {
        var e = ev(1, .item, "T1", sku: nil, entry: .weighed, quantity: nil, line: 7)
        e.barcode = "200123"
        let s = ScanEvent(event: e)
        #expect(s?.quantity == 1)
        #expect(s?.code == "200123")
        #expect(s?.eventLine == 7)
        #expect(ScanEvent(event: ev(1, .void, "T1", sku: "1")) == nil)
    }
}
