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
        func blobs(_ look: AppearanceDescriptor) -> PassObservation {
            var p = pass(look)
            p.itemCount = 2
            p.countConfidence = 0.9
            return p
        }
        // The scanned red product and a dark sleeve: nothing besides it.
        let dark = look(y: 40, u: 128, v: 128, seed: 3)
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
}
