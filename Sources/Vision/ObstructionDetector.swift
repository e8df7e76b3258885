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
    var coverageThreshold: Double
    var minReportSeconds: Double = 1.0
    /// Coverage of the scan zone in the last frame.
    private(set) var coverage: Double = 0

    // Whole view: coarse long-term luminance and texture references.
    private var viewRefMean: Double = -1
    private var viewRefTexture: Double = -1
    /// Sparse-grid luminance of the usual view, to notice a cover that is neither dark nor flat.
    private var viewThumb: [Float] = []

    private var scanBlockedSince: Double?
    private var scanCoverageSum = 0.0
    private var scanCoverageFrames = 0
    private var lastBlockedTime: Double = 0
    private var viewBlockedSince: Double?
    private var viewLastBlocked: Double = 0
    private(set) var scanBlocked = false
    private(set) var viewBlocked = false
    /// Set when a scan-zone cover has just gone (the caller resets the background there).
    private(set) var scanJustCleared = false
    private(set) var viewJustCleared = false

    var blockedSince: Double? { viewBlockedSince ?? scanBlockedSince }

    /// The clear scanner as last learned, per scan-zone pixel (for resetting the background there).
    var scanReference: (y: [Float], u: [Float], v: [Float])? { refReady ? (refY, refU, refV) : nil }

    init(width: Int, scanIndices: [Int], coverageThreshold: Double) {
        self.width = width
        self.scanIndices = scanIndices
        self.coverageThreshold = coverageThreshold
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
        var covered = 0
        for (k, i) in scanIndices.enumerated() {
            let dy = ny[i] - refY[k], du = nu[i] - refU[k], dv = nv[i] - refV[k]
            if abs(dy) > 22 || du * du + dv * dv > 150 { covered += 1 }
        }
        coverage = Double(covered) / Double(scanIndices.count)
        if coverage < 0.08 {
            clearFrames += 1
            // Learn slowly, and only from a clear scanner, so lighting drift is followed.
            let a = Float(1 - exp(-dt / 20))
            for (k, i) in scanIndices.enumerated() {
                refY[k] += a * (ny[i] - refY[k])
                refU[k] += a * (nu[i] - refU[k])
                refV[k] += a * (nv[i] - refV[k])
            }
        } else {
            clearFrames = 0
        }
        if coverage >= coverageThreshold {
            if scanBlockedSince == nil {
                scanBlockedSince = time
                scanCoverageSum = 0
                scanCoverageFrames = 0
            }
            scanCoverageSum += coverage
            scanCoverageFrames += 1
            lastBlockedTime = time
            scanBlocked = true
        } else if let since = scanBlockedSince, coverage < coverageThreshold * 0.75 || time - lastBlockedTime > 0.4 {
            // Clear once coverage drops well below the threshold (hysteresis).
            if time - lastBlockedTime > 0.25 || coverage < coverageThreshold * 0.5 {
                let end = lastBlockedTime
                if end - since >= minReportSeconds {
                    out.append(Obstruction(kind: .scanZone, start: since, end: end,
                                           coverage: scanCoverageSum / Double(max(1, scanCoverageFrames))))
                }
                scanBlockedSince = nil
                scanBlocked = false
                scanJustCleared = true
            }
        }
        return out
    }

    /// The whole view, from the raw frame and the last frame's labels; call first.
    func processView(rawY: [UInt8], time: Double) -> [Obstruction] {
        viewJustCleared = false
        // Mean luminance and mean absolute gradient on a sparse grid.
        var sum = 0, grad = 0
        var thumb: [Float] = []
        thumb.reserveCapacity(viewThumb.count)
        let h = rawY.count / width
        rawY.withUnsafeBufferPointer { p in
            for y in stride(from: 2, to: h - 2, by: 4) {
                for x in stride(from: 2, to: width - 3, by: 4) {
                    let i = y * width + x
                    sum += Int(p[i])
                    grad += abs(Int(p[i + 2]) - Int(p[i])) + abs(Int(p[i + 2 * width]) - Int(p[i]))
                    thumb.append(Float(p[i]))
                }
            }
        }
        let count = thumb.count
        guard count > 0 else { return [] }
        let mean = Double(sum) / Double(count)
        let texture = Double(grad) / Double(count)
        if viewRefMean < 0 {
            viewRefMean = mean
            viewRefTexture = max(texture, 1)
            viewThumb = thumb
            return []
        }
        // Most of the view changed at once, beyond what a change of light explains.
        let g = Float(viewRefMean / max(mean, 1))
        var changed = 0
        for k in 0..<count where abs(thumb[k] * g - viewThumb[k]) > 40 { changed += 1 }
        let changedShare = Double(changed) / Double(count)
        // Dark, or flat (lens covered), or changed everywhere.
        let blocked = mean < 0.25 * viewRefMean || texture < 0.25 * viewRefTexture || changedShare > 0.85
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
                viewRefTexture += 0.002 * (texture - viewRefTexture)
                for k in 0..<count { viewThumb[k] += 0.01 * (thumb[k] * g - viewThumb[k]) }
            }
        }
        return out
    }

    /// Close any open interval at the end of the stream.
    func finish() -> [Obstruction] {
        var out: [Obstruction] = []
        if let since = viewBlockedSince, viewLastBlocked - since >= minReportSeconds {
            out.append(Obstruction(kind: .view, start: since, end: viewLastBlocked, coverage: 1))
        }
        if let since = scanBlockedSince, lastBlockedTime - since >= minReportSeconds {
            out.append(Obstruction(kind: .scanZone, start: since, end: lastBlockedTime,
                                   coverage: scanCoverageSum / Double(max(1, scanCoverageFrames))))
        }
        viewBlockedSince = nil
        scanBlockedSince = nil
        return out
    }
}
