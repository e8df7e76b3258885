import Foundation

/// Notices when the scan zone, or the whole view, is covered.
///
/// It compares the scan zone with a long-term reference of the empty scanner
/// that only learns while the zone is clear, so a cover that stays still is not
/// learned away the way the main background absorbs resting things.
final class ObstructionDetector {
    private let width: Int
    let scanIndices: [Int]
    private var refY: [Float] = []
    private var refU: [Float] = []
    private var refV: [Float] = []
    private var refReady = false
    private var clearFrames = 0
    var minReportSeconds: Double = 1.0
    /// Coverage of the scan zone in the last frame.
    private(set) var coverage: Double = 0
    /// Share of the scan zone unlike the clear scanner in the last frame, enclosed or not.
    private(set) var activity: Double = 0

    // Whole view: long-term mean luminance and a thumbnail of the usual scene.
    private var viewRefMean: Double = -1
    private var viewThumb: [Float] = []
    /// `viewThumb` high-passed, refreshed now and then (it drifts slowly).
    private var viewThumbHighPass: [Float] = []
    private var framesSinceThumbUpdate = 0
    private(set) var lastViewCorrelation: Double = 1

    /// The scan zone covered enough to report (the lane's `occlusion_coverage`)…
    private var reportedCover: CoverSpan
    /// …and covered enough that, once clear, the background there is put back
    /// to the clear scanner. That threshold stayed where it was when the
    /// report's default went down to 0.45: resetting after partial covers as
    /// well changed the incidents of 8 of 40 tuning sessions, both ways.
    private var resetCover: CoverSpan
    private var viewBlockedSince: Double?
    private var viewLastBlocked: Double = 0
    private(set) var viewBlocked = false
    /// Set when a scan-zone cover has just gone (the caller resets the background there).
    private(set) var scanJustCleared = false
    private(set) var viewJustCleared = false
    static let resetCoverage = 0.6

    var blockedSince: Double? { viewBlockedSince ?? reportedCover.since }
    /// Since when the scan zone has been covered enough to report, if it is now.
    var scanCoveredSince: Double? { reportedCover.since }

    /// The clear scanner as last learned, per scan-zone pixel (for resetting the background there).
    var scanReference: (y: [Float], u: [Float], v: [Float])? { refReady ? (refY, refU, refV) : nil }

    /// Per scan-zone pixel: its row and column in the zone's bounding box, and
    /// whether it differed from the reference this frame.
    private let zoneRow: [Int32], zoneCol: [Int32]
    private let zoneRows: Int, zoneCols: Int
    private var hit: [UInt8]
    /// Per zone row (column): the first and last changed column (row); reused every frame.
    private var rowLo: [Int32], rowHi: [Int32], colLo: [Int32], colHi: [Int32]

    init(width: Int, scanIndices: [Int], coverageThreshold: Double) {
        self.width = width
        self.scanIndices = scanIndices
        reportedCover = CoverSpan(threshold: coverageThreshold)
        resetCover = CoverSpan(threshold: max(coverageThreshold, Self.resetCoverage))
        let x0 = scanIndices.map { $0 % width }.min() ?? 0, y0 = scanIndices.map { $0 / width }.min() ?? 0
        zoneRow = scanIndices.map { Int32($0 / width - y0) }
        zoneCol = scanIndices.map { Int32($0 % width - x0) }
        zoneRows = Int(zoneRow.max() ?? -1) + 1
        zoneCols = Int(zoneCol.max() ?? -1) + 1
        hit = [UInt8](repeating: 0, count: scanIndices.count)
        rowLo = [Int32](repeating: .max, count: zoneRows); rowHi = [Int32](repeating: -1, count: zoneRows)
        colLo = [Int32](repeating: .max, count: zoneCols); colHi = [Int32](repeating: -1, count: zoneCols)
    }

    /// Changed pixels plus those they enclose, along both the row and the
    /// column: a dark cloth on a dark scanner differs from it at its edges and
    /// folds more than in its flat middle.
    private func enclosedCount() -> Int {
        // Buffer pointers: indexing the stored arrays checks exclusive access per pixel.
        rowLo.withUnsafeMutableBufferPointer { rowLo in rowHi.withUnsafeMutableBufferPointer { rowHi in
        colLo.withUnsafeMutableBufferPointer { colLo in colHi.withUnsafeMutableBufferPointer { colHi in
        rowLo.update(repeating: .max)
        rowHi.update(repeating: -1)
        colLo.update(repeating: .max)
        colHi.update(repeating: -1)
        return hit.withUnsafeBufferPointer { h in
        zoneRow.withUnsafeBufferPointer { zr in zoneCol.withUnsafeBufferPointer { zc in
            for k in 0..<h.count where h[k] != 0 {
                let r = Int(zr[k]), c = Int(zc[k])
                rowLo[r] = min(rowLo[r], zc[k]); rowHi[r] = max(rowHi[r], zc[k])
                colLo[c] = min(colLo[c], zr[k]); colHi[c] = max(colHi[c], zr[k])
            }
            var n = 0
            for k in 0..<h.count {
                let r = Int(zr[k]), c = Int(zc[k])
                if h[k] != 0 || (rowLo[r] <= zc[k] && zc[k] <= rowHi[r] && colLo[c] <= zr[k] && zr[k] <= colHi[c]) { n += 1 }
            }
            return n
        }}}
        }}}}
    }

