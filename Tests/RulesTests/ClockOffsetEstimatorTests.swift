import Contract
import Testing
@testable import Rules

@Suite struct ClockOffsetEstimatorTests {
    /// Passes every 2–5 s, each scanned within ±1 s of its crossing, POS stamped with `offset`.
    func feed(offset: Double, passes: Int, seed: UInt64, settings: RuleSettings = RuleSettings()) -> ClockOffsetEstimator {
        var rng = SplitMix(seed)
        var e = ClockOffsetEstimator(settings: settings)
        var t = t0
        for _ in 0..<passes {
            t += Double.random(in: 2...5, using: &rng)
            e.addPass(reference: t)
            e.addScan(posTime: t + Double.random(in: -1...1, using: &rng) + offset)
        }
        return e
    }

    @Test(arguments: [2.7, -2.9, 0.0, 1.3])
    func estimatesAnUnknownOffsetFromTwentyPasses(offset: Double) {
        var trusted = 0
        for seed in UInt64(1)...40 {
            var e = feed(offset: offset, passes: 20, seed: seed &* 7919)
            let est = e.estimate(force: true)
            #expect(abs(est.offset - offset) <= 0.3, "seed \(seed): \(est.offset) vs \(offset)")
            #expect(est.support >= 15)
            if est.trusted { trusted += 1 }
        }
        // Trust needs a clear margin over every alias; 20 passes almost always give it.
        #expect(trusted >= 36)
    }

    @Test func toleratesMissingScansAndScansWithoutPasses() {
        var rng = SplitMix(99)
        var e = ClockOffsetEstimator(settings: RuleSettings())
        var t = t0
        for k in 0..<40 {
            t += Double.random(in: 2...5, using: &rng)
            e.addPass(reference: t)
            if k % 5 != 0 { e.addScan(posTime: t + Double.random(in: -1...1, using: &rng) + 2.2) }
            if k % 7 == 0 { e.addScan(posTime: t + Double.random(in: 1...2, using: &rng) + 2.2) }  // a keyed extra
        }
        let est = e.estimate(force: true)
        #expect(abs(est.offset - 2.2) <= 0.3)
        #expect(est.trusted)
    }

    @Test func fewSamplesAreNotTrusted() {
        var e = feed(offset: 1.0, passes: 3, seed: 5)
        #expect(!e.estimate().trusted)
    }

    /// Passes exactly `every` seconds apart, each scanned 1 s after its crossing ± `jitter` (offset 1).
    func steady(every period: Double, passes: Int, jitter: Double, seed: UInt64) -> ClockOffsetEstimator {
        var e = ClockOffsetEstimator(settings: RuleSettings())
        var rng = SplitMix(seed)
        for k in 0..<passes {
            let t = t0 + Double(k) * period
            e.addPass(reference: t)
            e.addScan(posTime: t + 1.0 + Double.random(in: -jitter...jitter, using: &rng))
        }
        return e
    }

    @Test func strictlyPeriodicPassesAreAmbiguousAndNotTrusted() {
        // Every 2 s exactly: an offset one period away explains the scans just as well.
        var e = steady(every: 2, passes: 40, jitter: 1, seed: 3)
        #expect(!e.estimate(force: true).trusted)
    }

    /// At a steady pace the offset one period away is named as the rival,
    /// for the rules to weigh with what the items looked like.
    @Test func theAliasAPeriodAwayIsTheRival() {
        var e = steady(every: 4, passes: 12, jitter: 0.3, seed: 8)
        let est = e.estimate(force: true)
        #expect(abs(est.offset - 1.0) < 0.3)
        #expect(abs((est.rival ?? 99) + 3.0) < 0.3)
    }

    /// The POS journal is read ahead of the video: scans whose crossings are
    /// not reported yet leave the estimate as it was without them.
    @Test func scansNotYetDueDoNotVote() {
        var rng = SplitMix(21)
        var now = ClockOffsetEstimator(settings: RuleSettings())
        var t = t0
        for _ in 0..<12 {
            t += Double.random(in: 3.5...5, using: &rng)
            now.addPass(reference: t)
            now.addScan(posTime: t + Double.random(in: -0.8...0.8, using: &rng) - 2.3)
        }
        var ahead = now
        // The next customer's first scans; their passes come later.
        for k in 1...3 { ahead.addScan(posTime: t + 8 + Double(k) * 4) }
        let without = now.estimate(force: true)
        let cut = ahead.estimate(force: true, scansUntil: t + 1)
        #expect(cut == without)
        #expect(abs(cut.offset + 2.3) < 0.4)
    }

    /// A hand's crossing that turns out to be an item pass's carry is taken
    /// back, so the carry votes once.
    @Test func aCrossingTakenBackNoLongerVotes() {
        var e = feed(offset: 1.0, passes: 12, seed: 4)
        let before = e.sampleCount
        e.addPass(reference: t0 + 1000)
        #expect(e.sampleCount == before + 1)
        e.removePass(reference: t0 + 1000)
        e.removePass(reference: t0 + 2000)  // never added: nothing happens
        #expect(e.sampleCount == before)
        #expect(abs(e.estimate(force: true).offset - 1.0) <= 0.3)
    }

    @Test func aConfiguredOffsetIsUsedAsIs() {
        var s = RuleSettings()
        s.clockOffset = -1.25
        var e = feed(offset: 2.0, passes: 20, seed: 1, settings: s)
        let est = e.estimate(force: true)
        #expect(est.offset == -1.25)
        #expect(est.fixed && est.trusted)
    }

    @Test func neverLeavesTheConfiguredRange() {
        var s = RuleSettings()
        s.clockOffsetMax = 1.0
        var e = feed(offset: 2.5, passes: 30, seed: 11, settings: s)
        let est = e.estimate(force: true)
        #expect(abs(est.offset) <= 1.0)
    }

    @Test func memoryIsBoundedAndTheEstimateFollowsRecentData() {
        var rng = SplitMix(8)
        var e = ClockOffsetEstimator(settings: RuleSettings())
        var t = t0
        for k in 0..<3000 {
            t += Double.random(in: 2...5, using: &rng)
            e.addPass(reference: t)
            // The POS clock was reset once, early on.
            let off = k < 1000 ? -1.5 : 1.5
            e.addScan(posTime: t + Double.random(in: -1...1, using: &rng) + off)
            #expect(e.sampleCount <= 2 * e.parameters.capacity)
        }
        let est = e.estimate(force: true)
        #expect(abs(est.offset - 1.5) <= 0.3)
    }
}
