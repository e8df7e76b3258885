import Contract
import Foundation
import Testing
import Vision
@testable import Rules

@Suite struct AppearanceMemoryTests {
    let margin = RuleSettings().wrongScanMargin

    @Test func syntheticLooksBehaveLikeRealOnes() {
        #expect(Colour.red(1).similarity(Colour.red(2)) > 0.85)
        #expect(Colour.red(1).similarity(Colour.blue(1)) < 0.2)
    }

    @Test func catalogReferencesJudgeAtOnce() {
        let m = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        #expect(m.knownSKUs == ["A", "B"])
        let ok = m.assess(seen: Colour.red(1), scanned: "A", margin: margin)
        #expect(ok.verdict == .normal)
        #expect((ok.similarityScanned ?? 0) > 0.85)
        let switched = m.assess(seen: Colour.blue(2), scanned: "A", margin: margin)
        #expect(switched.verdict == .wrong)
        #expect(switched.seenLike == "B")
        #expect(switched.confidence >= 0.7)
        #expect((switched.similaritySeen ?? 0) - (switched.similarityScanned ?? 1) >= margin)
        // Unlike A, but like nothing else known either: no grounds with references alone.
        #expect(m.assess(seen: Colour.green(3), scanned: "A", margin: margin).verdict != .wrong)
    }

    /// The right product, partly hidden or lit differently, can resemble a
    /// look-alike a little more than its own picture: only a clear lead is a switch.
    @Test func aLookAlikeMatchingALittleBetterIsNotASwitch() throws {
        let m = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let blurred = ItemCounter.mix(Colour.red(5), Colour.blue(5), 0.35)
        let a = m.assess(seen: blurred, scanned: "A", margin: margin)
        let lead = try #require(a.similaritySeen) - (a.similarityScanned ?? 0)
        #expect(lead > 0.15 && lead < margin)
        #expect(a.verdict != .wrong)
        // Mostly the other product: a switch.
        let mostlyB = m.assess(seen: ItemCounter.mix(Colour.red(6), Colour.blue(6), 0.1), scanned: "A", margin: margin)
        #expect(mostlyB.verdict == .wrong)
    }

    /// A product's first normal pass on the lane may have looked half like a
    /// look-alike. Compared camera to camera, that one exemplar makes the
    /// look-alike resemble the scanned product more than its picture says: it
    /// counts beside the picture only once the learned model is established.
    @Test func oneLearnedExemplarDoesNotOutweighTheCatalogPicture() {
        var m = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let firstA = ItemCounter.mix(Colour.red(1), Colour.blue(1), 0.6)
        m.learn(firstA, sku: "A")
        #expect(m.exemplarCount(sku: "A") == 1 && !m.isEstablished("A"))
        let mostlyB = ItemCounter.mix(Colour.red(2), Colour.blue(2), 0.2)
        // Closer to that exemplar than to B's picture…
        #expect(mostlyB.productSimilarity(firstA) > mostlyB.productSimilarity(Colour.blue(100)))
        // …yet judged by A's picture: a switch.
        let switched = m.assess(seen: mostlyB, scanned: "A", margin: margin)
        #expect(switched.verdict == .wrong && switched.seenLike == "B")
        #expect((switched.similarityScanned ?? 1) < 0.6)
        // Once the lane has shown A like that again and again, that is how A looks here.
        for k in 0..<4 { m.learn(ItemCounter.mix(Colour.red(UInt64(10 + k)), Colour.blue(UInt64(10 + k)), 0.6), sku: "A") }
        #expect(m.isEstablished("A"))
        #expect((m.assess(seen: firstA, scanned: "A", margin: margin).similarityScanned ?? 0) > 0.85)
    }

    @Test func noModelForTheScannedProductNeverFlags() {
        let m = AppearanceMemory(references: ["B": [Colour.blue(100)]])
        let a = m.assess(seen: Colour.blue(1), scanned: "C", margin: margin)
        #expect(a.verdict != .wrong)
        // It does look like B, so it must not be learned as C either.
        #expect(a.verdict == .suspicious)
        #expect(m.assess(seen: Colour.red(1), scanned: "C", margin: margin).verdict == .noModel)
    }

