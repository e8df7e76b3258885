import Contract
import Foundation
import Testing
@testable import Rules
@testable import Vision

@Suite struct ItemCounterTests {
    /// C, a red product with a little blue print, explains a mix of A and B
    /// nearly as well as A and B together: only the gain over the scanned
    /// product alone tells that two were carried.
    static let refs = ["A": Colour.red(100), "B": Colour.blue(100), "C": ItemCounter.mix(Colour.red(101), Colour.blue(101), 0.95)]

    func pass(_ look: AppearanceDescriptor, area: Double = 0.01) -> PassObservation {
        var s = Script()
        var p = s.pass(at: 10, items: 1, appearance: look)
        p.itemArea = area
        return p
    }

    @Test func oneBlobThatIsTheScannedProductAndAnotherIsTwo() {
        let counter = ItemCounter(references: Self.refs)
        // Mostly the scanned product, the rest another: one blob to the vision.
        let seen = ItemCounter.mix(Colour.red(7), Colour.blue(7), 0.6)
        let v = counter.count(pass(seen), scanned: ["A"])
        #expect(v.count == 2)
        #expect(v.reason.hasPrefix("appearance"))
        // The same colours on a speck of an item say too little.
        #expect(counter.count(pass(seen, area: 0.001), scanned: ["A"]).count == 1)
        // The scanned product alone, or nearly: one.
        let alone = counter.count(pass(ItemCounter.mix(Colour.red(8), Colour.white(8), 0.9)), scanned: ["A"])
        #expect(alone.count == 1)
        // Plainly another product: one item, a switched barcode, not two.
        let other = counter.count(pass(Colour.blue(9)), scanned: ["A"])
        #expect(other.count == 1)
    }

    @Test func colourSaysTwoOnlyWhenAnEndOfTheItemIsUnlikeTheScannedProduct() {
        let counter = ItemCounter(references: Self.refs)
        let seen = ItemCounter.mix(Colour.red(7), Colour.blue(7), 0.6)
        // The second item lies at one end of the carry: that end is blue.
        var two = pass(seen)
        two.ends = [Colour.red(14), Colour.blue(15), ItemCounter.mix(Colour.red(16), Colour.blue(16), 0.5), nil]
        #expect(counter.count(two, scanned: ["A"]).count == 2)
        // Every end still looks like the scanned product: the blue the whole
        // item's colours show is spread over it (a print, glare), not a second item.
        var one = pass(seen)
        one.ends = [ItemCounter.mix(Colour.red(17), Colour.blue(17), 0.85), Colour.red(18),
                    ItemCounter.mix(Colour.red(19), Colour.blue(19), 0.8), Colour.red(20)]
        let v = counter.count(one, scanned: ["A"])
        #expect(v.count == 1)
        #expect(v.reason.contains("ends"))
        // One end measured says too little to overrule the colours.
        var few = pass(seen)
        few.ends = [Colour.red(21), nil, nil, nil]
        #expect(counter.count(few, scanned: ["A"]).count == 2)
    }

    /// A hand at the carry each: an item in each hand, when the scanned
    /// product is the best single fit and a mix with another fits better
    /// still; not when the colours are the scanned product's alone (one item
    /// held in both hands), nor when another product fits better alone.
    @Test func aHandEachAtTheItemIsTwoWhenTheColoursShowAnother() {
        let counter = ItemCounter(references: ["A": Colour.red(100), "B": Colour.blue(100), "G": Colour.green(100)])
        // Mostly the scanned red, some blue: too little for the colours alone.
        let seen = ItemCounter.mix(Colour.red(41), Colour.blue(41), 0.8)
        var oneHand = pass(seen)
        oneHand.twoArmShare = 0.1
        let alone = counter.count(oneHand, scanned: ["A"])
        #expect(alone.count == 1, "\(alone.reason)")
        var twoHands = oneHand
        twoHands.twoArmShare = 0.9
        let v = counter.count(twoHands, scanned: ["A"])
        #expect(v.count == 2 && v.reason.hasPrefix("hands"), "\(v.reason)")
        // The scanned product's colours alone, held in both hands: one.
        var big = pass(Colour.red(42))
        big.twoArmShare = 0.9
        #expect(counter.count(big, scanned: ["A"]).count == 1)
        // A product that is red with some blue fits better than the scanned
        // red alone: the scanned product is not plainly seen, so no second item.
        #expect(ItemCounter(references: Self.refs).count(twoHands, scanned: ["A"]).count == 1)
    }

    @Test func anItemUnlikeItsPictureIsNotTwoBecauseAMixFitsALittleBetter() {
        let counter = ItemCounter(references: Self.refs)
        // Mostly white (glare, or a pack whose picture shows its other side),
        // a little of the scanned red and a hint of green: nothing fits it well,
        // and the scanned product mixed with another only a little better.
        let washed = AppearanceDescriptor.mean([(Colour.red(5), 0.15), (Colour.onWhite(Colour.green(6), share: 0.05, seed: 7), 0.85)])!
        let v = counter.count(pass(washed), scanned: ["A"])
        #expect(v.count == 1, "\(v.reason)")
        // Half red, half green: the scanned product and another, plainly.
        let two = AppearanceDescriptor.mean([(Colour.red(5), 0.5), (Colour.green(6), 0.5)])!
        #expect(ItemCounter(references: ["A": Colour.red(100), "G": Colour.green(100)]).count(pass(two), scanned: ["A"]).count == 2)
    }

