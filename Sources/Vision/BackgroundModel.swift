import Foundation
import LaneCore

/// Per-pixel adaptive background in Y/U/V with a per-pixel noise estimate.
///
/// - A global gain (median of frame/background luminance over background
///   pixels) is divided out first, so flicker and a light dimming suddenly do
///   not turn the whole frame into foreground; then a local one per block
///   (`LocalGainField`), for one lamp dimming or the exposure answering it.
/// - Background pixels adapt with time constant `adaptSeconds` (slow lighting drift).
/// - Foreground that stays unchanged for `absorbSeconds` is absorbed: items
///   left in the basket or the bag, a customer standing still.
/// - Darker-with-the-same-chroma is a shadow, not foreground.
/// - Where something absorbed has gone again (an arm held still, then moved),
///   the bared counter matches a slow long-term background: it is background
///   at once, not a ghost for `absorbSeconds`.
public final class BackgroundModel {
    public enum Label: UInt8 { case background = 0, foreground = 1, shadow = 2 }

    public let width: Int
    public let height: Int
    public var adaptSeconds: Double = 4
    public var absorbSeconds: Double = 2.5
    /// Threshold in noise standard deviations.
    public var k: Float = 3.2
    public var minLumaThreshold: Float = 11
    public var minChromaThreshold: Float = 7

