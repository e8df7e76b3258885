import Contract
import Foundation
import LaneCore
import Testing
@testable import Simulator

private func config(seed: UInt64 = 1, minutes: Double = 5, width: Int = 1280, height: Int = 720,
                    direction: FlowDirection = .leftToRight, side: CustomerSide = .bottom, noise: Double = 1) -> SimulationConfig {
    var c = SimulationConfig()
    c.seed = seed
    c.minutes = minutes
    c.width = width
    c.height = height
    c.direction = direction
    c.customerSide = side
    c.noise = noise
    return c
}

@Suite struct ScriptTests {
    @Test func sameSeedSameFiles() throws {
        let a = Session(config: config(seed: 7, minutes: 2, width: 320, height: 180))
        let b = Session(config: config(seed: 7, minutes: 2, width: 320, height: 180))
        #expect(a.posJSONL() == b.posJSONL())
        #expect(try a.truthJSON() == b.truthJSON())
        #expect(a.laneJSON() == b.laneJSON())
        #expect(a.catalogJSON() == b.catalogJSON())
        let ra = SceneRenderer(script: a.script, config: a.config), rb = SceneRenderer(script: b.script, config: b.config)
        for f in [0, 200, 901] { #expect(ra.render(frame: f).pixels == rb.render(frame: f).pixels) }
        let c = Session(config: config(seed: 8, minutes: 2, width: 320, height: 180))
        #expect(c.posJSONL() != a.posJSONL())
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func everyExceptionTypeInFiveMinutes(seed: UInt64) {
        let s = Session(config: config(seed: seed)).script
        let kinds = Set(s.incidents.map(\.kind))
        #expect(kinds == Set(IncidentType.allCases.map(\.rawValue)), "seed \(seed): \(kinds.sorted())")
        // And the rate is about what was asked for.
        let share = Double(s.passes.filter { $0.incident != nil }.count) / Double(s.passes.count)
        #expect(share > 0.2 && share < 0.4, "seed \(seed): \(share)")
        #expect(s.passes.count >= 25, "seed \(seed): only \(s.passes.count) passes")
        #expect(s.transactions >= 4)
    }

    @Test(arguments: [(1, FlowDirection.leftToRight, CustomerSide.bottom), (2, .rightToLeft, .bottom), (3, .leftToRight, .top), (4, .rightToLeft, .top)] as [(UInt64, FlowDirection, CustomerSide)])
    func truthSpansFollowTheItems(seed: UInt64, direction: FlowDirection, side: CustomerSide) {
        let s = Session(config: config(seed: seed, direction: direction, side: side)).script
        let L = s.layout
        #expect(!s.passes.isEmpty)
        for p in s.passes {
            let centre = { (t: Double) in s.handState(p.hand, t)!.grip.p }
            // The carried item really is each object, not just the grip.
            if p.objects.count == 1 {
                let d = (s.objectPose(p.objects[0], (p.leavePickup + p.reachBagging) / 2)!.pose.p - centre((p.leavePickup + p.reachBagging) / 2)).length
                #expect(d < 1e-6)
            }
            // (A group of items can be gripped from a centre outside the basket: then it "leaves" at once.)
            #expect(L.inPickup(centre(p.leavePickup - 0.01)) || p.leavePickup == p.grab)
            #expect(!L.inPickup(centre(p.leavePickup + 0.01)))
            #expect(L.inBagging(centre(p.reachBagging + 0.005)))
            #expect(!L.inBagging(centre(p.reachBagging - 0.01)))
            let span = p.reachBagging - p.leavePickup
            #expect(span > 0.3 && span < 6, "pass span \(span)")
            if p.path == "around_scanner" {
                for k in 0...100 {
                    let t = p.leavePickup + span * Double(k) / 100
                    #expect(!L.inScan(centre(t)))
                }
            } else {
                let a = p.scanEnter!, b = p.scanLeave!
                #expect(a > p.leavePickup && b < p.reachBagging)
                for k in 1..<50 { #expect(L.inScan(centre(a + (b - a) * Double(k) / 50))) }
                #expect(!L.inScan(centre(a - 0.01)))
                #expect(!L.inScan(centre(b + 0.01)))
            }
        }
        // Incidents carry exactly those spans.
        for i in s.incidents where i.kind != "occlusion" {
            let p = s.passes.first { $0.incident == i.kind && ($0.scanEnter ?? $0.leavePickup) == i.t0 }
            #expect(p != nil, "\(i.kind) at \(i.t0) has no pass")
            if let p {
                if i.kind == "missed_scan" {
                    #expect(p.path == "around_scanner" && i.t0 == p.leavePickup && i.t1 == p.reachBagging)
                } else {
                    #expect(p.path == "over_scanner" && i.t1 == p.scanLeave)
                }
                if i.kind == "multi_item" { #expect(p.objects.count >= 2) }
            }
        }
        for i in s.incidents where i.kind == "occlusion" { #expect(i.t1 - i.t0 >= 3, "occlusion of \(i.t1 - i.t0) s") }
    }

    @Test func posTimesAreCrossingPlusOffsetPlusJitter() {
        for seed in [1, 5] as [UInt64] {
            var c = config(seed: seed)
            if seed == 5 { c.clockOffset = -2.25 }
            let session = Session(config: c)
            let s = session.script
            if seed == 5 { #expect(s.clockOffset == -2.25) }
            #expect(abs(s.clockOffset) <= 3)
            let items = session.posEvents().filter { $0.type == .item }
            let scanned = s.passes.filter { p in ["normal", "wrong_scan", "multi_item"].contains(p.incident ?? "normal") }
            #expect(items.count >= scanned.count)
            for e in items {
                let camera = e.time - c.videoStart - s.clockOffset
                let nearest = s.passes.compactMap { p -> Double? in
                    guard let a = p.scanEnter, let b = p.scanLeave else { return nil }
                    return abs(camera - (a + b) / 2)
                }.min() ?? .infinity
                #expect(nearest <= 1.0015, "item at \(camera) is \(nearest) s from any crossing")
            }
            // Nothing registered for passes that should have none.
            for p in s.passes where p.incident == "fake_scan" || p.incident == "missed_scan" {
                let lo = (p.scanEnter ?? p.leavePickup) - 1, hi = (p.scanLeave ?? p.reachBagging) + 1
                let hits = items.filter { e in
                    let camera = e.time - c.videoStart - s.clockOffset
                    return camera > lo && camera < hi && s.passes.allSatisfy { q in
                        guard let a = q.scanEnter, let b = q.scanLeave, q.incident != "fake_scan" else { return true }
                        return abs(camera - (a + b) / 2) > 1.0015
                    }
                }
                #expect(hits.isEmpty)
            }
            // Every transaction opens before its first item and closes with a total.
            let events = session.posEvents()
            for txn in Set(events.compactMap(\.transaction)) {
                let ev = events.filter { $0.transaction == txn }
                #expect(ev.first?.type == .transactionStart)
                #expect(ev.last?.type == .transactionEnd)
                let sum = ev.filter { $0.type == .item }.compactMap(\.unitPrice).reduce(0, +) - ev.filter { $0.type == .void }.compactMap(\.unitPrice).reduce(0, +)
                #expect(abs((ev.last?.total ?? -1) - sum) < 0.011)
            }
            #expect(Set(events.compactMap(\.id)).count == events.count)
        }
    }

    @Test(arguments: FlowDirection.allCases)
    func laneZonesInsideTheFrame(direction: FlowDirection) throws {
        for seed in 1...6 as ClosedRange<UInt64> {
            for side in CustomerSide.allCases {
                let session = Session(config: config(seed: seed, minutes: 0.5, direction: direction, side: side))
                let obj = try #require(try JSONSerialization.jsonObject(with: session.laneJSON()) as? [String: Any])
                #expect(obj["store"] as? String == "0042")
                #expect(obj["kind"] as? String == "self_checkout")
                let zones = try #require(obj["zones"] as? [[String: Any]])
                #expect(Set(zones.compactMap { $0["role"] as? String }) == ["pickup", "scan", "bagging"])
                for z in zones {
                    let poly = try #require(z["polygon"] as? [[Double]])
                    #expect(poly.count >= 3)
                    for p in poly { #expect(p.count == 2 && (0...1).contains(p[0]) && (0...1).contains(p[1])) }
                }
            }
        }
    }

    @Test(arguments: CustomerSide.allCases)
    func customerOnTheConfiguredSide(side: CustomerSide) {
        let cfg = config(seed: 3, minutes: 1, width: 320, height: 180, side: side, noise: 0)
        let session = Session(config: cfg)
        let r = SceneRenderer(script: session.script, config: cfg)
        let c = session.script.customers[0]
        let empty = r.renderClean(at: 0).pixels
        let busy = r.renderClean(at: c.arrive1 + 1.5).pixels
        func changed(rows: Range<Int>) -> Int {
            var n = 0
            for y in rows {
                for x in 0..<cfg.width {
                    let i = (y * cfg.width + x) * 3
                    if abs(Int(empty[i]) - Int(busy[i])) + abs(Int(empty[i + 1]) - Int(busy[i + 1])) + abs(Int(empty[i + 2]) - Int(busy[i + 2])) > 60 { n += 1 }
                }
            }
            return n
        }
        let band = cfg.height * 15 / 100
        let top = changed(rows: 0..<band), bottom = changed(rows: (cfg.height - band)..<cfg.height)
        if side == .bottom { #expect(bottom > 400 && bottom > 5 * top, "top \(top) bottom \(bottom)") }
        else { #expect(top > 400 && top > 5 * bottom, "top \(top) bottom \(bottom)") }
    }

    @Test func rightToLeftMirrorsTheFlow() {
        let ltr = Session(config: config(seed: 4, minutes: 2)).script
        let rtl = Session(config: config(seed: 4, minutes: 2, direction: .rightToLeft)).script
        func cx(_ p: [V2]) -> Double { Polygon.centroid(p).x }
        #expect(cx(ltr.layout.pickupNorm) < cx(ltr.layout.scanNorm) && cx(ltr.layout.scanNorm) < cx(ltr.layout.baggingNorm))
        #expect(cx(rtl.layout.pickupNorm) > cx(rtl.layout.scanNorm) && cx(rtl.layout.scanNorm) > cx(rtl.layout.baggingNorm))
        #expect(abs(cx(rtl.layout.pickupNorm) - (1 - cx(ltr.layout.pickupNorm))) < 0.05)
        #expect(ltr.passes.count == rtl.passes.count)
        for (a, b) in zip(ltr.passes, rtl.passes) {
            let la = ltr.layout.normalized(ltr.handState(a.hand, a.leavePickup)!.grip.p)
            let lb = ltr.layout.normalized(ltr.handState(a.hand, a.reachBagging)!.grip.p)
            let ra = rtl.layout.normalized(rtl.handState(b.hand, b.leavePickup)!.grip.p)
            let rb = rtl.layout.normalized(rtl.handState(b.hand, b.reachBagging)!.grip.p)
            #expect(lb.x > la.x && rb.x < ra.x)
            #expect(abs(ra.x - (1 - la.x)) < 0.05)
        }
    }

    @Test(arguments: [2, 5, 9, 11, 13] as [UInt64])
    func occludersCoverMostOfTheScanner(seed: UInt64) {
        let cfg = config(seed: seed, minutes: 5, width: 640, height: 360, noise: 0)
        let session = Session(config: cfg)
        let s = session.script
        let r = SceneRenderer(script: s, config: cfg)
        let counter = CounterPainter.paint(s.layout, seed: cfg.seed)
        var checked = 0
        for i in s.incidents where i.kind == "occlusion" && i.note != "camera view blocked" {
            let frame = r.renderClean(at: (i.t0 + i.t1) / 2).pixels
            var inside = 0, covered = 0
            for y in 0..<cfg.height {
                for x in 0..<cfg.width {
                    let p = V2((Double(x) + 0.5) / Double(cfg.width), (Double(y) + 0.5) / Double(cfg.height))
                    guard Polygon.contains(s.layout.scanNorm, p) else { continue }
                    inside += 1
                    let k = (y * cfg.width + x) * 3
                    if abs(Int(frame[k]) - Int(counter[k])) + abs(Int(frame[k + 1]) - Int(counter[k + 1])) + abs(Int(frame[k + 2]) - Int(counter[k + 2])) > 30 { covered += 1 }
                }
            }
            let share = Double(covered) / Double(inside)
            #expect(share >= 0.6, "\(i.note ?? "") covers \(share)")
            checked += 1
        }
        #expect(checked > 0)
    }
}

@Suite struct OutputTests {
    @Test func writesEveryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var cfg = config(seed: 11, minutes: 0.75, width: 320, height: 180)
        cfg.clockOffset = 1.5
        let summary = try LaneSimulator.run(cfg, to: dir)
        #expect(summary.frames == 675)
        for f in ["video.mp4", "pos.jsonl", "lane.json", "catalog.json", "truth.json"] {
            let size = (try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(f).path)[.size] as? Int) ?? 0
            #expect(size > 0, "\(f)")
        }
        let truth = try JSONDecoder().decode(TruthFile.self, from: Data(contentsOf: dir.appendingPathComponent("truth.json")))
        #expect(truth.format == TruthFile.currentFormat && truth.clockOffsetS == 1.5 && truth.videoStart == "2026-11-02T09:00:00.000Z")
        #expect(truth.passes == summary.passes)
        let catalog = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("catalog.json"))) as? [String: Any])
        let items = try #require(catalog["items"] as? [[String: Any]])
        #expect((10...20).contains(items.count))
        for item in items {
            let image = try #require((item["images"] as? [String])?.first)
            let png = try Data(contentsOf: dir.appendingPathComponent(image))
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            #expect(png[25] == 6)  // RGBA
        }
        for line in try String(contentsOf: dir.appendingPathComponent("pos.jsonl"), encoding: .utf8).split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(o["store"] as? String == "0042" && o["lane"] as? String == "sco-03")
            #expect(ISOTime.parseEpochSeconds(o["time"] as? String ?? "") != nil)
        }
    }

    @Test func rejectsBadConfig() {
        var c = SimulationConfig()
        c.width = 321
        #expect(throws: SimulationError.self) { try LaneSimulator.run(c, to: FileManager.default.temporaryDirectory) }
        c = SimulationConfig()
        c.exceptionRate = 1.5
        #expect(throws: SimulationError.self) { try LaneSimulator.run(c, to: FileManager.default.temporaryDirectory) }
    }

    @Test func pngRoundTripsThroughTheHeader() {
        let d = PNGWriter.encode(width: 3, height: 2, channels: 3, pixels: [UInt8](repeating: 7, count: 18))
        #expect(d.count > 40)
        #expect(PNGWriter.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    }
}