    /// Two blobs to the vision: fingers across one item, or an item and a
    /// sleeve, or two items. With catalog pictures, the blobs count only when
    /// the pictures show a product besides the scanned one.
    @Test func separateBlobsCountOnlyWhenThePicturesShowASecondProduct() {
        // The scanned red product and a dark sleeve: nothing besides it.
        let dark = Colour.sleeve(3)
        let withSleeve = AppearanceDescriptor.mean([(Colour.red(11), 0.4), (dark, 0.6)])!
        let counter = ItemCounter(references: Self.refs)
        let one = counter.count(blobs(withSleeve), scanned: ["A"])
        #expect(one.count == 1, "\(one.reason)")
        // Without pictures to tell, the blobs stand.
        #expect(ItemCounter().count(blobs(withSleeve), scanned: ["A"]).count == 2)
        // A little of the scanned red beside much of another product's blue:
        // the mix explains it better than the blue alone.
        let pair = AppearanceDescriptor.mean([(Colour.red(12), 0.2), (Colour.blue(13), 0.8)])!
        let two = counter.count(blobs(pair), scanned: ["A"])
        #expect(two.count == 2 && two.reason.hasPrefix("blobs"), "\(two.reason)")
        // A third the scanned red, a little blue, the rest a dark sleeve: the
        // red-and-blue product C fits it about as well as the scanned red mixed
        // with another (0.06 better, as much as mixing gains by chance): one.
        func redBlueSleeve(blue: Double) -> AppearanceDescriptor {
            AppearanceDescriptor.mean([(Colour.red(41), 0.3), (Colour.blue(42), blue), (Colour.sleeve(43), 0.7 - blue)])!
        }
        let chance = counter.count(blobs(redBlueSleeve(blue: 0.15)), scanned: ["A"])
        #expect(chance.count == 1, "\(chance.reason)")
        // More of the blue, and the mix fits clearly better: two.
        let more = counter.count(blobs(redBlueSleeve(blue: 0.21)), scanned: ["A"])
        #expect(more.count == 2 && more.reason.hasPrefix("blobs"), "\(more.reason)")
    }

    /// Two blobs to the vision.
    func blobs(_ look: AppearanceDescriptor, area: Double = 0.01) -> PassObservation {
        var p = pass(look, area: area)
        p.itemCount = 2
        p.countConfidence = 0.9
        return p
    }

    /// Separate blobs of an item fairly like the scanned product (0.7–0.8)
    /// stand when the scanned product mixed with another fits it clearly
    /// better: two cues agree. Too small for the colours alone to count.
    @Test func blobsOfAnItemFairlyLikeTheScannedProductCountWhenAMixFitsClearlyBetter() {
        let counter = ItemCounter(references: Self.refs)
        let seen = AppearanceDescriptor.mean([(Colour.red(31), 0.55), (Colour.blue(32), 0.45)])!
        let small = 0.0015
        let two = counter.count(blobs(seen, area: small), scanned: ["A"])
        #expect(two.count == 2 && two.reason.hasPrefix("blobs"), "\(two.reason)")
        // One blob: the colours alone, on so few pixels, do not count.
        #expect(counter.count(pass(seen, area: small), scanned: ["A"]).count == 1)
        // Fairly like the scanned red, the rest a dark sleeve no product
        // explains: pieces of one item and the arm.
        let sleeve = AppearanceDescriptor.mean([(Colour.red(33), 0.55), (Colour.sleeve(34), 0.45)])!
        let one = counter.count(blobs(sleeve, area: small), scanned: ["A"])
        #expect(one.count == 1, "\(one.reason)")
    }

    /// Two of the same product look like one; only their area tells. A
    /// different product (a switched barcode) is another size too, and is not two.
    @Test func twiceTheUsualAreaIsTwoOfTheScannedProductUnlessItIsAnotherProduct() {
        var counter = ItemCounter(references: Self.refs)
        counter.learn(pass(Colour.red(20), area: 0.010), sku: "A")
        counter.learn(pass(Colour.red(21), area: 0.011), sku: "A")
        let same = counter.count(pass(Colour.red(22), area: 0.021), scanned: ["A"])
        #expect(same.count == 2 && same.reason.hasPrefix("size"), "\(same.reason)")
        #expect(counter.count(pass(Colour.red(23), area: 0.012), scanned: ["A"]).count == 1)
        let switched = counter.count(pass(Colour.blue(24), area: 0.021), scanned: ["A"])
        #expect(switched.count == 1, "\(switched.reason)")
    }