    // Luminance is (Y − 16), chroma is (U − 128, V − 128): both scale with the light.
    public private(set) var bgY: [Float]
    public private(set) var bgU: [Float]
    public private(set) var bgV: [Float]
    private var varY: [Float]
    private var varC: [Float]
    /// Frames each foreground pixel has stayed unchanged (0 = it changed this frame).
    public private(set) var staticFrames: [UInt16]
    private var prevY: [Float]
    /// Background / foreground / shadow per pixel for the last frame.
    public private(set) var labels: [UInt8]
    /// Gain of the last frame relative to the background (1 = same light).
    public private(set) var gain: Float = 1
    /// The last frame, normalized by the gain (luminance and chroma as above).
    public private(set) var normY: [Float]
    public private(set) var normU: [Float]
    public private(set) var normV: [Float]
    public private(set) var initialized = false
    private var framesSeen = 0
    /// Light level per block relative to the background (after the global gain).
    var localGain: LocalGainField
    /// Per pixel: 1 / local gain.
    private var invLocalGain: [Float]
    /// The slow long-term background (normalized units), following the
    /// background with time constant `longTermSeconds`, every few frames.
    private var longY: [Float], longU: [Float], longV: [Float]
    public var longTermSeconds: Double = 30
    private var longTermDue = 0.0

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        let n = width * height
        bgY = [Float](repeating: 0, count: n)
        bgU = bgY; bgV = bgY; prevY = bgY
        normY = bgY; normU = bgY; normV = bgY
        varY = [Float](repeating: 16, count: n)
        varC = [Float](repeating: 9, count: n)
        staticFrames = [UInt16](repeating: 0, count: n)
        labels = [UInt8](repeating: 0, count: n)
        localGain = LocalGainField(width: width, height: height)
        invLocalGain = [Float](repeating: 1, count: n)
        longY = bgY; longU = bgU; longV = bgV
    }

    /// Classify `frame` and update the model. `dt` is the time since the previous frame.
    public func process(_ frame: PlanarYUV, dt: Double) {
        precondition(frame.width == width && frame.height == height)
        let n = width * height
        if !initialized {
            frame.y.withUnsafeBufferPointer { y in
                frame.u.withUnsafeBufferPointer { u in
                    frame.v.withUnsafeBufferPointer { v in
                        for i in 0..<n {
                            bgY[i] = Float(y[i]) - 16
                            bgU[i] = Float(u[i]) - 128
                            bgV[i] = Float(v[i]) - 128
                        }
                    }
                }
            }
            prevY = bgY
            normY = bgY; normU = bgU; normV = bgV
            longY = bgY; longU = bgU; longV = bgV
            initialized = true
            framesSeen = 1
            return
        }
        framesSeen += 1
        gain = estimateGain(frame)
        let invGain = 1 / max(gain, 0.05)
        frame.y.withUnsafeBufferPointer { fy in frame.u.withUnsafeBufferPointer { fu in frame.v.withUnsafeBufferPointer { fv in
        bgY.withUnsafeBufferPointer { by in bgU.withUnsafeBufferPointer { bu in bgV.withUnsafeBufferPointer { bv in
            if localGain.update(y: fy, u: fu, v: fv, background: by, bu: bu, bv: bv, invGain: invGain) {
                localGain.fill(&invLocalGain)
            }
        }}}}}}
        // Learn faster in the first second, when the first frame may have held a passer-by.
        let warm = framesSeen < 12
        let alpha = Float(warm ? 0.3 : 1 - exp(-dt / adaptSeconds))
        let alphaVar = alpha * 0.5
        let absorbFrames = UInt16(clamping: Int((absorbSeconds / max(dt, 0.01)).rounded()))
        let k2 = k * k
        let minTy2 = minLumaThreshold * minLumaThreshold
        let minTc2 = minChromaThreshold * minChromaThreshold

        frame.y.withUnsafeBufferPointer { fy in
        frame.u.withUnsafeBufferPointer { fu in
        frame.v.withUnsafeBufferPointer { fv in
        bgY.withUnsafeMutableBufferPointer { by in
        bgU.withUnsafeMutableBufferPointer { bu in
        bgV.withUnsafeMutableBufferPointer { bv in
        varY.withUnsafeMutableBufferPointer { vy in
        varC.withUnsafeMutableBufferPointer { vc in
        staticFrames.withUnsafeMutableBufferPointer { st in
        prevY.withUnsafeMutableBufferPointer { py in
        labels.withUnsafeMutableBufferPointer { lab in
        normY.withUnsafeMutableBufferPointer { ny in
        normU.withUnsafeMutableBufferPointer { nu in
        normV.withUnsafeMutableBufferPointer { nv in
        invLocalGain.withUnsafeBufferPointer { gm in
            // Eight pixels at a time: the same arithmetic as the scalar loop below,
            // in the same order, so both give the same labels and model.
            let lanes = 8
            let tail = n - n % lanes
            let ty2Floor = SIMD8<Float>(repeating: minTy2), tc2Floor = SIMD8<Float>(repeating: minTc2)
            var i = 0
            while i < tail {
                let ig = invGain * SIMD8<Float>(UnsafeRawPointer(gm.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self))
                let y = (SIMD8<Float>(UnsafeRawPointer(fy.baseAddress! + i).loadUnaligned(as: SIMD8<UInt8>.self)) - 16) * ig
                let u = (SIMD8<Float>(UnsafeRawPointer(fu.baseAddress! + i).loadUnaligned(as: SIMD8<UInt8>.self)) - 128) * ig
                let v = (SIMD8<Float>(UnsafeRawPointer(fv.baseAddress! + i).loadUnaligned(as: SIMD8<UInt8>.self)) - 128) * ig
                UnsafeMutableRawPointer(ny.baseAddress! + i).storeBytes(of: y, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(nu.baseAddress! + i).storeBytes(of: u, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(nv.baseAddress! + i).storeBytes(of: v, as: SIMD8<Float>.self)
                var bY = UnsafeRawPointer(by.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                var bU = UnsafeRawPointer(bu.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                var bV = UnsafeRawPointer(bv.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                var vY = UnsafeRawPointer(vy.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                var vC = UnsafeRawPointer(vc.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                let dy = y - bY
                let du = u - bU, dv = v - bV
                let dc2 = du * du + dv * dv
                let ty2 = lanesMax(ty2Floor, k2 * vY)
                let tc2 = lanesMax(tc2Floor, k2 * vC)
                let fg = (dy * dy .> ty2) .| (dc2 .> tc2)
                // A shadow: darker, chroma shrunk by the same ratio.
                let r = y / bY
                let su = u - r * bU, sv = v - r * bV
                let shadow = fg .& (dy .< 0) .& (bY .> 12) .& (r .> 0.35) .& (r .< 0.92) .& (su * su + sv * sv .< tc2 * 1.5)
                let moving = fg .& .!shadow
                let learn = .!moving
                bY.replace(with: bY + alpha * dy, where: learn)
                bU.replace(with: bU + alpha * du, where: learn)
                bV.replace(with: bV + alpha * dv, where: learn)
                vY.replace(with: vY + alphaVar * (lanesMin(dy * dy, SIMD8(repeating: 400)) - vY), where: .!fg)
                vC.replace(with: vC + alphaVar * (lanesMin(dc2, SIMD8(repeating: 200)) - vC), where: .!fg)
                // Labels 0 / 1 / 2, and the still-frame count kept only where moving.
                let movingLane = SIMD8<Int32>(repeating: 0).replacing(with: 1, where: moving)
                let shadowLane = SIMD8<Int32>(repeating: 0).replacing(with: 2, where: shadow)
                UnsafeMutableRawPointer(lab.baseAddress! + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: movingLane &+ shadowLane),
                                                                          as: SIMD8<UInt8>.self)
                let stills = UnsafeRawPointer(st.baseAddress! + i).loadUnaligned(as: SIMD8<UInt16>.self)
                UnsafeMutableRawPointer(st.baseAddress! + i).storeBytes(of: stills & SIMD8<UInt16>(truncatingIfNeeded: movingLane &* 0xFFFF),
                                                                         as: SIMD8<UInt16>.self)
                if any(moving) {
                    let prev = UnsafeRawPointer(py.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                    let oldVY = UnsafeRawPointer(vy.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                    for j in 0..<lanes where moving[j] {
                        let still = abs(y[j] - prev[j]) <= max(5, 2 * oldVY[j].squareRoot())
                        st[i + j] = still ? st[i + j] &+ 1 : 0
                        if st[i + j] >= absorbFrames {
                            bY[j] = y[j]; bU[j] = u[j]; bV[j] = v[j]
                            st[i + j] = 0
                        }
                    }
                }
                UnsafeMutableRawPointer(by.baseAddress! + i).storeBytes(of: bY, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(bu.baseAddress! + i).storeBytes(of: bU, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(bv.baseAddress! + i).storeBytes(of: bV, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(vy.baseAddress! + i).storeBytes(of: vY, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(vc.baseAddress! + i).storeBytes(of: vC, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(py.baseAddress! + i).storeBytes(of: y, as: SIMD8<Float>.self)
                i += lanes
            }
            for i in tail..<n {
                let ig = invGain * gm[i]
                let y = (Float(fy[i]) - 16) * ig
                let u = (Float(fu[i]) - 128) * ig
                let v = (Float(fv[i]) - 128) * ig
                ny[i] = y; nu[i] = u; nv[i] = v
                let dy = y - by[i]
                let du = u - bu[i], dv = v - bv[i]
                let dc2 = du * du + dv * dv
                let ty2 = max(minTy2, k2 * vy[i])
                let tc2 = max(minTc2, k2 * vc[i])
                var label: UInt8 = 0
                if dy * dy > ty2 || dc2 > tc2 {
                    label = 1
                    // A shadow: darker, chroma shrunk by the same ratio.
                    if dy < 0 && by[i] > 12 {
                        let r = y / by[i]
                        if r > 0.35 && r < 0.92 {
                            let su = u - r * bu[i], sv = v - r * bv[i]
                            if su * su + sv * sv < tc2 * 1.5 { label = 2 }
                        }
                    }
                }
                lab[i] = label
                if label != 1 {
                    by[i] += alpha * dy
                    bu[i] += alpha * du
                    bv[i] += alpha * dv
                    if label == 0 {
                        vy[i] += alphaVar * (min(dy * dy, 400) - vy[i])
                        vc[i] += alphaVar * (min(dc2, 200) - vc[i])
                    }
                    st[i] = 0
                } else {
                    let still = abs(y - py[i]) <= max(5, 2 * vy[i].squareRoot())
                    st[i] = still ? st[i] &+ 1 : 0
                    if st[i] >= absorbFrames {
                        by[i] = y; bu[i] = u; bv[i] = v
                        st[i] = 0
                    }
                }
                py[i] = y
            }
        }}}}}}}}}}}}}}}
        if warm {
            // The first frames may have held a passer-by: the long-term starts once the background has settled.
            longY = bgY; longU = bgU; longV = bgV
            return
        }
        clearGhosts()
        longTermDue += dt
        if longTermDue >= Self.longTermStep { followLongTerm(dt: longTermDue); longTermDue = 0 }
    }

    static let longTermStep = 0.25

    /// Foreground that matches the long-term background where the background
    /// has absorbed something: the counter bared again.
    private func clearGhosts() {
        let minTy2 = minLumaThreshold * minLumaThreshold, minTc2 = minChromaThreshold * minChromaThreshold
        let k2 = k * k
        labels.withUnsafeMutableBufferPointer { lab in
        normY.withUnsafeBufferPointer { ny in normU.withUnsafeBufferPointer { nu in normV.withUnsafeBufferPointer { nv in
        longY.withUnsafeBufferPointer { ly in longU.withUnsafeBufferPointer { lu in longV.withUnsafeBufferPointer { lv in
        bgY.withUnsafeMutableBufferPointer { by in bgU.withUnsafeMutableBufferPointer { bu in bgV.withUnsafeMutableBufferPointer { bv in
        varY.withUnsafeBufferPointer { vy in varC.withUnsafeBufferPointer { vc in
        staticFrames.withUnsafeMutableBufferPointer { st in
            for i in 0..<lab.count where lab[i] == 1 {
                let dy = ny[i] - ly[i], du = nu[i] - lu[i], dv = nv[i] - lv[i]
                guard dy * dy <= max(minTy2, k2 * vy[i]), du * du + dv * dv <= max(minTc2, k2 * vc[i]) else { continue }
                lab[i] = 0
                by[i] = ny[i]; bu[i] = nu[i]; bv[i] = nv[i]
                st[i] = 0
            }
        }}}}}}}}}}}}}
    }

    /// The long-term background follows the background slowly.
    private func followLongTerm(dt: Double) {
        let beta = Float(1 - exp(-dt / longTermSeconds))
        bgY.withUnsafeBufferPointer { by in bgU.withUnsafeBufferPointer { bu in bgV.withUnsafeBufferPointer { bv in
        longY.withUnsafeMutableBufferPointer { ly in longU.withUnsafeMutableBufferPointer { lu in longV.withUnsafeMutableBufferPointer { lv in
            for i in 0..<ly.count {
                ly[i] += beta * (by[i] - ly[i])
                lu[i] += beta * (bu[i] - lu[i])
                lv[i] += beta * (bv[i] - lv[i])
            }
        }}}}}}
    }

    /// The view is back after something covered the lens. The last frames
    /// before the cover was noticed were nearly all foreground, and the gain
    /// was measured on the few pixels left (the cover darkening them): measure
    /// it afresh over the whole frame, against the background kept frozen.
    public func resumeAfterBlock() {
        gain = 1
        for i in labels.indices { labels[i] = Label.background.rawValue }
        for i in staticFrames.indices { staticFrames[i] = 0 }
    }

    /// Replace the background at `indices` with known values (normalized units),
    /// e.g. the clear scanner once something that covered it has gone.
    public func reset(indices: [Int], to values: (y: [Float], u: [Float], v: [Float])) {
        for (k, i) in indices.enumerated() {
            bgY[i] = values.y[k]; bgU[i] = values.u[k]; bgV[i] = values.v[k]
            staticFrames[i] = 0
        }
    }

    /// Median of frame/background luminance over pixels that were background last
    /// frame, on a sparse grid; over all of them when hardly any were (the
    /// gain was wrong, and the few pixels left say nothing about the light).
    private func estimateGain(_ frame: PlanarYUV) -> Float {
        var hist = [Int32](repeating: 0, count: 256)
        var count = 0
        let step = 3
        frame.y.withUnsafeBufferPointer { fy in
            bgY.withUnsafeBufferPointer { by in
                labels.withUnsafeBufferPointer { lab in
                    var samples = 0, background = 0
                    for py in stride(from: 1, to: height, by: step) {
                        var i = py * width + 1
                        while i < py * width + width {
                            samples += 1
                            if lab[i] == 0 { background += 1 }
                            i += step
                        }
                    }
                    let anyPixel = background * 5 < samples
                    for py in stride(from: 1, to: height, by: step) {
                        var i = py * width + 1
                        let end = py * width + width
                        while i < end {
                            let b = by[i]
                            if (anyPixel || lab[i] == 0) && b > 20 {
                                // Ratio 0.1 … 2.65 in steps of 0.01.
                                let r = (Float(fy[i]) - 16) / b
                                let bin = Int((r - 0.1) * 100)
                                if bin >= 0 && bin < 256 { hist[bin] += 1; count += 1 }
                            }
                            i += step
                        }
                    }
                }
            }
        }
        guard count > 50 else { return gain }
        var acc = 0
        for b in 0..<256 {
            acc += Int(hist[b])
            if acc * 2 >= count { return 0.1 + (Float(b) + 0.5) / 100 }
        }
        return gain
    }
}

/// How the light changed, block by block, since the background was learned:
/// one lamp dimming, or the camera's exposure answering it, changes part of
/// the picture by a factor that no single gain undoes. A block whose pixels
/// all changed by the same factor (tight ratios, agreeing with a neighbour
/// block) saw the light change, not an object: a hand or an item changes
/// pixels by different factors, and light scales colour with brightness.
/// A large step must happen in many blocks at once (a sleeve or a cloth lying
/// still is uniform too, but small). Blocks an object covers keep their level.
struct LocalGainField {
    let width: Int, height: Int
    let block: Int
    let bw: Int, bh: Int
    /// Level per block (1 = as the background was learned).
    var level: [Float]
    /// The levels the per-pixel map was last drawn from.
    var drawn: [Float]
    /// Per column: the block centre at or left of it, and the weight of the next one.
    let columnBlock: [Int]
    let columnWeight: [Float]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        block = max(12, width / 10)
        bw = (width + block - 1) / block
        bh = (height + block - 1) / block
        level = [Float](repeating: 1, count: bw * bh)
        drawn = level
        var cb = [Int](), cw = [Float]()
        for px in 0..<width {
            let fx = max(0, min(Float(bw - 1), (Float(px) + 0.5) / Float(block) - 0.5))
            cb.append(Int(fx)); cw.append(fx - Float(Int(fx)))
        }
        columnBlock = cb; columnWeight = cw
    }

    /// Steps up to this are followed in any block (drift); larger ones only
    /// when many blocks step together.
    static let smallStep: Float = 0.03

    /// Measures the blocks in this frame; true when the map needs drawing again.
    mutating func update(y: UnsafeBufferPointer<UInt8>, u: UnsafeBufferPointer<UInt8>, v: UnsafeBufferPointer<UInt8>,
                         background by: UnsafeBufferPointer<Float>, bu: UnsafeBufferPointer<Float>, bv: UnsafeBufferPointer<Float>,
                         invGain: Float) -> Bool {
        var changed = false
        var mean = [Float](repeating: 0, count: bw * bh)
        var ok = [Bool](repeating: false, count: bw * bh)
        for b in 0..<(bw * bh) {
            let x0 = (b % bw) * block, y0 = (b / bw) * block
            let x1 = min(width, x0 + block), y1 = min(height, y0 + block)
            var s: Float = 0, s2: Float = 0, c: Float = 0, all: Float = 0
            for py in stride(from: y0, to: y1, by: 3) {
                for px in stride(from: x0, to: x1, by: 3) {
                    let i = py * width + px
                    all += 1
                    let bg = by[i]
                    guard bg > 20 else { continue }
                    let r = (Float(y[i]) - 16) * invGain / bg
                    s += r; s2 += r * r; c += 1
                }
            }
            guard c >= 0.5 * all, c > 8 else { continue }
            let m = s / c
            let sd = max(0, s2 / c - m * m).squareRoot()
            guard sd < 0.06 * m, m > 0.3, m < 3 else { continue }
            // Light scales the colour with the brightness; a grey cloth on a grey
            // scanner would match in brightness alone, not also in colour.
            var off: Float = 0, n: Float = 0
            for py in stride(from: y0, to: y1, by: 3) {
                for px in stride(from: x0, to: x1, by: 3) {
                    let i = py * width + px
                    off += abs((Float(u[i]) - 128) * invGain - m * bu[i]) + abs((Float(v[i]) - 128) * invGain - m * bv[i])
                    n += 1
                }
            }
            if off / max(n, 1) < 6 { mean[b] = m; ok[b] = true }
        }
        var agreed: [Int] = []
        for b in 0..<(bw * bh) where ok[b] {
            let bx = b % bw, byy = b / bw
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let nx = bx + dx, ny = byy + dy
                guard nx >= 0, ny >= 0, nx < bw, ny < bh else { continue }
                let nb = ny * bw + nx
                if ok[nb] && abs(mean[nb] - mean[b]) < 0.15 * mean[b] { agreed.append(b); break }
            }
        }
        // A lamp lights a good part of the counter: a large step in a few blocks
        // only is a sleeve or a cloth lying still, not the light.
        let large = agreed.filter { abs(mean[$0] - level[$0]) > Self.smallStep }.count
        let lightChanged = large >= max(4, (bw * bh) / 10)
        for b in agreed where abs(mean[b] - level[b]) > 0.002 {
            guard lightChanged || abs(mean[b] - level[b]) <= Self.smallStep else { continue }
            // The light changes quickly: follow it within a few frames.
            level[b] += 0.5 * (mean[b] - level[b])
            // The per-pixel map is redrawn when a level moved by more than half a percent.
            if abs(level[b] - drawn[b]) > 0.005 { changed = true }
        }
        return changed
    }

    /// Per pixel 1 / local gain: the inverse levels interpolated between block
    /// centres (the levels are smooth, so interpolating inverses is as good and
    /// needs no division per pixel).
    mutating func fill(_ map: inout [Float]) {
        drawn = level
        var row = [Float](repeating: 1, count: bw + 1)
        map.withUnsafeMutableBufferPointer { m in
        columnBlock.withUnsafeBufferPointer { cb in columnWeight.withUnsafeBufferPointer { cw in
            for py in 0..<height {
                let fy = max(0, min(Float(bh - 1), (Float(py) + 0.5) / Float(block) - 0.5))
                let y0 = Int(fy), y1 = min(bh - 1, y0 + 1), wy = fy - Float(y0)
                for bx in 0..<bw { row[bx] = 1 / max(0.05, level[y0 * bw + bx] * (1 - wy) + level[y1 * bw + bx] * wy) }
                row[bw] = row[bw - 1]
                row.withUnsafeBufferPointer { r in
                    let out = m.baseAddress! + py * width
                    for px in 0..<width {
                        let x0 = cb[px], wx = cw[px]
                        out[px] = r[x0] + (r[x0 + 1] - r[x0]) * wx
                    }
                }
            }
        }}}
    }
}

// The standard library's pointwiseMin/Max were not inlined into the loop above
// (a call per eight pixels, ~3 % of the analysis); the same results, inlined.
@inline(__always)
private func lanesMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: a .< b) }
@inline(__always)
private func lanesMin(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .< a) }
