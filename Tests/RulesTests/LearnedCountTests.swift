import Contract
import Testing
import Vision
@testable import Rules

/// The learned counter's say in the count (`PassObservation.learnedMargin`):
/// two items when it clears its bar, unless the item plainly looks like one
/// other product; and room in the matcher for the second scan of such a pair.
struct LearnedCountTests {
    static let refs = ["A": Colour.red(100), "B": Colour.blue(100)]

    func engine() -> RuleEngine {
        RuleEngine(settings: known(), memory: AppearanceMemory(references: Self.refs.mapValues { [$0] }),
                   counter: ItemCounter(references: Self.refs))
    }

    @Test func aPassTheCounterPutsAtTwoWithOneScanIsAMultiItem() {
        var s = Script()
        let pair = s.pass(at: t0 + 10, appearance: Colour.red(51))
        s.scan(at: t0 + 10.2, sku: "A")
        s.pass(at: t0 + 20, appearance: Colour.red(52))
        s.scan(at: t0 + 20.1, sku: "A")
        s.passes[0].learnedMargin = 0.4
        s.passes[1].learnedMargin = -0.4
        let (d, _) = s.run(engine: engine())
        #expect(d.map(\.type) == [.multiItem])
        #expect(d.first?.passID == pair.id && d.first?.details.itemsSeen == 2)
    }

    /// Counted two but plainly one other product: a switched barcode, not a pair.
    @Test func aPlainlyOtherProductStaysOneItem() {
        var p = PassObservation(id: 1, path: .overScanner, start: 9, end: 11, scanEnter: 9.6, scanLeave: 10.4,
                                appearance: Colour.blue(53))
        p.learnedMargin = 0.8
        let v = ItemCounter(references: Self.refs).count(p, scanned: ["A"])
        #expect(v.count == 1, "\(v.reason)")
        var same = p
        same.appearance = Colour.red(54)
        let two = ItemCounter(references: Self.refs).count(same, scanned: ["A"])
        #expect(two.count == 2 && two.reason.hasPrefix("learned"), "\(two.reason)")
    }

    /// A pair carried together and both scanned, 0.5 s apart: the pass takes
    /// both scans. Without the room the second scan would go to the next
    /// pass, and both passes would look short by one.
    @Test func aPairTheCounterSeesTakesBothItsScans() {
        var s = Script()
        s.pass(at: t0 + 10, appearance: Colour.red(55))
        s.scan(at: t0 + 10.0, sku: "A")
        s.scan(at: t0 + 10.5, sku: "A")
        s.pass(at: t0 + 11.6, appearance: Colour.red(56))
        s.scan(at: t0 + 12.2, sku: "A")
        s.passes[0].learnedMargin = 0.3
        let (d, _) = s.run(engine: engine())
        #expect(d.isEmpty, "\(d.map(\.type))")
        let room = PassScanMatcher.Candidate(pass: s.passes[0])
        #expect(room.capacity == 2)
        var plain = s.passes[0]
        plain.learnedMargin = -0.1
        #expect(PassScanMatcher.Candidate(pass: plain).capacity == 1)
    }
}
