import Foundation

enum HandPose: Int, Sendable, CaseIterable {
    case open, grip, flat, point
}

/// How one customer looks: fixed for their visit.
struct CustomerLook: Sendable {
    var skin: Col
    var clothing: Col
    var sleeve: Col
    var hair: Col
    var hat: Col?
    var shoulderHalf: Double
    var torsoDepth: Double
    var headSize: V2
    var handScale: Double
    var upperArm: Double
    var forearm: Double
    var seed: UInt64

    /// Skin from light to dark: a walk along a few real-world anchors.
    static func skinTone(_ t: Double, _ r: inout SimRandom) -> Col {
        let anchors: [Col] = [Col(0.96, 0.84, 0.75), Col(0.92, 0.74, 0.6), Col(0.8, 0.58, 0.42),
                              Col(0.62, 0.42, 0.28), Col(0.42, 0.27, 0.17), Col(0.28, 0.18, 0.12)]
        let x = clamp(t, 0, 0.999) * Double(anchors.count - 1)
        let i = Int(x)
        let c = anchors[i].mixed(anchors[i + 1], x - Double(i))
        return c * Float(r.uniform(0.95, 1.05))
    }

    static func random(_ r: inout SimRandom, dark: Bool = true) -> CustomerLook {
        let skin = skinTone(r.unit(), &r)
        let darks: [Col] = [Col(0.1, 0.11, 0.16), Col(0.08, 0.08, 0.09), Col(0.2, 0.21, 0.23), Col(0.1, 0.17, 0.12),
                            Col(0.24, 0.08, 0.1), Col(0.2, 0.14, 0.1), Col(0.13, 0.15, 0.26)]
        let brights: [Col] = [Col(0.7, 0.2, 0.2), Col(0.85, 0.8, 0.7), Col(0.3, 0.5, 0.75), Col(0.8, 0.65, 0.2), Col(0.45, 0.6, 0.4)]
        let cloth = (dark || r.chance(0.4) ? r.pick(darks) : r.pick(brights)) * Float(r.uniform(0.85, 1.2))
        let sleeve = r.chance(0.75) ? cloth * Float(r.uniform(0.9, 1.1)) : r.pick(darks)
        let hairs: [Col] = [Col(0.06, 0.05, 0.05), Col(0.22, 0.14, 0.08), Col(0.45, 0.32, 0.18), Col(0.75, 0.62, 0.4),
                            Col(0.6, 0.6, 0.6), Col(0.35, 0.2, 0.12)]
        let hat: Col? = r.chance(0.2) ? r.pick(darks + brights) : nil
        let k = r.uniform(0.9, 1.1)
        return CustomerLook(skin: skin, clothing: cloth, sleeve: sleeve, hair: r.pick(hairs), hat: hat,
                            shoulderHalf: r.uniform(20.5, 24.5) * k, torsoDepth: r.uniform(11, 13.5) * k,
                            headSize: V2(r.uniform(7.2, 8.2), r.uniform(8.6, 9.8)) * k, handScale: r.uniform(0.9, 1.08) * k,
                            upperArm: 29 * k, forearm: 25 * k, seed: r.next())
    }
}

/// Sprites of one person, painted once per visit.
struct PersonSprites: Sendable {
    var torso: Sprite
    /// [pose][side]: side 0 = left hand, 1 = right hand.
    var hands: [[Sprite]]
    var sleeveTexture: NoiseTile

    init(look: CustomerLook, pxPerCm: Double, withHands: Bool = true) {
        torso = PersonPainter.torso(look, pxPerCm: pxPerCm)
        hands = withHands ? HandPose.allCases.map { pose in [0, 1].map { PersonPainter.hand(look, pose: pose, right: $0 == 1, pxPerCm: pxPerCm) } } : []
        sleeveTexture = NoiseTile(seed: look.seed ^ 0x51EE, scale: 5, streaks: true)
    }
}

enum PersonPainter {
    /// Shoulders, back and head from above, facing −y (towards the counter).
    static func torso(_ look: CustomerLook, pxPerCm: Double) -> Sprite {
        let a = look.shoulderHalf, b = look.torsoDepth
        var c = Canvas.sprite(lo: V2(-a - 2, -b - look.headSize.y - 2), hi: V2(a + 2, b + 2), pxPerUnit: pxPerCm)
        let n = ValueNoise(seed: look.seed)
        var r = SimRandom(seed: look.seed ^ 0x7031)
        // Shoulders: a squashed superellipse, flatter at the front.
        func shoulders(_ q: V2) -> Double {
            let u = abs(q.x) / a, v = abs(q.y) / (q.y < 0 ? b * 0.8 : b)
            let e = pow(pow(u, 2.6) + pow(v, 2.2), 1 / 2.4)
            return (e - 1) * min(a, b)
        }
        let cloth = look.clothing
        let folds = r.uniform(0.5, 1.2)
        c.fill(lo: V2(-a, -b), hi: V2(a, b), sdf: shoulders, paint: { q, d in
            let dome = Float(0.62 + 0.5 * min(1, -d / 6))
            let fabric = Float(n.fbm(q.x * 0.9, q.y * 0.9, octaves: 4) - 0.5) * 0.35 * Float(folds)
            let seam: Float = abs(abs(q.x) - a * 0.62) < 0.25 ? 0.8 : 1
            return cloth * (dome + fabric) * seam
        })
        // A hood or collar behind the neck.
        if r.chance(0.5) {
            let hc = V2(0, look.headSize.y * 0.35)
            c.fill(lo: hc - V2(9, 6), hi: hc + V2(9, 6), sdf: { SDF.ellipse($0, hc, 8.5, 5.5) }, paint: { q, _ in
                cloth * Float(0.75 + 0.4 * n.fbm(q.x * 1.5 + 7, q.y * 1.5, octaves: 3))
            })
        }
        // Head: hair (or a hat) seen from above, a little forward of the shoulders.
        let hc = V2(0, -b * 0.35)
        let hs = look.headSize
        c.fill(lo: hc - hs, hi: hc + hs, sdf: { SDF.ellipse($0, hc, hs.x, hs.y) }, paint: { q, d in
            let rel = V2((q.x - hc.x) / hs.x, (q.y - hc.y) / hs.y)
            let dome = Float(0.55 + 0.6 * max(0, 1 - rel.dot(rel)).squareRoot())
            if let hat = look.hat {
                let brim: Float = d > -1.2 ? 0.8 : 1
                return hat * dome * brim
            }
            let strands = Float(n.fbm(atan2(rel.y, rel.x) * 6, rel.length * 2, octaves: 3) - 0.5) * 0.5
            var col = look.hair * (dome + strands)
            // Skin shows at the front (forehead) and the ears.
            if rel.y < -0.82 || (abs(rel.x) > 0.93 && abs(rel.y) < 0.25) { col = look.skin * dome }
            return col
        })
        if let hat = look.hat, r.chance(0.6) {
            // Cap peak, pointing forward.
            let pc = hc + V2(0, -hs.y * 0.95)
            c.fill(lo: pc - V2(6, 4), hi: pc + V2(6, 4), sdf: { SDF.ellipse($0, pc, 5.5, 3.2) }, paint: { _, _ in hat * 0.85 })
        }
        c.blur(radius: max(0, Int(pxPerCm / 8)))
        return c.sprite()
    }

