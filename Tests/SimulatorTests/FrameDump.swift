import Foundation
import Testing
@testable import Simulator

// A tool more than a test: frames, the script and render timings for a person to look at.
// Runs only when LANESIGHT_SIM_DUMP names a folder (see docs/simulator.md).
@Test(.enabled(if: ProcessInfo.processInfo.environment["LANESIGHT_SIM_DUMP"] != nil))
func dumpFrames() throws {
    let dir = ProcessInfo.processInfo.environment["LANESIGHT_SIM_DUMP"]!
    let env = ProcessInfo.processInfo.environment
    var cfg = SimulationConfig()
    cfg.seed = UInt64(env["SIM_SEED"] ?? "1") ?? 1
    cfg.minutes = Double(env["SIM_MINUTES"] ?? "2") ?? 2
    if env["SIM_RTL"] != nil { cfg.direction = .rightToLeft }
    if env["SIM_TOP"] != nil { cfg.customerSide = .top }
    let session = Session(config: cfg)
    let r = SceneRenderer(script: session.script, config: cfg)
    let times = (env["SIM_TIMES"] ?? "5,10,15,20").split(separator: ",").compactMap { Double($0) }
    for t in times {
        let img = r.render(frame: Int(t * Double(cfg.fps)))
        try PNGWriter.encode(width: img.width, height: img.height, channels: 3, pixels: img.pixels)
            .write(to: URL(fileURLWithPath: "\(dir)/frame_\(t).png"))
    }
    if env["SIM_CLEAN"] != nil {
        for t in times {
            let img = r.renderClean(at: t)
            try PNGWriter.encode(width: img.width, height: img.height, channels: 3, pixels: img.pixels)
                .write(to: URL(fileURLWithPath: "\(dir)/clean_\(t).png"))
        }
    }
    if env["SIM_BENCH"] != nil {
        // CPU time of this thread: the machine may be shared.
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        let n = 300
        let first = Int(Double(env["SIM_BENCH"]!) ?? 20) * cfg.fps
        let c0 = cpu()
        for i in 0..<n { _ = r.render(frame: first + i) }
        let c1 = cpu()
        for i in 0..<n { _ = r.renderClean(at: Double(first + i) / Double(cfg.fps)) }
        let c2 = cpu()
        print("render: \(Double(n) / (c1 - c0)) frames per CPU second; compose only: \(Double(n) / (c2 - c1))")
    }
    if env["SIM_SCRIPT"] != nil {
        for p in session.script.passes { print(p.transaction, p.path, p.incident ?? "-", String(format: "%.2f %.2f %.2f", p.grab, p.leavePickup, p.reachBagging), p.scanEnter ?? -1, p.scanLeave ?? -1) }
        for e in session.script.events { print("event", e.kind, String(format: "%.2f %.2f", e.t0, e.t1), e.note ?? "") }
        for c in session.script.customers { print("customer", c.arrive0, c.arrive1, c.leave0, c.leave1) }
        print(String(data: session.posJSONL(), encoding: .utf8)!.prefix(3000))
    }
}

@Test func blitLeavesTransparentAlone() throws {
    var c = Canvas.sprite(lo: V2(-10, -10), hi: V2(10, 10), pxPerUnit: 4)
    c.fill(lo: V2(-5, -5), hi: V2(5, 5), sdf: { SDF.circle($0, .zero, 4) }, paint: { _, _ in Col(1, 0, 0) })
    let sp = c.sprite()
    let fb = FrameBuffer(width: 200, height: 200)
    fb.load([UInt8](repeating: 100, count: 200 * 200 * 3))
    fb.blit(sp, toFrame: Affine(a: 4, b: 0, c: 0, d: 4, tx: 100, ty: 100))
    let px = fb.bytes()
    // A pixel inside the sprite's box but outside the circle.
    let i = (100 * 200 + 100 + 30) * 3
    #expect(px[i] == 100 && px[i + 1] == 100)
    let j = (100 * 200 + 100) * 3
    #expect(px[j] > 200 && px[j + 1] < 10)
}
