import Foundation

/// The static counter: surfaces, scanner, terminal, bag rack, painted once per
/// seed through the camera (so tilt and mirroring apply to every pixel).
enum CounterPainter {
    static func paint(_ L: LaneLayout, seed: UInt64) -> [UInt8] {
        var r = SimRandom(seed: seed, stream: "counter")
        let n = ValueNoise(seed: r.next())
        let surfaces: [Col] = [Col(0.72, 0.72, 0.7), Col(0.78, 0.72, 0.6), Col(0.38, 0.38, 0.4), Col(0.86, 0.85, 0.82),
                               Col(0.6, 0.47, 0.33), Col(0.5, 0.55, 0.6), Col(0.64, 0.6, 0.56)]
        let top = r.pick(surfaces) * Float(r.uniform(0.93, 1.05))
        let midSteel = r.chance(0.6)
        let steel = Col(0.6, 0.62, 0.64) * Float(r.uniform(0.9, 1.05))
        let floor = Col(0.3, 0.29, 0.28).mixed(r.pick(surfaces), 0.3) * Float(r.uniform(0.8, 1.1))
        let grainScale = r.uniform(0.8, 1.6)
        let speckDark = r.uniform(0.03, 0.09), speckLight = r.uniform(0.01, 0.05)

        var c = Canvas(width: L.width, height: L.height, toLocal: L.camera.inverse, opaque: top)
        // Surfaces by region: floor beyond both edges, the counter top between.
        c.modulateAll { q, _ in
            if q.y < L.farEdge - 1.6 || q.y > L.nearEdge + 2.6 {
                // Floor tiles far below: soft, darker, seen through the lens's depth of field.
                let tile = 30.0
                let gx = abs(((q.x + 7) / tile).truncatingRemainder(dividingBy: 1) - 0.5), gy = abs(((q.y + 3) / tile).truncatingRemainder(dividingBy: 1) - 0.5)
                let grout: Float = max(gx, gy) > 0.48 ? 0.8 : 1
                let dirt = Float(n.fbm(q.x * 0.05, q.y * 0.05, octaves: 3) - 0.5) * 0.25
                let depth: Float = q.y > L.nearEdge ? Float(0.75 - 0.2 * smoothstep(L.nearEdge, L.nearEdge + 10, q.y)) : 0.7
                return floor * (grout + dirt) * depth
            }
            if q.y < L.farEdge || q.y > L.nearEdge {
                // Edge lips: a rounded metal/plastic rim with a highlight.
                let t = q.y < L.farEdge ? (L.farEdge - q.y) / 1.6 : (q.y - L.nearEdge) / 2.6
                let hl = Float(exp(-pow((t - 0.3) / 0.15, 2)) * 0.5)
                return Col.gray(0.42) * Float(1.1 - 0.6 * t) + hl
            }
            let section = q.x < L.seamA ? 0 : (q.x < L.seamB ? 1 : 2)
            var base = section == 1 && midSteel ? steel : top * Float(section == 2 ? 0.97 : 1)
            if section == 1 && midSteel {
                let brushed = Float(n.value(q.x * 0.08, q.y * 14) - 0.5) * 0.09
                base = base + brushed
            } else {
                let grain = Float(n.fbm(q.x * 0.12 * grainScale, q.y * 1.3 * grainScale, octaves: 3) - 0.5) * 0.12
                let h = n.hash(q.x * 4, q.y * 4)
                let speck: Float = h < speckDark ? -0.14 : (h > 1 - speckLight ? 0.1 : 0)
                base = base * (1 + grain) + speck * base.luma
            }
            let wear = Float(n.fbm(q.x * 0.03 + 50, q.y * 0.03, octaves: 3) - 0.5) * 0.1
            var col = base * (1 + wear)
            if abs(q.x - L.seamA) < 0.25 || abs(q.x - L.seamB) < 0.25 { col = col * 0.7 }
            return col
        }
        // Smudges and stickers.
        for _ in 0..<r.int(2...5) {
            let sc = V2(r.uniform(5, 155), r.uniform(L.farEdge + 3, L.nearEdge - 3)), sr = r.uniform(3, 9)
            c.fill(lo: sc - V2(sr, sr), hi: sc + V2(sr, sr), opacity: Float(r.uniform(0.05, 0.14)),
                   sdf: { SDF.circle($0, sc, sr) + 2 * n.value($0.x * 0.5, $0.y * 0.5) }, paint: { _, _ in Col.gray(0.2) })
        }
        for _ in 0..<r.int(1...3) {
            let sc = V2(r.uniform(8, 150), r.uniform(L.nearEdge - 8, L.nearEdge - 2)), a = r.uniform(-0.3, 0.3)
            let col = Palette.hsv(r.unit(), r.uniform(0.3, 0.8), r.uniform(0.6, 0.95))
            let hs = V2(r.uniform(2, 5), r.uniform(1.2, 2.5))
            c.fill(lo: sc - V2(6, 6), hi: sc + V2(6, 6), sdf: { SDF.roundedRect($0, sc, hs, 0.3, angle: a) }, paint: { _, _ in col })
        }
        // Bagging scale plate and rack.
        let rc = L.rackCenter, rs = L.rackSize * 0.5
        c.fill(lo: rc - rs, hi: rc + rs, sdf: { SDF.roundedRect($0, rc, rs - V2(1, 1), 1.5) }, paint: { q, _ in
            steel * Float(0.95 + 0.08 * n.value(q.x * 0.1, q.y * 9))
        })
        c.fill(lo: rc - rs - V2(1, 1), hi: rc + rs + V2(1, 1), sdf: { q in abs(SDF.roundedRect(q, rc, rs, 2)) - 0.55 }, paint: { q, d in
            Col.gray(0.78) * Float(0.8 + 0.3 * min(1, -d / 0.5))
        })
        // Scanner: shadow, bezel, glass, laser lines, the vertical tower on the far side.
        let g = L.glassCenter, gh = L.glassSize * 0.5, bz = L.bezel
        let towerC = V2(g.x, g.y - gh.y - bz - L.towerDepth / 2), towerH = V2(gh.x + bz + 1.5, L.towerDepth / 2)
        c.fill(lo: g - gh - V2(8, 8 + L.towerDepth), hi: g + gh + V2(8, 8), opacity: 0.35,
               sdf: { min(SDF.roundedRect($0, g + V2(0.8, 1), gh + V2(bz + 1.5, bz + 1.5), 3), SDF.roundedRect($0, towerC + V2(0.8, 1.5), towerH + V2(1, 1), 2)) + 1.5 },
               paint: { _, _ in Col.gray(0.05) })
        let bezelCol = Col(0.16, 0.16, 0.17) * Float(r.uniform(0.8, 1.3))
        c.fill(lo: g - gh - V2(bz, bz), hi: g + gh + V2(bz, bz), sdf: { SDF.roundedRect($0, g, gh + V2(bz, bz), 2) }, paint: { q, _ in
            bezelCol * Float(0.9 + 0.15 * n.value(q.x * 3, q.y * 3))
        })
        let glassTint = Col(0.13, 0.17, 0.16).mixed(Col(0.12, 0.13, 0.18), r.unit())
        let refl = (0..<2).map { _ in (V2(r.uniform(-0.6, 0.6) * gh.x, r.uniform(-0.6, 0.6) * gh.y) + g, r.uniform(4, 9)) }
        c.fill(lo: g - gh, hi: g + gh, sdf: { SDF.roundedRect($0, g, gh, 0.8) }, paint: { q, _ in
            var col = glassTint * Float(0.9 + 0.25 * (q.y - g.y + gh.y) / (2 * gh.y))
            for (rc, rr) in refl { col = col + Float(0.12 * exp(-(q - rc).dot(q - rc) / (rr * rr))) }
            let scratch = abs(n.value(q.x * 0.6, q.y * 0.6) - 0.5) < 0.01 ? Float(0.05) : 0
            return col + scratch
        })
        // Faint red laser pattern on the glass.
        for k in 0..<3 {
            let ang = Double(k - 1) * 0.7 + .pi / 2
            let dir = V2.polar(ang)
            c.fill(lo: g - gh, hi: g + gh, opacity: 0.17, sdf: { q in
                max(abs((q - g).dot(dir.perp)) - 0.12, SDF.roundedRect(q, g, gh - V2(2, 2), 0.5))
            }, paint: { _, _ in Col(0.9, 0.1, 0.08) })
        }
        c.fill(lo: towerC - towerH, hi: towerC + towerH, sdf: { SDF.roundedRect($0, towerC, towerH, 1.5) }, paint: { q, d in
            let t = Float((q.y - towerC.y + towerH.y) / (2 * towerH.y))
            var col = bezelCol * (1.25 - 0.4 * t) + Float(min(1, -d / 0.8)) * 0.03
            if q.y > towerC.y + towerH.y - 2.2, abs(q.x - towerC.x) < towerH.x - 3 { col = Col(0.1, 0.05, 0.05) }  // the tower's window
            return col
        })
        let led = towerC + V2(towerH.x - 3, -towerH.y + 2)
        c.fill(lo: led - V2(1, 1), hi: led + V2(1, 1), sdf: { SDF.circle($0, led, 0.5) }, paint: { _, _ in Col(0.2, 0.9, 0.3) })
        // Payment terminal with its screen and keys.
        let tp = L.terminalPose, th = L.terminalSize * 0.5
        c.fill(lo: tp.p - V2(14, 14), hi: tp.p + V2(14, 14), opacity: 0.35, sdf: { SDF.roundedRect($0, tp.p + V2(0.8, 1), th + V2(1, 1), 2, angle: tp.angle) + 1 },
               paint: { _, _ in Col.gray(0.05) })
        c.fill(lo: tp.p - V2(12, 12), hi: tp.p + V2(12, 12), sdf: { SDF.roundedRect($0, tp.p, th, 1.2, angle: tp.angle) }, paint: { q, _ in
            let l = (q - tp.p).rotated(-tp.angle)
            var col = Col(0.14, 0.14, 0.15)
            if l.y < -th.y * 0.2, abs(l.x) < th.x - 1, l.y > -th.y + 1 { col = Col(0.2, 0.35, 0.55) + Float(n.value(l.x, l.y * 3)) * 0.1 }  // screen
            if l.y > th.y * 0.05, l.y < th.y - 1.2, abs(l.x) < th.x - 1.2 {
                let kx = (l.x + th.x) / ((2 * th.x) / 3), ky = (l.y - th.y * 0.05) / ((th.y * 0.95 - 1.2) / 4)
                let fx = kx - kx.rounded(.down), fy = ky - ky.rounded(.down)
                if fx > 0.15 && fx < 0.85 && fy > 0.15 && fy < 0.85 { col = Col(0.48, 0.48, 0.5) }
            }
            return col
        })
        // The self-checkout screen's housing on the far edge.
        let mc = L.monitorCenter
        c.fill(lo: mc - V2(20, 5), hi: mc + V2(20, 5), sdf: { SDF.roundedRect($0, mc, V2(17, 3), 1.2) }, paint: { q, _ in
            Col.gray(0.12) * Float(1 + 0.3 * (q.y - mc.y + 3) / 6)
        })
        c.blur(radius: L.pxPerCm > 6 ? 1 : 0)
        return c.rgbBytes()
    }
}