    /// The scan zone against its reference; call after the background model saw the frame.
    func processScan(model: BackgroundModel, time: Double, dt: Double) -> [Obstruction] {
        var out: [Obstruction] = []
        scanJustCleared = false
        guard !scanIndices.isEmpty, !viewBlocked else { return out }
        let ny = model.normY, nu = model.normU, nv = model.normV
        if !refReady {
            // Seed from the first frame whose scan zone the background model calls clear.
            var fg = 0
            for i in scanIndices where model.labels[i] == 1 { fg += 1 }
            if Double(fg) < 0.05 * Double(scanIndices.count) {
                refY = scanIndices.map { ny[$0] }
                refU = scanIndices.map { nu[$0] }
                refV = scanIndices.map { nv[$0] }
                refReady = true
            }
            return out
        }
        // Per-pixel loops over buffer pointers: indexing the stored arrays would
        // check exclusive access on every pixel.
        let learn = Float(1 - exp(-dt / 20))
        let covered = scanIndices.withUnsafeBufferPointer { idx in
        ny.withUnsafeBufferPointer { y in nu.withUnsafeBufferPointer { u in nv.withUnsafeBufferPointer { v in
        refY.withUnsafeMutableBufferPointer { ry in refU.withUnsafeMutableBufferPointer { ru in
        refV.withUnsafeMutableBufferPointer { rv in hit.withUnsafeMutableBufferPointer { h in
            var covered = 0
            for k in 0..<idx.count {
                let i = idx[k]
                let dy = y[i] - ry[k], du = u[i] - ru[k], dv = v[i] - rv[k]
                let differs = abs(dy) > 13 || du * du + dv * dv > 90
                h[k] = differs ? 1 : 0
                if differs { covered += 1 }
            }
            // Learn slowly, and only from a clear scanner, so lighting drift is followed.
            if Double(covered) / Double(idx.count) < 0.08 {
                for k in 0..<idx.count {
                    let i = idx[k]
                    ry[k] += learn * (y[i] - ry[k])
                    ru[k] += learn * (u[i] - ru[k])
                    rv[k] += learn * (v[i] - rv[k])
                }
            }
            return covered
        }}}}}}}}
        activity = Double(covered) / Double(scanIndices.count)
        coverage = Double(covered == 0 ? 0 : enclosedCount()) / Double(scanIndices.count)
        if coverage < 0.08 {
            clearFrames += 1
        } else {
            clearFrames = 0
        }
        if let o = reportable(reportedCover.update(coverage: coverage, time: time)) { out.append(o) }
        if resetCover.update(coverage: coverage, time: time) != nil { scanJustCleared = true }
        return out
    }

    /// The whole view, from the raw frame and the last frame's labels; call first.
    func processView(rawY: [UInt8], time: Double) -> [Obstruction] {
        viewJustCleared = false
        // A thumbnail of 4×4-pixel block means: cheap, and averaging tames sensor noise.
        let h = rawY.count / width
        let tw = width / 4, th = h / 4
        var thumb = [Float](repeating: 0, count: tw * th)
        rawY.withUnsafeBufferPointer { p in
            for ty in 0..<th {
                for tx in 0..<tw {
                    var s = 0
                    for dy in 0..<4 {
                        let row = (ty * 4 + dy) * width + tx * 4
                        s += Int(p[row]) + Int(p[row + 1]) + Int(p[row + 2]) + Int(p[row + 3])
                    }
                    thumb[ty * tw + tx] = Float(s) / 16
                }
            }
        }
        let count = thumb.count
        guard count > 0 else { return [] }
        let mean = Double(thumb.reduce(0, +)) / Double(count)
        if viewRefMean < 0 {
            viewRefMean = mean
            viewThumb = thumb
            return []
        }
        // The view is blocked when it is dark, or no longer looks like the usual
        // scene: the normalized correlation with the reference thumbnail (which
        // a change of light or people moving keep high) collapses.
        if viewThumbHighPass.count != count || framesSinceThumbUpdate >= 15 {
            viewThumbHighPass = Self.highPass(viewThumb, width: tw, height: th)
            framesSinceThumbUpdate = 0
        }
        framesSinceThumbUpdate += 1
        let ncc = Self.correlation(Self.highPass(thumb, width: tw, height: th), viewThumbHighPass)
        lastViewCorrelation = ncc
        let blocked = mean < 0.15 * viewRefMean || ncc < 0.3
        var out: [Obstruction] = []
        if blocked {
            if viewBlockedSince == nil { viewBlockedSince = time }
            viewLastBlocked = time
            viewBlocked = true
        } else {
            if let since = viewBlockedSince, time - viewLastBlocked > 0.25 {
                if viewLastBlocked - since >= minReportSeconds {
                    out.append(Obstruction(kind: .view, start: since, end: viewLastBlocked, coverage: 1))
                }
                viewBlockedSince = nil
                viewBlocked = false
                viewJustCleared = true
            }
            if viewBlockedSince == nil {
                // Follow slow changes of the scene's overall look.
                viewRefMean += 0.002 * (mean - viewRefMean)
                viewThumb.withUnsafeMutableBufferPointer { vt in
                    for k in 0..<count { vt[k] += 0.005 * (thumb[k] - vt[k]) }
                }
            }
        }
        return out
    }