    /// A hand from above (back of the hand), wrist at the origin, fingers along +x.
    static func hand(_ look: CustomerLook, pose: HandPose, right: Bool, pxPerCm: Double) -> Sprite {
        let k = look.handScale
        var c = Canvas.sprite(lo: V2(-2.5, -9) * k, hi: V2(19, 9) * k, pxPerUnit: pxPerCm)
        let n = ValueNoise(seed: look.seed ^ 0xA11D)
        let s: Double = right ? -1 : 1  // thumb side: −y for a right hand, +y for a left one
        let skin = look.skin
        func shade(_ q: V2, _ d: Double, _ base: Col) -> Col {
            let edge = Float(min(1, -d / 1.1))
            let mottle = Float(n.fbm(q.x * 1.4, q.y * 1.4, octaves: 3) - 0.5) * 0.12
            return base * (0.72 + 0.32 * edge + mottle)
        }
        // Fingers: (offset across, length, radius, spread angle), index first (nearest the thumb).
        var fingers: [(Double, Double, Double, Double)] = [(-2.85, 7.0, 0.95, -6), (-0.95, 7.8, 1.0, -1), (0.95, 7.3, 0.95, 4), (2.8, 5.8, 0.82, 10)]
        var thumb: (Double, Double) = (-52, 5.6)  // angle, length
        switch pose {
        case .open: break
        case .grip:
            fingers = fingers.map { ($0.0, $0.1 * 0.45, $0.2 * 1.12, $0.3 * 0.3) }
            thumb = (-28, 4.4)
        case .flat:
            fingers = fingers.map { ($0.0 * 1.08, $0.1 * 1.02, $0.2, $0.3 * 2.3 - 2) }
            thumb = (-68, 6.0)
        case .point:
            fingers = fingers.enumerated().map { $0.offset == 0 ? $0.element : ($0.element.0, $0.element.1 * 0.4, $0.element.2 * 1.12, 0) }
            thumb = (-30, 4.4)
        }
        // Order: thumb, palm, fingers (fingers overlap the palm's front edge).
        let tb = V2(2.6, 3.4 * s) * k
        let ta = V2.polar(thumb.0 * .pi / 180 * s, thumb.1 * k) + tb
        c.fill(lo: V2(-3, -9) * k, hi: V2(12, 9) * k, sdf: { SDF.capsule($0, tb, ta, 1.2 * k) }, paint: { q, d in shade(q, d, skin) })
        let palmC = V2(4.7, 0) * k, palmH = V2(4.7, 4.0) * k
        c.fill(lo: V2(-3, -6) * k, hi: V2(11, 6) * k, sdf: { q in
            min(SDF.roundedRect(q, palmC, palmH, 2.4 * k), SDF.ellipse(q, V2(0.3, 0) * k, 2.6 * k, 3.3 * k))
        }, paint: { q, d in
            var col = shade(q, d, skin)
            // Tendons and knuckles.
            let kn = (q.x - 8.6 * k) / (0.9 * k)
            if abs(kn) < 1 { col = col * Float(0.92 + 0.08 * cos(q.y / k * 3.2)) }
            return col
        })
        for (i, f) in fingers.enumerated() {
            let base = V2(8.6 + (i == 1 ? 0.3 : 0), f.0 * s) * k
            let tip = base + V2.polar(f.3 * .pi / 180 * s, f.1 * k)
            let r = f.2 * k
            c.fill(lo: V2(6, -9) * k, hi: V2(19, 9) * k, sdf: { SDF.capsule($0, base, tip, r) }, paint: { q, d in
                var col = shade(q, d, skin)
                let along = (q - base).length / max(0.1, (tip - base).length)
                if pose != .grip, along > 0.82, d < -0.25 { col = col.mixed(Col(0.93, 0.82, 0.78), 0.45) }  // nail
                if abs(along - 0.55) < 0.03 { col = col * 0.85 }  // joint crease
                return col
            })
        }
        c.blur(radius: max(0, Int(pxPerCm / 10)))
        return c.sprite()
    }
}