    @Test func glareAndWhiteWrappingDoNotHideWhichProductItIs() {
        // Two white packs, one with a blue print, one with a red print.
        let m = AppearanceMemory(references: ["BLUE": [Colour.onWhite(Colour.blue(100), share: 0.5, seed: 101)],
                                              "RED": [Colour.onWhite(Colour.red(100), share: 0.5, seed: 102)]])
        // The blue pack seen mostly white (glare, its edges against the bag), scanned as the red one.
        let washed = Colour.onWhite(Colour.blue(1), share: 0.03, seed: 2)
        // Counting the white as much as the colour, the two packs look nearly alike…
        let plainGap = washed.similarity(Colour.onWhite(Colour.blue(100), share: 0.5, seed: 101))
            - washed.similarity(Colour.onWhite(Colour.red(100), share: 0.5, seed: 102))
        #expect(plainGap < margin)
        // …but its little colour says which one it is.
        let switched = m.assess(seen: washed, scanned: "RED", margin: margin)
        #expect(switched.verdict == .wrong)
        #expect(switched.seenLike == "BLUE")
        #expect(m.assess(seen: washed, scanned: "BLUE", margin: margin).verdict == .normal)
        // A product with almost no colour is still recognised by its white.
        let plain = AppearanceMemory(references: ["MILK": [Colour.onWhite(Colour.blue(100), share: 0.05, seed: 103)],
                                                  "RED": [Colour.onWhite(Colour.red(100), share: 0.5, seed: 102)]])
        #expect(plain.assess(seen: Colour.white(3), scanned: "MILK", margin: margin).verdict == .normal)
        #expect(plain.assess(seen: Colour.white(3), scanned: "RED", margin: margin).verdict == .wrong)
    }

    @Test func tooFewPixelsSayNothing() {
        let m = AppearanceMemory(references: ["A": [Colour.red(100)], "B": [Colour.blue(100)]])
        let tiny = look(y: 80, u: 190, v: 110, seed: 1, pixels: 10)
        #expect(m.assess(seen: tiny, scanned: "A", margin: margin).verdict == .noModel)
    }

    @Test func aLearnedModelNeedsTwoConsistentExemplars() {
        var m = AppearanceMemory()
        m.learn(Colour.red(1), sku: "A")
        #expect(!m.isTrusted("A"))
        m.learn(Colour.red(2), sku: "A")
        #expect(m.isTrusted("A"))

        var n = AppearanceMemory()
        n.learn(Colour.blue(1), sku: "A")
        n.learn(Colour.red(2), sku: "A")
        #expect(!n.isTrusted("A"))
    }

    @Test func aBadFirstExemplarIsOutvoted() {
        var m = AppearanceMemory()
        m.learn(Colour.blue(1), sku: "A")  // a barcode switch before A was known
        m.learn(Colour.red(2), sku: "A")
        m.learn(Colour.red(3), sku: "A")
        #expect(m.isTrusted("A"))
        #expect((m.similarity(Colour.red(4), sku: "A") ?? 0) > 0.85)
        #expect((m.similarity(Colour.blue(5), sku: "A") ?? 1) < 0.2)
        m.learn(Colour.blue(6), sku: "B")
        m.learn(Colour.blue(7), sku: "B")
        let a = m.assess(seen: Colour.blue(8), scanned: "A", margin: margin)
        #expect(a.verdict == .wrong && a.seenLike == "B")
        #expect(m.assess(seen: Colour.red(9), scanned: "A", margin: margin).verdict == .normal)
    }

    @Test func anEstablishedModelFlagsWhatIsFarBelowItsUsualSpread() {
        var m = AppearanceMemory()
        for k in 0..<6 { m.learn(Colour.red(UInt64(10 + k)), sku: "A") }
        #expect(m.isEstablished("A"))
        let odd = m.assess(seen: Colour.green(1), scanned: "A", margin: margin)
        #expect(odd.verdict == .wrong)
        #expect(odd.seenLike == nil)
        #expect(m.assess(seen: Colour.red(99), scanned: "A", margin: margin).verdict == .normal)
    }