enum PropPainter {
    /// A shopping basket: the tub (bottom grid and rim) and, separately, the rim
    /// and handles drawn over its contents.
    static func basket(size: V2, color: Col, seed: UInt64, pxPerCm: Double) -> (tub: Sprite, rim: Sprite) {
        let h = size * 0.5
        let n = ValueNoise(seed: seed)
        func rimSDF(_ q: V2) -> Double { max(SDF.roundedRect(q, .zero, h, 3), -SDF.roundedRect(q, .zero, h - V2(2.2, 2.2), 2)) }
        var tub = Canvas.sprite(lo: -h - V2(3, 3), hi: h + V2(3, 3), pxPerUnit: pxPerCm)
        tub.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 3) }, paint: { q, _ in
            let cell = 2.6
            let fx = abs((q.x / cell).truncatingRemainder(dividingBy: 1)) - 0.5, fy = abs((q.y / cell).truncatingRemainder(dividingBy: 1)) - 0.5
            let hole = abs(fx) < 0.3 && abs(fy) < 0.3
            let edgeDist = -SDF.roundedRect(q, .zero, h, 3)
            let wallShade = Float(0.6 + 0.4 * smoothstep(2, 7, edgeDist))
            return (hole ? color * 0.35 : color * 0.8) * wallShade * Float(0.95 + 0.1 * n.value(q.x, q.y))
        })
        var rim = Canvas.sprite(lo: -h - V2(3, 3), hi: h + V2(3, 3), pxPerUnit: pxPerCm)
        for c in [0, 1] {
            let paintRim: (V2, Double) -> Col = { q, d in color * Float(0.95 + 0.25 * min(1, -d / 0.8)) }
            if c == 0 { tub.fill(lo: -h, hi: h, sdf: rimSDF, paint: paintRim) } else { rim.fill(lo: -h, hi: h, sdf: rimSDF, paint: paintRim) }
        }
        // Handles folded down along the long sides.
        let handleCol = color.luma < 0.2 ? Col.gray(0.3) : color * 0.6
        for side in [-1.0, 1.0] {
            let a = V2(-h.x * 0.55, side * (h.y + 0.4)), b = V2(h.x * 0.55, side * (h.y + 0.4))
            rim.fill(lo: a - V2(2, 2), hi: b + V2(2, 2), sdf: { SDF.capsule($0, a, b, 0.7) }, paint: { _, d in handleCol * Float(0.8 + 0.4 * min(1, -d / 0.4)) })
        }
        return (tub.sprite(), rim.sprite())
    }

    enum BagStyle: Int, CaseIterable { case plasticWhite, plasticTinted, paper, fabric }

    /// An open bag on the rack, seen from above.
    static func bag(size: V2, style: BagStyle, color: Col, seed: UInt64, pxPerCm: Double) -> Sprite {
        let h = size * 0.5
        let n = ValueNoise(seed: seed)
        var c = Canvas.sprite(lo: -h - V2(5, 2), hi: h + V2(5, 2), pxPerUnit: pxPerCm)
        let body: Col
        switch style {
        case .plasticWhite: body = Col(0.9, 0.9, 0.88)
        case .plasticTinted: body = color.mixed(Col.gray(0.85), 0.4)
        case .paper: body = Col(0.62, 0.48, 0.32)
        case .fabric: body = color
        }
        let wrinkly = style == .plasticWhite || style == .plasticTinted
        // Handles hooked over the rack at both ends.
        for side in [-1.0, 1.0] {
            let a = V2(side * (h.x - 1), -h.y * 0.35), b = V2(side * (h.x + 3.5), 0), e = V2(side * (h.x - 1), h.y * 0.35)
            c.fill(lo: V2(min(a.x, b.x) - 1, a.y - 1), hi: V2(max(a.x, b.x) + 1, e.y + 1),
                   sdf: { min(SDF.capsule($0, a, b, 0.6), SDF.capsule($0, b, e, 0.6)) }, paint: { _, _ in body * 0.85 })
        }
        c.fill(lo: -h, hi: h, sdf: { q in
            SDF.roundedRect(q, .zero, h, style == .paper ? 0.8 : 3) + (wrinkly ? 0.6 * (n.value(q.x * 0.4, q.y * 0.4) - 0.5) : 0)
        }, paint: { q, _ in
            let w = wrinkly ? Float(n.fbm(q.x * 0.5, q.y * 0.5, octaves: 4) - 0.5) * 0.35 : Float(n.value(q.x * 2, q.y * 2) - 0.5) * 0.06
            return body * (1 + w)
        })
        // The opening: a dark interior, deepest in the middle.
        let inner = h - V2(2.2, 2.2)
        c.fill(lo: -inner, hi: inner, sdf: { SDF.roundedRect($0, .zero, inner, style == .paper ? 0.6 : 4) }, paint: { q, d in
            let depth = Float(smoothstep(0, 6, -d))
            return body * (0.55 - 0.3 * depth) + Float(n.value(q.x * 0.7, q.y * 0.7) * 0.04)
        })
        return c.sprite()
    }

    enum OccluderKind: String, CaseIterable { case handbag, tote, jacket }

    /// Typical half size of each occluder (the painted ones vary a little around it).
    static func occluderHalf(_ k: OccluderKind) -> V2 {
        switch k {
        case .handbag: return V2(16, 12)
        case .tote: return V2(19, 15)
        case .jacket: return V2(23.5, 19.5)
        }
    }

    static func occluder(_ kind: OccluderKind, seed: UInt64, pxPerCm: Double) -> (Sprite, V2) {
        var r = SimRandom(seed: seed)
        let n = ValueNoise(seed: seed)
        switch kind {
        case .handbag:
            let h = V2(r.uniform(15, 17), r.uniform(11, 13))
            let col = r.pick([Col(0.3, 0.17, 0.1), Col(0.08, 0.08, 0.08), Col(0.5, 0.1, 0.12), Col(0.6, 0.5, 0.38)])
            var c = Canvas.sprite(lo: -h - V2(4, 4), hi: h + V2(4, 4), pxPerUnit: pxPerCm)
            c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 3) }, paint: { q, d in
                col * Float(0.7 + 0.35 * min(1, -d / 4) + 0.1 * n.fbm(q.x, q.y, octaves: 2))
            })
            c.fill(lo: -h, hi: h, sdf: { q in max(SDF.roundedRect(q, .zero, h - V2(0.5, 0.5), 3), q.y + h.y * 0.2) }, paint: { _, _ in col * 0.8 })
            let clasp = V2(0, -h.y * 0.2)
            c.fill(lo: clasp - V2(2, 2), hi: clasp + V2(2, 2), sdf: { SDF.roundedRect($0, clasp, V2(1.3, 0.8), 0.3) }, paint: { _, _ in Col(0.8, 0.7, 0.4) })
            let a = V2(-h.x * 0.7, -h.y), b = V2(h.x * 0.7, -h.y)
            c.fill(lo: -h - V2(4, 4), hi: h + V2(4, 4), sdf: { abs(SDF.ellipse($0, (a + b) * 0.5 + V2(0, -1), h.x * 0.75, 3.5)) - 0.5 }, paint: { _, _ in col * 0.7 })
            return (c.sprite(), h)
        case .tote:
            let h = V2(r.uniform(18, 20), r.uniform(14, 16))
            let col = Palette.hsv(r.unit(), r.uniform(0.3, 0.8), r.uniform(0.4, 0.9))
            var c = Canvas.sprite(lo: -h - V2(2, 2), hi: h + V2(2, 2), pxPerUnit: pxPerCm)
            c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 2) + 0.8 * (n.value($0.x * 0.3, $0.y * 0.3) - 0.5) }, paint: { q, _ in
                let logo = (q - V2(2, 1)).length < h.y * 0.45
                return (logo ? Col.gray(0.9) : col) * Float(0.75 + 0.4 * n.fbm(q.x * 0.4, q.y * 0.4, octaves: 4))
            })
            return (c.sprite(), h)
        case .jacket:
            let h = V2(r.uniform(22, 25), r.uniform(18, 21))
            let col = r.pick([Col(0.1, 0.1, 0.12), Col(0.15, 0.18, 0.28), Col(0.22, 0.24, 0.2), Col(0.35, 0.12, 0.1)]) * Float(r.uniform(0.9, 1.3))
            var c = Canvas.sprite(lo: -h - V2(4, 4), hi: h + V2(4, 4), pxPerUnit: pxPerCm)
            let s1a = V2(-h.x * 0.6, -h.y * 0.5), s1b = V2(h.x * 0.3, h.y * 0.75)
            let s2a = V2(h.x * 0.6, -h.y * 0.6), s2b = V2(h.x * 0.9, h.y * 0.6)
            c.fill(lo: -h - V2(4, 4), hi: h + V2(4, 4), sdf: { q in
                let bodyD = SDF.roundedRect(q, V2(0, -1), h * 0.82, 4) + 1.5 * (n.value(q.x * 0.2, q.y * 0.2) - 0.5)
                return min(bodyD, min(SDF.capsule(q, s1a, s1b, 4.5), SDF.capsule(q, s2a, s2b, 4.2)))
            }, paint: { q, _ in
                let folds = Float(n.fbm(q.x * 0.18, q.y * 0.5, octaves: 4))
                var cc = col * (0.55 + 0.8 * folds)
                if abs(q.x + q.y * 0.15) < 0.35 && abs(q.y) < h.y * 0.8 { cc = Col.gray(0.55) }  // zip
                return cc
            })
            return (c.sprite(), h)
        }
    }
}
