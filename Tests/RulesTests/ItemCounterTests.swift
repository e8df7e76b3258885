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
}