    /// The image minus its 5×5 local mean: edges and texture without vignetting
    /// or gradual lighting, which a covered lens can keep.
    static func highPass(_ a: [Float], width w: Int, height h: Int) -> [Float] {
        // Box mean by a summed-area table.
        var sat = [Float](repeating: 0, count: (w + 1) * (h + 1))
        for y in 0..<h {
            var row: Float = 0
            for x in 0..<w {
                row += a[y * w + x]
                sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row
            }
        }
        var out = [Float](repeating: 0, count: a.count)
        for y in 0..<h {
            let y0 = max(0, y - 2), y1 = min(h - 1, y + 2)
            for x in 0..<w {
                let x0 = max(0, x - 2), x1 = min(w - 1, x + 2)
                let s = sat[(y1 + 1) * (w + 1) + x1 + 1] - sat[y0 * (w + 1) + x1 + 1] - sat[(y1 + 1) * (w + 1) + x0] + sat[y0 * (w + 1) + x0]
                out[y * w + x] = a[y * w + x] - s / Float((y1 - y0 + 1) * (x1 - x0 + 1))
            }
        }
        return out
    }

    /// Zero-mean normalized cross-correlation of two equally sized images.
    static func correlation(_ a: [Float], _ b: [Float]) -> Double {
        let n = Float(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab: Float = 0, saa: Float = 0, sbb: Float = 0
        for i in 0..<a.count {
            let x = a[i] - ma, y = b[i] - mb
            sab += x * y; saa += x * x; sbb += y * y
        }
        guard saa > 1e-3, sbb > 1e-3 else { return 0 }
        return Double(sab / (saa * sbb).squareRoot())
    }

    /// A finished scan-zone cover, if long enough to report.
    private func reportable(_ span: (start: Double, end: Double, coverage: Double)?) -> Obstruction? {
        guard let span, span.end - span.start >= minReportSeconds else { return nil }
        return Obstruction(kind: .scanZone, start: span.start, end: span.end, coverage: span.coverage)
    }

    /// Close any open interval at the end of the stream.
    func finish() -> [Obstruction] {
        var out: [Obstruction] = []
        if let since = viewBlockedSince, viewLastBlocked - since >= minReportSeconds {
            out.append(Obstruction(kind: .view, start: since, end: viewLastBlocked, coverage: 1))
        }
        if let o = reportable(reportedCover.finish()) { out.append(o) }
        _ = resetCover.finish()
        viewBlockedSince = nil
        return out
    }
}

/// One cover of the scan zone, with hysteresis: it starts when the coverage
/// reaches `threshold` and ends once it stays well below it.
struct CoverSpan {
    let threshold: Double
    private(set) var since: Double?
    private var last: Double = 0
    private var sum = 0.0
    private var frames = 0

    init(threshold: Double) { self.threshold = threshold }

    /// The span (start, end, mean coverage) when the cover has just gone.
    mutating func update(coverage: Double, time: Double) -> (start: Double, end: Double, coverage: Double)? {
        if coverage >= threshold {
            if since == nil { since = time; sum = 0; frames = 0 }
            sum += coverage
            frames += 1
            last = time
        } else if since != nil, coverage < threshold * 0.75 || time - last > 0.4,
                  time - last > 0.25 || coverage < threshold * 0.5 {
            return finish()
        }
        return nil
    }

    /// Closes an open span.
    mutating func finish() -> (start: Double, end: Double, coverage: Double)? {
        guard let start = since else { return nil }
        since = nil
        return (start, last, sum / Double(max(1, frames)))
    }
}
