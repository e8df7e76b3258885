import Testing
import LaneCore
@testable import Vision

/// The hand's scanning motion, from where the hand is frame by frame.
@Suite struct HandWatchTests {
    static let box = NormalizedRect(x: 0.5, y: 0.4, width: 0.05, height: 0.05)

    /// Feeds `zones` ("P" pickup, "S" scanner, "B" bagging, "-" between, "." no hand) at `fps`.
    func run(_ zones: String, fps: Double = 10)
        -> (passes: [PassObservation], dropped: [Int], snapshots: [SnapshotRequest], around: [PassObservation]) {
        var watch = HandWatch()
        var next = 1
        var passes: [PassObservation] = [], dropped: [Int] = [], snaps: [SnapshotRequest] = [], around: [PassObservation] = []
        for (k, c) in zones.enumerated() {
            let t = 100 + Double(k) / fps
            let s: HandSample? = c == "." ? nil
                : HandSample(time: t, inPickup: c == "P", inScan: c == "S", atBagging: c == "B", box: Self.box)
            let step = watch.observe(s, time: t) { next += 1; return next - 1 }
            if let p = step.pass { passes.append(p) }
            dropped += step.dropped
            snaps += step.snapshots
            if let c = step.aroundCandidate { around.append(c) }
        }
        return (passes, dropped, snaps, around)
    }

    /// Straight from the basket to the bag beside the scanner: no pass, but a
    /// candidate carry around it (the vision keeps it if the bag changed).
    /// Too slow, it is not even that.
    @Test func basketToBagBesideTheScannerIsACandidateCarryAround() throws {
        let r = run("PPPP---BBB")
        #expect(r.passes.isEmpty && r.dropped.isEmpty)
        let c = try #require(r.around.first)
        #expect(r.around.count == 1)
        #expect(c.itemHidden && c.path == .aroundScanner && c.scanEnter == nil)
        #expect(abs(c.start - 100.3) < 1e-9 && abs(c.end - 100.7) < 1e-9)
        #expect(r.snapshots.map(\.slot) == [2] && r.snapshots.first?.passID == c.id)
        let slow = run("PPPP" + String(repeating: "-", count: 35) + "BBB")
        #expect(slow.around.isEmpty && slow.dropped == [1])
        // Over the scanner, however briefly, is not around it.
        #expect(run("PPPP--SSS--BBB").around.isEmpty)
    }

    @Test func pickupThenHeldOverTheScannerThenTheBagIsAPass() throws {
        let r = run("PPPP--SSSSSSSSSS--BBB")
        #expect(r.passes.count == 1)
        let p = try #require(r.passes.first)
        #expect(p.itemHidden && p.path == .overScanner && p.appearance == nil && p.itemArea == nil)
        #expect(p.itemConfidence == HandWatch.itemConfidence)
        #expect(abs(p.start - 100.3) < 1e-9)          // last seen at the pickup zone
        #expect(abs((p.scanEnter ?? 0) - 100.6) < 1e-9 && abs((p.scanLeave ?? 0) - 101.5) < 1e-9)
        #expect(abs(p.end - 101.8) < 1e-9)             // at the bag
        #expect(Set(r.snapshots.map(\.slot)) == [0, 1, 2] && r.snapshots.allSatisfy { $0.passID == p.id })
    }

    @Test func aSweepAcrossTheScannerIsNot() {
        // 0.3 s over the bed: an empty hand crossing the lane.
        let r = run("PPPP--SSSS--BBB")
        #expect(r.passes.isEmpty)
        #expect(r.dropped == [1])
    }

    @Test func heldOverTheScannerAndTakenBackToTheBasketIsNot() {
        let r = run("PPPP--SSSSSSSSSS--PPPP")
        #expect(r.passes.isEmpty)
        #expect(r.dropped == [1])  // the second motion, from the basket again, is still open
    }

    @Test func aHandThatNeverCameFromThePickupZoneIsNot() {
        // Reaching over the scanner to the bag from the customer's side, or to the screen.
        #expect(run("----SSSSSSSSSSS--BBB").passes.isEmpty)
    }

    @Test func aHandLostForASecondEndsTheMotion() {
        let r = run("PPPP--SSSSSSSSSS" + String(repeating: ".", count: 12) + "BBB")
        #expect(r.passes.isEmpty)
        #expect(r.dropped == [1])
        // A moment's loss is not.
        #expect(run("PPPP--SSSSS...SSSSS--BBB").passes.count == 1)
    }

    /// Held at the bed's edge, the hand flickers in and out of the zone: the
    /// time it was seen over the bed counts, however broken.
    @Test func aHandFlickeringAtTheScannersEdgeIsStillPresenting() throws {
        let r = run("PPP-SSS--SSS--SSS--BBB")
        #expect(r.passes.count == 1)
        let p = try #require(r.passes.first)
        #expect(abs((p.scanEnter ?? 0) - 100.4) < 1e-9 && abs((p.scanLeave ?? 0) - 101.6) < 1e-9)
        // The same broken presence, but too short in all: a sweep.
        #expect(run("PPP-SS--SS--SS--BBB").passes.isEmpty)
        // A stray frame at the bed's edge well before: the presentation starts after it.
        let late = try #require(run("PPP-S---------------SSSSSSSSS--BBB").passes.first)
        #expect(abs((late.scanEnter ?? 0) - 102.0) < 1e-9)
    }

    @Test func twoPresentationsInARowAreTwoPasses() {
        let r = run("PPP-SSSSSSSSS-BBB-PPP-SSSSSSSSS-BBB")
        #expect(r.passes.count == 2)
        #expect(Set(r.passes.map(\.id)).count == 2)
    }
}
