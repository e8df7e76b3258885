import Testing
import LaneCore
@testable import Vision

/// The customer's colours against the items', learned from what moves.
@Suite struct ArmColorModelTests {
    static func bin(_ rgb: (UInt8, UInt8, UInt8)) -> Int {
        let c = ColorConversion.yuv(r: Int(rgb.0), g: Int(rgb.1), b: Int(rgb.2))
        return ArmColorModel.bin(y: Float(c.y) - 16, u: Float(c.u) - 128, v: Float(c.v) - 128)
    }

    /// A catalog with one product of each colour.
    static func palette(_ colours: [(UInt8, UInt8, UInt8)]) -> ItemPalette {
        var p = ItemPalette()
        for c in colours {
            p.add(rgb: RGBImage(width: 8, height: 8, fill: c), mask: [Bool](repeating: true, count: 64))
        }
        return p
    }

    /// `seconds` of busy frames at 10 fps, each showing these bins (twice, as
    /// a colour must cover more than one fed pixel to count).
    static func feed(_ model: ArmColorModel, _ bins: [Int], seconds: Double) {
        for _ in 0..<Int(seconds * 10) {
            model.observe(bins: bins.flatMap { [Int32($0), Int32($0)] })
            model.endFrame(busy: true, dt: 0.1)
        }
    }

    static let greenSleeve: (UInt8, UInt8, UInt8) = (40, 70, 50)
    static let navySleeve: (UInt8, UInt8, UInt8) = (40, 40, 100)
    static let redBox: (UInt8, UInt8, UInt8) = (200, 40, 40)

    /// The next customer's sleeve shares its colour with a product: moving in
    /// every busy frame for 10 s, it is the customer's (the long memory alone
    /// would need 20 s of it, and the sleeve would be tracked as an item all
    /// that while).
    @Test func aNewCustomersSleeveIsTheirsWithinSeconds() {
        let model = ArmColorModel(items: Self.palette([Self.greenSleeve, Self.redBox]))
        let navy = Self.bin(Self.navySleeve), green = Self.bin(Self.greenSleeve)
        Self.feed(model, [navy], seconds: 60)
        #expect(model.armness[navy] >= 128)
        #expect(model.armness[green] < 128)
        Self.feed(model, [green], seconds: 4)
        #expect(model.armness[green] < 128, "after 4 s it may still be a product carried")
        Self.feed(model, [green], seconds: 6)
        #expect(model.armness[green] >= 128)
    }

    /// A product carried for a few seconds among the sleeve's frames stays an
    /// item, even held for 5 s.
    @Test func aProductCarriedAWhileStaysAnItem() {
        let model = ArmColorModel(items: Self.palette([Self.redBox]))
        let navy = Self.bin(Self.navySleeve), red = Self.bin(Self.redBox)
        Self.feed(model, [navy], seconds: 60)
        Self.feed(model, [navy, red], seconds: 5)
        #expect(model.armness[red] < 128)
        #expect(model.armness[navy] >= 128)
    }
}
