import Contract
import Foundation
import Testing
import Vision
@testable import Rules

@Suite struct WrongScanTests {
    /// Passes every 6 s, each scanned 0.3 s after its crossing as `sku`, looking like `look`.
    func stream(_ items: [(sku: String, look: AppearanceDescriptor)], start: Double = t0 + 10) -> (Script, [PassObservation]) {
        var s = Script()
        var made: [PassObservation] = []
        for (k, it) in items.enumerated() {
            let t = start + Double(k) * 6
            made.append(s.pass(at: t, appearance: it.look))
            s.scan(at: t + 0.3, sku: it.sku)
        }
        return (s, made)
    }

    /// Passes every 4 s: an offset 4 s off pairs each pass with its
    /// neighbour's scan about as well by the times alone. Paired at the right
    /// offset, the items look like what was scanned; at the alias they do not.
    @Test func theItemsSeenTellTheRightOffsetFromAnAlias() {
        let memory = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)], "C": [Colour.green(100)]])
        var engine = RuleEngine(settings: RuleSettings(), memory: memory)
        var s = Script(offset: -2.3)
        let products: [(String, AppearanceDescriptor)] = [("A", Colour.red(1)), ("B", Colour.blue(2)), ("C", Colour.green(3)),
                                                          ("A", Colour.red(4)), ("C", Colour.green(5)), ("B", Colour.blue(6))]
        for (k, (sku, seen)) in products.enumerated() {
            let at = t0 + 10 + Double(k) * 4
            s.pass(at: at, appearance: seen)
            s.scan(at: at + 0.2, sku: sku)
        }
        for p in s.passes { engine.ingest(pass: p) }
        for e in s.events { engine.ingest(posEvent: e) }
        #expect(engine.prefersByAppearance(-2.3, over: 1.7))
        #expect(!engine.prefersByAppearance(1.7, over: -2.3))
        let right = engine.appearanceAgreement(offset: -2.3), alias = engine.appearanceAgreement(offset: 1.7)
        #expect(right.pairs == products.count)
        #expect(right.mean > alias.mean + 0.3)
    }

    @Test func wrongScanWithCatalogReferences() {
        let memory = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let (s, passes) = stream([("A", Colour.red(1)), ("B", Colour.blue(2)), ("A", Colour.blue(3)), ("B", Colour.blue(4))])
        let (d, _) = s.run(engine: RuleEngine(settings: known(), memory: memory))
        #expect(d.count == 1)
        let w = d[0]
        #expect(w.type == .wrongScan)
        #expect(w.passID == passes[2].id)
        #expect(w.start == passes[2].scanEnter! && w.end == passes[2].scanLeave!)
        #expect(w.details.scanned == ["A"] && w.details.seenLike == "B")
        #expect((w.details.similaritySeen ?? 0) > (w.details.similarityScanned ?? 1))
        #expect(w.confidence >= 0.5)
    }

    @Test func twoBlobsThatPlainlyLookLikeAnotherProductAreAWrongScan() {
        // Fingers can split one item into two blobs; when the item plainly is
        // the other product, the barcode was switched: not a multi-item pass.
        let refs = ["A": Colour.red(100), "B": Colour.blue(100)]
        let memory = AppearanceMemory(references: refs.mapValues { [$0] })
        var s = Script()
        let p = s.pass(at: t0 + 10, items: 2, appearance: Colour.blue(3))
        s.scan(at: t0 + 10.3, sku: "A")
        let (d, _) = s.run(engine: RuleEngine(settings: known(), memory: memory, counter: ItemCounter(references: refs)))
        #expect(d.map(\.type) == [.wrongScan])
        #expect(d.first?.passID == p.id)
        // Two blobs that do not plainly look like one other product stay a multi-item pass.
        var s2 = Script()
        s2.pass(at: t0 + 10, items: 2, appearance: ItemCounter.mix(Colour.red(4), Colour.blue(4), 0.5))
        s2.scan(at: t0 + 10.3, sku: "A")
        let (d2, _) = s2.run(engine: RuleEngine(settings: known(), memory: memory, counter: ItemCounter(references: refs)))
        #expect(d2.map(\.type) == [.multiItem])
    }

    /// Red A, blue B, green C, as catalog pictures.
    static let pictures = ["A": Colour.red(100), "B": Colour.blue(100), "C": Colour.green(100)]

    /// Two passes scanned as A: mostly B with a little A (`partly`), then plainly
    /// B (`switched`), their ends as given; and an engine judging by the pictures.
    func partlyThenSwitched(ends: [[AppearanceDescriptor?]] = [[], []])
        -> (s: Script, partly: PassObservation, switched: PassObservation, engine: RuleEngine) {
        var s = Script()
        let partly = s.pass(at: t0 + 10, appearance: ItemCounter.mix(Colour.red(3), Colour.blue(3), 0.2))
        s.passes[s.passes.count - 1].ends = ends[0]
        s.scan(at: t0 + 10.3, sku: "A")
        let switched = s.pass(at: t0 + 20, appearance: Colour.blue(4))
        s.passes[s.passes.count - 1].ends = ends[1]
        s.scan(at: t0 + 20.3, sku: "A")
        let engine = RuleEngine(settings: known(), memory: AppearanceMemory(references: Self.pictures.mapValues { [$0] }),
                                counter: ItemCounter(references: Self.pictures))
        return (s, partly, switched, engine)
    }

    /// Mostly another product, but explained clearly better with some of the
    /// scanned one than without it: the scanned product is there (a second item
    /// not told apart, or a print its picture lacks), so its barcode was not
    /// switched. Plainly the other product alone is a switch.
    @Test func anItemShowingTheScannedProductBesideAnotherIsNoSwitch() {
        let (s, partly, switched, engine) = partlyThenSwitched()
        let v = ItemCounter(references: Self.pictures).count(partly, scanned: ["A"])
        #expect(v.count == 1 && v.scannedInMix, "\(v.reason)")
        let memory = AppearanceMemory(references: Self.pictures.mapValues { [$0] })
        #expect(memory.assess(seen: partly.appearance!, scanned: "A", margin: RuleSettings().wrongScanMargin).verdict == .wrong)
        let (d, e) = s.run(engine: engine)
        #expect(d.map(\.passID) == [switched.id] && d.map(\.type) == [.wrongScan])
        #expect(e.memory.exemplarCount(sku: "A") == 0)
    }

    /// Unlike the scanned product as a whole, but one end of the carry is the
    /// scanned product and another end plainly is not: two items, one
    /// scanned, not a switched barcode. Ends alike are a switch as ever.
    @Test func anItemWithTheScannedProductAtOneEndAndAnotherAtTheOtherIsTwoItems() {
        let (s, pair, switched, engine) = partlyThenSwitched(ends: [
            [Colour.red(5), Colour.blue(6), ItemCounter.mix(Colour.red(7), Colour.blue(7), 0.3), nil],
            [Colour.blue(8), Colour.blue(9), Colour.blue(10), Colour.blue(11)]])
        let (d, e) = s.run(engine: engine)
        #expect(d.map(\.passID) == [pair.id, switched.id])
        #expect(d.map(\.type) == [.multiItem, .wrongScan])
        #expect(d.first?.details.itemsSeen == 2)
        #expect(e.memory.exemplarCount(sku: "A") == 0)
    }

    @Test func barcodesResolveThroughTheCatalog() {
        // The POS line carries the barcode; the references are by SKU.
        let catalog = Catalog(items: [CatalogItem(sku: "A", barcode: "0001"), CatalogItem(sku: "B", barcode: "0002")])
        let memory = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let (s, _) = stream([("0001", Colour.blue(3))])
        let (d, _) = s.run(engine: RuleEngine(settings: known(), catalog: catalog, memory: memory))
        #expect(d.map(\.type) == [.wrongScan])
        #expect(d.first?.details.scanned == ["A"])
    }

    @Test func wrongScanWithLearnedAppearance() {
        var items: [(String, AppearanceDescriptor)] = []
        for k in 0..<4 {
            items.append(("A", Colour.red(UInt64(k))))
            items.append(("B", Colour.blue(UInt64(k))))
        }
        items.append(("A", Colour.blue(77)))  // B's look, A's price
        let (s, passes) = stream(items)
        let (d, e) = s.run(settings: known())
        #expect(d.map(\.type) == [.wrongScan])
        #expect(d.first?.passID == passes.last!.id)
        #expect(d.first?.details.seenLike == "B")
        #expect(e.memory.exemplarCount(sku: "A") == 4 && e.memory.exemplarCount(sku: "B") == 4)
    }

    @Test func noWrongScanWithoutAModel() {
        let memory = AppearanceMemory(references: ["B": [Colour.blue(100)]])
        let (s, _) = stream([("C", Colour.blue(1)), ("D", Colour.red(2)), ("C", Colour.blue(3)), ("D", Colour.red(4))])
        let (d, e) = s.run(engine: RuleEngine(settings: known(), memory: memory))
        #expect(d.isEmpty)
        // C kept looking like B: never learned as C. D is learned.
        #expect(e.memory.exemplarCount(sku: "C") == 0)
        #expect(e.memory.exemplarCount(sku: "D") == 2)
    }

    @Test func onlyNormalSingleItemScansAreLearned() {
        var s = Script()
        s.pass(at: t0 + 10, items: 2, appearance: Colour.red(1))   // multi-item, one scan
        s.scan(at: t0 + 10.2, sku: "A")
        s.pass(at: t0 + 20, appearance: Colour.red(2))             // fake scan
        s.pass(at: t0 + 30, itemConfidence: 0.6, appearance: Colour.red(3))  // unsure it carried anything
        s.scan(at: t0 + 30.2, sku: "A")
        s.pass(at: t0 + 40, appearance: Colour.red(4))             // normal: learned
        s.scan(at: t0 + 40.1, sku: "A")
        let (d, e) = s.run(settings: known())
        #expect(d.map(\.type) == [.multiItem, .fakeScan])
        #expect(e.memory.exemplarCount(sku: "A") == 1)
    }

    /// A mostly hidden item (a few pixels of it, often the hand's rim) is judged
    /// on twice the margin: plainly another product is still a switch, a look
    /// only somewhat more like another product is not; and it is never learned.
    @Test func aSmallItemNeedsTwiceTheEvidence() {
        let memory = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let mostlyBlue = ItemCounter.mix(Colour.red(5), Colour.blue(5), 0.2)
        let mostlyBlueGap = (memory.similarity(mostlyBlue, sku: "B") ?? 0) - (memory.similarity(mostlyBlue, sku: "A") ?? 1)
        #expect(mostlyBlueGap > 0.3 && mostlyBlueGap < 0.6, "between one and two margins: \(mostlyBlueGap)")
        let cases: [(look: AppearanceDescriptor, area: Double, switched: Bool)] = [
            (mostlyBlue, 0.004, true), (mostlyBlue, 0.001, false), (Colour.blue(6), 0.001, true),
            (Colour.red(7), 0.001, false), (Colour.red(8), 0.004, false),
        ]
        for c in cases {
            let (s0, passes) = stream([("A", c.look)])
            var s = s0
            s.passes[0].itemArea = c.area
            let (d, e) = s.run(engine: RuleEngine(settings: known(), memory: memory))
            #expect(d.map(\.type) == (c.switched ? [.wrongScan] : []), "area \(c.area)")
            #expect(d.first.map { $0.passID == passes[0].id } ?? true)
            // Only the larger item like its product is learned.
            #expect(e.memory.exemplarCount(sku: "A") == (c.area > 0.002 && !c.switched ? 1 : 0), "area \(c.area)")
        }
    }

    /// A hidden item's look is what it left in the bag (the hand's pass has no
    /// item pixels): judged for a switched barcode, but never learned, and no
    /// evidence of a second item (the bag held others before).
    @Test func anItemSeenOnlyInTheBagIsJudgedButNotLearnedOrCounted() {
        let refs = ["A": Colour.red(100), "B": Colour.blue(100)]
        let memory = AppearanceMemory(references: refs.mapValues { [$0] })
        let halfAndHalf = ItemCounter.mix(Colour.red(9), Colour.blue(9), 0.5)
        let cases: [(look: AppearanceDescriptor, hidden: Bool, expected: [IncidentType])] = [
            (Colour.blue(6), true, [.wrongScan]), (Colour.red(7), true, []),
            (halfAndHalf, false, [.multiItem]), (halfAndHalf, true, []),
        ]
        for c in cases {
            let (s0, passes) = stream([("A", c.look)])
            var s = s0
            s.passes[0].itemHidden = c.hidden
            if c.hidden { s.passes[0].itemConfidence = LaneVision.itemLeftConfidence }
            let (d, e) = s.run(engine: RuleEngine(settings: known(), memory: memory, counter: ItemCounter(references: refs)))
            #expect(d.map(\.type) == c.expected, "hidden \(c.hidden)")
            #expect(d.first.map { $0.passID == passes[0].id } ?? true)
            // A visible single item like its product would be learned; nothing seen only in the bag is.
            if c.hidden { #expect(e.memory.exemplarCount(sku: "A") == 0) }
        }
    }

    /// What a hidden item left in the bag is judged on 1.5 times the margin:
    /// the bag shows more than the item. A look plainly another product's is
    /// still a switch; one only somewhat more like another product (between one
    /// and one and a half margins), which an item seen over the scanner would
    /// be called for, is not.
    @Test func anItemSeenOnlyInTheBagNeedsMoreEvidence() {
        let memory = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let margin = RuleSettings().wrongScanMargin
        let somewhatBlue = ItemCounter.mix(Colour.red(5), Colour.blue(5), 0.25)
        let gap = (memory.similarity(somewhatBlue, sku: "B") ?? 0) - (memory.similarity(somewhatBlue, sku: "A") ?? 1)
        #expect(gap > margin && gap < 1.5 * margin, "between one and one and a half margins: \(gap)")
        let cases: [(look: AppearanceDescriptor, hidden: Bool, switched: Bool)] = [
            (somewhatBlue, false, true), (somewhatBlue, true, false), (Colour.blue(6), true, true),
        ]
        for c in cases {
            let (s0, passes) = stream([("A", c.look)])
            var s = s0
            s.passes[0].itemHidden = c.hidden
            if c.hidden { s.passes[0].itemConfidence = LaneVision.itemLeftConfidence }
            let (d, _) = s.run(engine: RuleEngine(settings: known(), memory: memory))
            #expect(d.map(\.type) == (c.switched ? [.wrongScan] : []), "hidden \(c.hidden)")
            #expect(d.first.map { $0.passID == passes[0].id } ?? true)
        }
    }

    /// A short session never has the scans to trust its clock offset; a pass
    /// that looks like the scanned product's picture is still learned from (the
    /// picture vouches for the pairing), so the product's size is known and two
    /// of it carried together are told from one.
    @Test func beforeTheOffsetIsTrustedPassesLikeTheirPictureAreLearned() {
        let refs = ["A": Colour.red(100), "B": Colour.blue(100)]
        let memory = AppearanceMemory(references: refs.mapValues { [$0] })
        var s = Script()
        let looks = [Colour.red(1), Colour.red(2), ItemCounter.mix(Colour.red(3), Colour.green(3), 0.6), Colour.red(4)]
        let areas = [0.010, 0.011, 0.010, 0.021]
        for (k, look) in looks.enumerated() {
            s.pass(at: t0 + 10 + Double(k) * 6, appearance: look)
            s.passes[k].itemArea = areas[k]
            s.scan(at: t0 + 10.3 + Double(k) * 6, sku: "A")
        }
        let (d, e) = s.run(engine: RuleEngine(settings: RuleSettings(), memory: memory, counter: ItemCounter(references: refs)))
        #expect(!e.counters.clockOffsetTrusted)
        // The first two are learned; the third, unlike its picture (a colour no
        // product has), is not;
        // the fourth covers twice what A usually does.
        #expect(e.memory.exemplarCount(sku: "A") == 2)
        #expect(d.map(\.type) == [.multiItem])
        #expect(d.first?.passID == s.passes[3].id)
    }

    @Test func aLaneGetsBetterWithUseAcrossRuns() throws {
        // Run 1 learns what A and B look like; run 2 starts from the saved memory.
        var items: [(String, AppearanceDescriptor)] = []
        for k in 0..<3 {
            items.append(("A", Colour.red(UInt64(k))))
            items.append(("B", Colour.blue(UInt64(k))))
        }
        let (first, _) = stream(items)
        let (d1, e1) = first.run(settings: known())
        #expect(d1.isEmpty)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rules-lane-\(UInt64.random(in: 0...UInt64.max)).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try e1.memory.save(to: url)

        let (second, passes) = stream([("A", Colour.blue(50))])
        let fresh = second.run(settings: known())
        #expect(fresh.decisions.isEmpty)  // nothing known in a fresh memory
        let loaded = try AppearanceMemory.load(from: url)
        let (d2, _) = second.run(engine: RuleEngine(settings: known(), memory: loaded))
        #expect(d2.map(\.type) == [.wrongScan])
        #expect(d2.first?.passID == passes[0].id)
    }
}
