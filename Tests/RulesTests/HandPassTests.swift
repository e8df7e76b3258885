import Contract
import Testing
import Vision
@testable import Rules

/// Passes seen from the hand alone: an item gripped from above or dark on the
/// dark scanner bed, whose hand was seen presenting it.
@Suite struct HandPassTests {
    @Test func aHandPresentingWithNothingScannedIsAFakeScanAndWithAScanIsNormal() {
        var s = Script()
        s.pass(at: t0 + 5)
        s.scan(at: t0 + 5.2)
        s.handPass(at: t0 + 10)
        s.handPass(at: t0 + 15)
        s.scan(at: t0 + 15.3)
        let (d, e) = s.run(settings: known())
        #expect(d.map(\.type) == [.fakeScan])
        let f = d.first
        #expect(abs((f?.start ?? 0) - (t0 + 9.5)) < 1e-9 && abs((f?.end ?? 0) - (t0 + 10.5)) < 1e-9)
        #expect((f?.confidence ?? 0) >= RuleSettings().minConfidence)
        #expect(e.counters.passesMatched == 2)
    }

    /// Most items gripped from above, seen only as the hand's motion, at a
    /// steady pace: the few item passes alone fit the offset one pass away
    /// as well or better (their scans came a little late), so the hands'
    /// crossings must vote too. Without them the lane took the alias, and
    /// every scan went to its neighbour's pass.
    @Test func scanningMotionsOfHiddenItemsHelpFindTheClockOffset() {
        var s = Script(offset: 2.4)
        for (n, txn) in ["T1", "T2", "T3"].enumerated() {
            let begin = t0 + Double(n) * 60
            s.posEvent(.transactionStart, at: begin, transaction: txn)
            for k in 0..<6 {
                let t = begin + 4 + Double(k) * 5
                if k % 3 == 1 {
                    s.pass(at: t)
                    s.scan(at: t + 0.5, transaction: txn)
                } else {
                    s.handPass(at: t)
                    s.scan(at: t, transaction: txn)
                }
            }
            s.posEvent(.transactionEnd, at: begin + 38, transaction: txn)
        }
        let (d, e) = s.run(settings: RuleSettings())
        #expect(abs(e.offsetEstimate.offset - 2.4) <= 0.3, "\(e.offsetEstimate)")
        #expect(d.isEmpty, "\(d.map(\.type))")
        #expect(e.counters.scansMatched >= 17, "\(e.counters)")
    }

    /// Where the item was seen too, its pass (with its count and look) decides,
    /// whichever of the two is reported first.
    @Test(arguments: [false, true])
    func aHandPassGivesWayToTheItemPassOfTheSameMoment(handFirst: Bool) {
        var s = Script()
        if handFirst { s.handPass(at: t0 + 10, dwell: 1.2) }
        let item = s.pass(at: t0 + 10.1, items: 2)
        if !handFirst { s.handPass(at: t0 + 10, dwell: 1.2) }
        s.scan(at: t0 + 10.2)
        let (d, e) = s.run(settings: known())
        #expect(d.map(\.type) == [.multiItem])
        #expect(d.first?.passID == item.id)
        // The item's own time over the scanner, not stretched to the hand's.
        #expect(d.first?.start == item.scanEnter && d.first?.end == item.scanLeave)
        #expect(e.counters.passesMerged == 1)
    }

    /// An item seen over the scanner for one frame (a low frame rate, a quick
    /// glimpse) was held there as long as its hand was: a presentation with
    /// nothing scanned, not a sweep across the bed.
    @Test(arguments: [false, true])
    func anItemGlimpsedOverTheScannerWasPresentedAsLongAsItsHand(withHand: Bool) {
        var s = Script()
        s.pass(at: t0 + 5)
        s.scan(at: t0 + 5.2)
        if withHand { s.handPass(at: t0 + 10, dwell: 1.2) }
        let glimpse = s.pass(at: t0 + 10.2, dwell: 0)
        s.pass(at: t0 + 15)
        s.scan(at: t0 + 15.2)
        let (d, _) = s.run(settings: known())
        if withHand {
            #expect(d.map(\.type) == [.fakeScan])
            #expect(d.first?.passID == glimpse.id)
            #expect(d.first.map { abs($0.start - (t0 + 9.4)) < 1e-9 && abs($0.end - (t0 + 10.6)) < 1e-9 } == true)
        } else {
            // A sweep across the bed: under the confidence floor.
            #expect(d.isEmpty)
        }
    }

    /// The item's track went beside the scanner (its centre off the bed while
    /// the hand held it over it) and reached the bag just after the hand: one
    /// carry over the scanner, whose scan is its own, not a scanned hand and a
    /// carry around the scanner with nothing scanned.
    @Test func aCarryTakenAroundWhileTheHandPresentedItIsOverTheScanner() {
        var s = Script()
        let hand = s.handPass(at: t0 + 10)  // ends at t0 + 11.3
        s.scan(at: t0 + 10.1)
        var around = PassObservation(id: 50, path: .aroundScanner, start: t0 + 11.0, end: t0 + 11.9, appearance: Colour.red(1))
        around.itemConfidence = 0.9
        s.passes.append(around)
        var options = RuleEngineOptions()
        options.keepOutcomes = true
        let (d, e) = s.run(engine: RuleEngine(settings: known(), options: options))
        #expect(d.isEmpty)
        var engine = e
        let outcomes = engine.takeOutcomes()
        #expect(outcomes.count == 1)
        let o = outcomes.first
        #expect(o?.pass.id == 50 && o?.pass.path == .overScanner && o?.pass.scanEnter == hand.scanEnter)
        // What that track saw beside the bed does not judge the product.
        #expect(o?.pass.appearance == nil)
        #expect(o?.verdict == "normal" && o?.scanned.count == 1)
    }
}