    /// Sizes learned in one run are taken up by the next in the same camera
    /// view, so the first pass of two of a product known from earlier runs is
    /// counted; in another view (the zones moved) they are not.
    @Test func learnedSizesCarryOverToTheNextRunInTheSameView() throws {
        var first = ItemCounter(references: Self.refs)
        first.learn(pass(Colour.red(20), area: 0.010), sku: "A")
        first.learn(pass(Colour.red(21), area: 0.011), sku: "A")
        let saved = first.learnedSizes(view: "scan:0.4,0.2")
        // Through JSON, as the state file keeps them.
        let decoded = try JSONDecoder().decode(ItemCounter.LearnedSizes.self, from: JSONEncoder().encode(saved))
        #expect(decoded == saved)

        let double = pass(Colour.red(22), area: 0.021)
        #expect(ItemCounter(references: Self.refs).count(double, scanned: ["A"]).count == 1, "a new lane knows no sizes")
        var next = ItemCounter(references: Self.refs)
        let taken = next.restore(decoded, view: "scan:0.4,0.2")
        #expect(taken)
        let counted = next.count(double, scanned: ["A"])
        #expect(counted.count == 2 && counted.reason.hasPrefix("size"), "\(counted.reason)")

        var moved = ItemCounter(references: Self.refs)
        let movedTaken = moved.restore(decoded, view: "scan:0.5,0.2")
        #expect(!movedTaken)
        #expect(moved.count(double, scanned: ["A"]).count == 1)
    }

    /// A state file edited by hand or damaged cannot feed nonsense areas in,
    /// and old samples give way to new ones at the same cap as within a run.
    @Test func restoredSizesAreCheckedAndBounded() {
        var c = ItemCounter()
        let many = (1...30).map { Double($0) / 1000 }
        c.restore(ItemCounter.LearnedSizes(view: "v", skus: ["A": many + [-1, .nan, 2], "B": [0]], scale: [1, -2, .infinity]),
                  view: "v")
        #expect(c.areaSamples["A"] == Array(many.suffix(ItemCounter.maxAreaSamples)))
        #expect(c.areaSamples["B"] == nil)
        #expect(c.scaleSamples == [1])
    }

    /// Loose produce is sold by weight: the customer takes a handful or a
    /// bunch, so twice the usual area is not two items. The same line scanned
    /// (not weighed) at that size is, through the engine.
    @Test func aWeighedLineIsAnySize() {
        var counter = ItemCounter(references: Self.refs)
        counter.learn(pass(Colour.red(20), area: 0.010), sku: "A")
        counter.learn(pass(Colour.red(21), area: 0.011), sku: "A")
        #expect(counter.count(pass(Colour.red(22), area: 0.021), scanned: ["A"], byWeight: true).count == 1)

        for entry in [ItemEntry.weighed, .scan] {
            var s = Script()
            var p = s.pass(at: t0 + 10, appearance: Colour.red(22))
            p.itemArea = 0.021
            s.passes[0] = p
            s.scan(at: t0 + 10, sku: "A", quantity: entry == .weighed ? 0.61 : 1, entry: entry)
            let (d, _) = s.run(engine: RuleEngine(settings: known(), counter: counter))
            #expect(d.map(\.type) == (entry == .weighed ? [] : [.multiItem]), "\(entry)")
        }
    }

    /// Size only speaks when it is about right or far too large: an item seen
    /// at a fraction of its usual area was mostly hidden (or the scale does
    /// not hold for it), and that must not overrule the blobs.
    @Test func aMostlyHiddenItemSaysNothingAboutTheCount() {
        var counter = ItemCounter()
        counter.learn(pass(Colour.red(20), area: 0.010), sku: "A")
        counter.learn(pass(Colour.red(21), area: 0.011), sku: "A")
        var two = pass(Colour.red(22), area: 0.009)
        two.itemCount = 2
        // About its usual size: the two blobs are pieces of one item.
        #expect(counter.count(two, scanned: ["A"]).count == 1)
        two.itemArea = 0.002
        let hidden = counter.count(two, scanned: ["A"])
        #expect(hidden.count == 2 && hidden.reason.hasPrefix("blobs"), "\(hidden.reason)")
    }

    /// The catalog pictures' scale on the lane is learned from several
    /// products: a few passes of one or two products all agree with each
    /// other whatever the pictures' scales are.
    @Test func thePicturesScaleNeedsSeveralProducts() {
        let areas = ["A": 1000.0, "B": 1000.0, "C": 1000.0, "D": 1000.0, "E": 1000.0]
        var counter = ItemCounter(references: Self.refs, referenceAreas: areas)
        for k in 0..<6 { counter.learn(pass(Colour.red(UInt64(30 + k)), area: 0.010), sku: k % 2 == 0 ? "A" : "B") }
        #expect(counter.usualArea("E") == nil)
        counter.learn(pass(Colour.red(40), area: 0.010), sku: "C")
        counter.learn(pass(Colour.red(41), area: 0.010), sku: "D")
        #expect(counter.usualArea("E") == 0.010)
    }
}