    @Test func exemplarsPerSKUAreCapped() {
        var m = AppearanceMemory()
        for k in 0..<40 { m.learn(Colour.red(UInt64(k)), sku: "A") }
        #expect(m.exemplarCount(sku: "A") == m.parameters.maxExemplars)
    }

    func tempURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("rules-tests-\(UInt64.random(in: 0...UInt64.max))-\(name)")
    }

    @Test func persistenceRoundTrip() throws {
        var m = AppearanceMemory(references: ["Z": [Colour.green(1)]])
        for k in 0..<3 {
            m.learn(Colour.red(UInt64(k)), sku: "A")
            m.learn(Colour.blue(UInt64(k)), sku: "B")
        }
        let url = tempURL("memory.json")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.save(to: url)

        let back = try AppearanceMemory.load(from: url)
        #expect(back.exemplarCount(sku: "A") == 3 && back.exemplarCount(sku: "B") == 3)
        #expect(back.exemplarCount(sku: "Z") == 0)  // references are the catalog's, not saved
        #expect(back.isTrusted("A") && back.isTrusted("B"))
        let probe = Colour.red(50)
        #expect(abs((back.similarity(probe, sku: "A") ?? 0) - (m.similarity(probe, sku: "A") ?? 1)) < 1e-5)
        // Loaded exemplars weigh less than ones learned now.
        #expect(back.models["A"]!.exemplars.allSatisfy { $0.loaded && $0.weight == back.parameters.loadedWeight })
        #expect(m.models["A"]!.exemplars.allSatisfy { !$0.loaded && $0.weight == 1 })
        let a = back.assess(seen: Colour.blue(60), scanned: "A", margin: margin)
        #expect(a.verdict == .wrong && a.seenLike == "B")
    }

    @Test func loadedExemplarsAreTheFirstToMakeRoom() throws {
        var m = AppearanceMemory()
        for k in 0..<24 { m.learn(Colour.red(UInt64(k)), sku: "A") }
        let url = tempURL("full.json")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.save(to: url)
        var back = try AppearanceMemory.load(from: url)
        for k in 0..<5 { back.learn(Colour.red(UInt64(100 + k)), sku: "A") }
        let ex = back.models["A"]!.exemplars
        #expect(ex.count == 24)
        #expect(ex.filter { !$0.loaded }.count == 5)
    }

    @Test func badFilesAreRejectedWithTheFileAndField() throws {
        func write(_ text: String) -> URL {
            let u = tempURL("bad.json")
            try? Data(text.utf8).write(to: u)
            return u
        }
        let n = AppearanceDescriptor.binCount
        let bad = [
            ("{\"format\": \"lanesight-appearance/2\", \"bin_count\": \(n), \"skus\": {\"A\": [{\"pixels\": 5, \"bins\": [400], \"mass\": [1]}]}}", "skus.A[0].bins"),
            ("{\"format\": \"lanesight-appearance/2\", \"bin_count\": \(n), \"skus\": {\"A\": [{\"pixels\": 5, \"bins\": [1, 2], \"mass\": [1]}]}}", "skus.A[0]"),
            ("{\"format\": \"something-else\", \"bin_count\": \(n), \"skus\": {}}", "format"),
            ("{\"format\": \"lanesight-appearance/2\", \"bin_count\": 64, \"skus\": {}}", "bin_count"),
            ("{\"format\": \"lanesight-appearance/2\", \"skus\": {}}", "bin_count"),
        ]
        for (text, field) in bad {
            let u = write(text)
            defer { try? FileManager.default.removeItem(at: u) }
            var m = AppearanceMemory()
            #expect {
                try m.load(from: u)
            } throws: { error in
                guard let e = error as? InputError else { return false }
                return e.file == u.path && e.field == field && !e.message.isEmpty
            }
            #expect(m.knownSKUs.isEmpty)
        }
        let syntax = write("{\"format\": \n\"lanesight-appearance/2\",, }")
        defer { try? FileManager.default.removeItem(at: syntax) }
        #expect(throws: InputError.self) { try AppearanceMemory.load(from: syntax) }
        let missing = tempURL("missing.json")
        #expect {
            try AppearanceMemory.load(from: missing)
        } throws: { error in
            (error as? InputError).map { $0.description.contains(missing.path) } ?? false
        }
    }
}