extension HandPassTests {
    /// An item taken around the scanner while the hand was still fetching the
    /// next one, before it came onto the scanner, is a carry of its own.
    @Test func aCarryAroundBeforeTheHandCameOntoTheScannerIsStillAMissedScan() {
        var s = Script()
        s.handPass(at: t0 + 10)  // from t0 + 8.7, over the scanner 9.5–10.5
        s.scan(at: t0 + 10.1)
        var around = PassObservation(id: 50, path: .aroundScanner, start: t0 + 8.8, end: t0 + 9.3)
        around.itemConfidence = 0.9
        s.passes.append(around)
        let (d, _) = s.run(settings: known())
        #expect(d.map(\.type) == [.missedScan])
        #expect(d.first?.passID == 50)
    }

    /// A hand seen going around the scanner (basket to bag, something left in
    /// the bag) is a `missed_scan` when nothing was scanned; where the item
    /// was tracked around too, the item's pass stands, still around the scanner.
    @Test(arguments: [false, true])
    func aHiddenCarryAroundTheScannerIsAMissedScan(itemSeen: Bool) {
        let s = Self.carryAround(handConfidence: HandWatch.itemConfidence, itemConfidence: itemSeen ? 0.9 : nil)
        let (d, e) = s.run(settings: known())
        #expect(d.map(\.type) == [.missedScan])
        #expect(d.first?.passID == (itemSeen ? 50 : 40))
        #expect(d.first?.details.path == PassPath.aroundScanner.rawValue)
        #expect(e.counters.passesMerged == (itemSeen ? 1 : 0))
    }

    /// A hand's motion from the basket to the bag beside the scanner (pass 40)
    /// and, with `itemConfidence`, an item tracked around at the same moment
    /// (pass 50); a scanned pass follows.
    static func carryAround(handConfidence: Double, itemConfidence: Double?) -> Script {
        var s = Script()
        s.passes.append(PassObservation(id: 40, path: .aroundScanner, start: t0 + 9.6, end: t0 + 10.4,
                                        itemConfidence: handConfidence, countConfidence: 0.5, itemHidden: true))
        if let itemConfidence {
            var around = PassObservation(id: 50, path: .aroundScanner, start: t0 + 9.7, end: t0 + 10.5, appearance: Colour.red(1))
            around.itemConfidence = itemConfidence
            s.passes.append(around)
        }
        s.pass(at: t0 + 15)
        s.scan(at: t0 + 15.2)
        return s
    }

    /// An item tracked faintly around the scanner (a rim, a sleeve-coloured
    /// item) with its hand's carry confirmed by what it left in the bag: it
    /// surely carried an item, so the `missed_scan` stands. Without the bag's
    /// word the faint track alone stays under the bar.
    @Test(arguments: [true, false])
    func aFaintCarryConfirmedByTheBagIsAMissedScan(bagConfirmed: Bool) {
        let s = Self.carryAround(handConfidence: bagConfirmed ? LaneVision.itemLeftConfidence : HandWatch.itemConfidence,
                                 itemConfidence: 0.56)
        let (d, _) = s.run(settings: known())
        #expect(d.map(\.type) == (bagConfirmed ? [.missedScan] : []))
        if bagConfirmed { #expect(d.first?.passID == 50 && d.first?.confidence == LaneVision.itemLeftConfidence) }
    }
}

/// What the analyzer may let go: every pass decided, and every pass merged into another.
@Suite struct FinishedPassTests {
    @Test func decidedMergedAndCoveredPassesAreReportedFinishedOnce() {
        var s = Script()
        let a = s.pass(at: t0 + 5)                       // decided, normal
        s.scan(at: t0 + 5.1)
        let hand = s.handPass(at: t0 + 10, dwell: 1.2)   // covered by the item pass below
        let item = s.pass(at: t0 + 10.1)
        s.scan(at: t0 + 10.2)
        var ids: [Int] = []
        var engine = RuleEngine(settings: known())
        for p in s.passes { engine.ingest(pass: p) }
        for e in s.events { engine.ingest(posEvent: e) }
        ids += engine.takeFinishedPassIDs()
        #expect(ids == [hand.id])
        _ = engine.finish()
        ids += engine.takeFinishedPassIDs()
        #expect(ids.sorted() == [a.id, hand.id, item.id].sorted())
        #expect(engine.takeFinishedPassIDs().isEmpty)
    }

    @Test func unaskedTheyStayBounded() {
        var engine = RuleEngine(settings: known())
        for k in 0..<10_000 {
            engine.ingest(pass: PassObservation(id: k, path: .overScanner, start: t0 + Double(k) * 4,
                                                end: t0 + Double(k) * 4 + 2, scanEnter: t0 + Double(k) * 4 + 0.5,
                                                scanLeave: t0 + Double(k) * 4 + 1.5))
            _ = engine.advance(to: t0 + Double(k) * 4 + 2)
        }
        let ids = engine.takeFinishedPassIDs()
        #expect(!ids.isEmpty && ids.count <= RuleEngine.finishedPassCap)
        #expect(ids.last.map { $0 > 9_900 } == true)
    }
}
