import Contract
import Testing
import Vision
@testable import Rules

@Suite struct PassScanMatcherTests {
    func over(_ ref: Double, capacity: Int = 1) -> PassScanMatcher.Candidate {
        PassScanMatcher.Candidate(interval: (ref - 0.4)...(ref + 0.4), reference: ref, capacity: capacity)
    }

    @Test func scansWithinTheWindowMatchTheirPass() {
        let m = PassScanMatcher(window: 2)
        let a = m.assign(passes: [over(10), over(20)], unitTimes: [10.1, 18.5, 30])
        #expect(a == [0, 1, nil])
    }

    @Test func scanJustOutsideTheWindowDoesNotMatch() {
        let m = PassScanMatcher(window: 2)
        // Interval ends at 10.4; window 2 → last matching moment 12.4.
        #expect(m.assign(passes: [over(10)], unitTimes: [12.5]) == [nil])
        #expect(m.assign(passes: [over(10)], unitTimes: [12.3]) == [0])
        #expect(m.assign(passes: [over(10)], unitTimes: [7.7]) == [0])
    }

    @Test func eachScanGoesToOnePassAndAPassTakesAtMostItsCapacity() {
        let m = PassScanMatcher(window: 2)
        let a = m.assign(passes: [over(10)], unitTimes: [9.9, 10.2, 10.4])
        #expect(a.compactMap { $0 }.count == 1)
        let b = m.assign(passes: [over(10, capacity: 3)], unitTimes: [9.9, 10.2, 10.4, 10.6])
        #expect(b.compactMap { $0 }.count == 3)
    }

    @Test func denseJitteredScansKeepOrderAndAreNotStolen() {
        // Passes 2 s apart; each scan lands late, nearer the next pass's start.
        let m = PassScanMatcher(window: 2)
        let passes = (0..<10).map { over(Double($0) * 2) }
        let scans = (0..<10).map { Double($0) * 2 + 0.95 }
        let a = m.assign(passes: passes, unitTimes: scans)
        #expect(a == (0..<10).map { Optional($0) })
    }

    @Test func aLaterPassDoesNotStealAnEarlierScanWhenAnotherIsCloser() {
        // Pass 1 (t=0) has no scan; pass 2 (t=2) scanned at 1.2; pass 3 (t=4) scanned at 3.1.
        // Greedy-by-time would hand 1.2 to pass 1 and 3.1 to pass 2, flagging pass 3.
        let m = PassScanMatcher(window: 2)
        let a = m.assign(passes: [over(0), over(2), over(4)], unitTimes: [1.2, 3.1])
        #expect(a == [1, 2])
    }

    @Test func aScanOfAPassNotSeenYetDoesNotShiftTheOthers() {
        // Pass at 2 got no scan; 5.1 belongs to a pass at 6 not reported yet.
        let m = PassScanMatcher(window: 2)
        let passes = [over(0), over(2), over(4)]
        let units = [-0.9, 3.1, 5.1]
        // Without the stand-in, everything shifts one pass early to match all three.
        #expect(m.assign(passes: passes, unitTimes: units) == [0, 1, 2])
        #expect(m.assign(passes: passes, unitTimes: units, laterPassesFrom: 5.5) == [0, 2, nil])
    }

    @Test func passOrderIsByReferenceWhateverTheInputOrder() {
        let m = PassScanMatcher(window: 2)
        let a = m.assign(passes: [over(20), over(10)], unitTimes: [20.3, 10.3])
        #expect(a == [0, 1])
    }

    @Test func overScannerBeatsAroundScannerForAnAmbiguousScan() {
        let m = PassScanMatcher(window: 2)
        let around = PassScanMatcher.Candidate(interval: 8.9...11.1, reference: 10, capacity: 1, around: true)
        let a = m.assign(passes: [around, over(10.6)], unitTimes: [10.4])
        #expect(a == [1])
    }

    @Test func quantityCountsAsThatManyScans() {
        func item(_ q: Double?) -> POSEvent {
            POSEvent(time: 0, store: "s", lane: "l", type: .item, sku: "1", quantity: q)
        }
        #expect(PassScanMatcher.units(of: item(nil)) == 1)
        #expect(PassScanMatcher.units(of: item(3)) == 3)
        #expect(PassScanMatcher.units(of: item(0.532)) == 1)
        #expect(PassScanMatcher.units(of: item(1000)) == PassScanMatcher.maxUnitsPerLine)
    }

    @Test func independentGroupsAreSolvedSeparatelyAndAgree() {
        let m = PassScanMatcher(window: 2)
        var passes: [PassScanMatcher.Candidate] = []
        var scans: [Double] = []
        for k in 0..<300 {
            passes.append(over(Double(k) * 10))
            scans.append(Double(k) * 10 + 0.5)
        }
        let a = m.assign(passes: passes, unitTimes: scans)
        #expect(a == (0..<300).map { Optional($0) })
    }
}
