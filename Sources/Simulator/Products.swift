import Foundation

enum ProductKind: Sendable {
    case box, can, bottle, clearBottle, produceBag, bananas, melon, avocado, pouch, tray, eggs, yogurt, jar
}

/// One product line of the synthetic store.
struct Product: Sendable {
    var sku: String
    var barcode: String
    var description: String
    var unitPrice: Double
    var weightGrams: Double
    var kind: ProductKind
    /// Length (along local x) and width, centimetres.
    var size: V2
    /// Sold by PLU (loose produce) rather than by barcode.
    var produce: Bool
    /// Weighed on the scanner's scale.
    var weighed: Bool
    var look: ProductLook
    var sprite: Sprite
    /// Half extents of the drawn shape, cm.
    var half: V2 { size * 0.5 }
    /// Radius of a circle of the same area-ish, for clearances.
    var radius: Double { (size.x * size.x + size.y * size.y).squareRoot() / 2 }
}

/// Colours and print layout of a product, fixed per seed.
struct ProductLook: Sendable {
    var base: Col
    var accent: Col
    var accent2: Col
    var ink: Col
    var seed: UInt64
    var variant: Int
}

private struct ProductTemplate {
    let description: String
    let kind: ProductKind
    let size: (Double, Double)
    let price: Double
    let grams: Double
    let plu: String?
    let weighed: Bool
    /// Hue choices (0…1), saturation and value ranges for the base colour.
    let hues: [Double]
    let sat: ClosedRange<Double>
    let val: ClosedRange<Double>
}

enum ProductFactory {
    private static let templates: [ProductTemplate] = [
        .init(description: "Corn flakes 500 g", kind: .box, size: (24, 17), price: 3.49, grams: 520, plu: nil, weighed: false, hues: [0.08, 0.12, 0.0], sat: 0.6...0.9, val: 0.75...0.95),
        .init(description: "Spaghetti 500 g", kind: .box, size: (20, 8), price: 1.29, grams: 510, plu: nil, weighed: false, hues: [0.6, 0.62, 0.0], sat: 0.5...0.85, val: 0.45...0.8),
        .init(description: "Butter cookies 300 g", kind: .box, size: (19, 12), price: 2.79, grams: 320, plu: nil, weighed: false, hues: [0.55, 0.08, 0.95], sat: 0.4...0.8, val: 0.5...0.9),
        .init(description: "Green tea 20 bags", kind: .box, size: (14, 7.5), price: 2.19, grams: 60, plu: nil, weighed: false, hues: [0.3, 0.35], sat: 0.4...0.8, val: 0.4...0.75),
        .init(description: "Dark chocolate 100 g", kind: .box, size: (15.5, 7.8), price: 1.99, grams: 105, plu: nil, weighed: false, hues: [0.02, 0.07, 0.75], sat: 0.5...0.85, val: 0.25...0.55),
        .init(description: "Toothpaste 75 ml", kind: .box, size: (18.5, 4.8), price: 2.49, grams: 120, plu: nil, weighed: false, hues: [0.58, 0.0, 0.5], sat: 0.2...0.7, val: 0.75...0.97),
        .init(description: "Laundry pods 24 pcs", kind: .box, size: (23, 19), price: 12.99, grams: 600, plu: nil, weighed: false, hues: [0.08, 0.55, 0.3], sat: 0.7...0.95, val: 0.6...0.95),
        .init(description: "Razor blades 4 pcs", kind: .box, size: (14, 9), price: 14.99, grams: 60, plu: nil, weighed: false, hues: [0.6, 0.0, 0.12], sat: 0.5...0.9, val: 0.3...0.7),
        .init(description: "Cheddar 200 g", kind: .box, size: (12.5, 8.5), price: 2.99, grams: 205, plu: nil, weighed: false, hues: [0.1, 0.13], sat: 0.6...0.9, val: 0.75...0.95),
        .init(description: "Cola 330 ml can", kind: .can, size: (12.2, 6.6), price: 0.89, grams: 345, plu: nil, weighed: false, hues: [0.99, 0.0, 0.6], sat: 0.75...0.95, val: 0.6...0.85),
        .init(description: "Lager 500 ml can", kind: .can, size: (16.8, 6.6), price: 1.49, grams: 520, plu: nil, weighed: false, hues: [0.12, 0.35, 0.6], sat: 0.5...0.9, val: 0.5...0.85),
        .init(description: "Energy drink 250 ml", kind: .can, size: (13.5, 5.4), price: 1.79, grams: 270, plu: nil, weighed: false, hues: [0.6, 0.25, 0.8], sat: 0.5...0.9, val: 0.3...0.8),
        .init(description: "Mineral water 0.75 l", kind: .clearBottle, size: (24, 7.2), price: 0.79, grams: 780, plu: nil, weighed: false, hues: [0.55, 0.6], sat: 0.1...0.3, val: 0.8...0.95),
        .init(description: "Red wine 0.75 l", kind: .bottle, size: (24, 7.6), price: 8.99, grams: 1250, plu: nil, weighed: false, hues: [0.33, 0.95], sat: 0.5...0.9, val: 0.15...0.35),
        .init(description: "Olive oil 0.5 l", kind: .bottle, size: (22, 6.6), price: 6.49, grams: 900, plu: nil, weighed: false, hues: [0.2, 0.15], sat: 0.5...0.9, val: 0.4...0.7),
        .init(description: "Ketchup 500 ml", kind: .bottle, size: (19, 6.8), price: 2.29, grams: 560, plu: nil, weighed: false, hues: [0.0, 0.99], sat: 0.75...0.95, val: 0.55...0.8),
        .init(description: "Apples (loose)", kind: .produceBag, size: (17, 14), price: 2.49, grams: 900, plu: "4131", weighed: true, hues: [0.0, 0.02, 0.25], sat: 0.6...0.9, val: 0.5...0.8),
        .init(description: "Oranges (loose)", kind: .produceBag, size: (18, 15), price: 2.29, grams: 1100, plu: "3107", weighed: true, hues: [0.07, 0.08], sat: 0.8...0.95, val: 0.8...0.95),
        .init(description: "Lemons (loose)", kind: .produceBag, size: (15, 12), price: 1.99, grams: 500, plu: "4053", weighed: true, hues: [0.14, 0.15], sat: 0.7...0.9, val: 0.8...0.95),
        .init(description: "Onions 1 kg net", kind: .produceBag, size: (18, 13), price: 1.19, grams: 1000, plu: nil, weighed: false, hues: [0.09, 0.07], sat: 0.4...0.7, val: 0.5...0.75),
        .init(description: "Bananas", kind: .bananas, size: (21, 14), price: 1.29, grams: 1000, plu: "4011", weighed: true, hues: [0.14, 0.15], sat: 0.7...0.9, val: 0.8...0.95),
        .init(description: "Cantaloupe melon", kind: .melon, size: (15, 14), price: 2.99, grams: 1400, plu: "4050", weighed: false, hues: [0.12, 0.18], sat: 0.25...0.45, val: 0.6...0.8),
        .init(description: "Avocado (each)", kind: .avocado, size: (10, 7), price: 1.49, grams: 200, plu: "4046", weighed: false, hues: [0.28, 0.3], sat: 0.5...0.8, val: 0.2...0.4),
        .init(description: "Potato chips 150 g", kind: .pouch, size: (24, 18), price: 2.49, grams: 160, plu: nil, weighed: false, hues: [0.12, 0.0, 0.6, 0.33], sat: 0.6...0.95, val: 0.6...0.95),
        .init(description: "Ground coffee 500 g", kind: .pouch, size: (20, 11), price: 7.99, grams: 510, plu: nil, weighed: false, hues: [0.05, 0.08, 0.0], sat: 0.3...0.7, val: 0.12...0.3),
        .init(description: "Beef steak 400 g", kind: .tray, size: (21, 15), price: 11.49, grams: 420, plu: nil, weighed: false, hues: [0.0, 0.99], sat: 0.6...0.8, val: 0.45...0.65),
        .init(description: "Chicken breast 500 g", kind: .tray, size: (20, 14), price: 6.79, grams: 520, plu: nil, weighed: false, hues: [0.03, 0.05], sat: 0.25...0.4, val: 0.8...0.92),
        .init(description: "Eggs 10 pack", kind: .eggs, size: (24, 11), price: 3.19, grams: 640, plu: nil, weighed: false, hues: [0.1, 0.08, 0.15], sat: 0.1...0.3, val: 0.6...0.8),
        .init(description: "Yogurt 4 x 125 g", kind: .yogurt, size: (13.5, 13.5), price: 1.89, grams: 520, plu: nil, weighed: false, hues: [0.95, 0.6, 0.15], sat: 0.4...0.8, val: 0.7...0.95),
        .init(description: "Strawberry jam 450 g", kind: .jar, size: (8.8, 8.8), price: 2.69, grams: 700, plu: nil, weighed: false, hues: [0.0, 0.08, 0.6], sat: 0.6...0.9, val: 0.5...0.85),
    ]

    /// 12–18 products for this seed, always with some loose produce (the PLU and
    /// weighed flows, and the cheap items a wrong scan registers).
    static func makeCatalog(seed: UInt64, pxPerCm: Double) -> [Product] {
        var rng = SimRandom(seed: seed, stream: "catalog")
        let count = rng.int(12...18)
        let produce = templates.indices.filter { templates[$0].plu != nil }
        let packaged = templates.indices.filter { templates[$0].plu == nil }
        var chosen = Array(rng.shuffled(produce).prefix(rng.int(3...4)))
        chosen += rng.shuffled(packaged).prefix(count - chosen.count)
        chosen.sort()
        var usedCodes = Set<String>()
        var out: [Product] = []
        for (n, ti) in chosen.enumerated() {
            let t = templates[ti]
            var r = SimRandom(seed: seed &+ UInt64(n) &* 7919, stream: "product-\(ti)")
            let code: String
            if let plu = t.plu {
                code = plu
            } else {
                var c: String
                repeat { c = ean13(prefix: r.pick(["40", "50", "76", "87", "54"]), rng: &r) } while usedCodes.contains(c)
                code = c
            }
            usedCodes.insert(code)
            let k = r.uniform(0.92, 1.08)
            let size = V2(min(24, t.size.0 * k), min(24, t.size.1 * k))
            let price = ((t.price * r.uniform(0.9, 1.15)) * 10).rounded(.down) / 10 + 0.09
            let hue = r.pick(t.hues) + r.uniform(-0.025, 0.025)
            let base = Palette.hsv(hue, r.uniform(t.sat.lowerBound, t.sat.upperBound), r.uniform(t.val.lowerBound, t.val.upperBound))
            let accent = Palette.hsv(hue + r.pick([0.5, 0.33, -0.33, 0.08, 0.0]), r.uniform(0.1, 0.9), r.uniform(0.3, 1.0))
            let accent2 = Palette.hsv(r.unit(), r.uniform(0.3, 0.9), r.uniform(0.5, 1.0))
            let ink = r.chance(0.6) ? Col(0.08, 0.07, 0.09) : Col(0.97, 0.96, 0.93)
            let look = ProductLook(base: base, accent: accent, accent2: accent2, ink: ink, seed: r.next(), variant: r.int(0...3))
            var p = Product(sku: code, barcode: code, description: t.description, unitPrice: price,
                            weightGrams: (t.grams * k).rounded(), kind: t.kind, size: size,
                            produce: t.plu != nil, weighed: t.weighed, look: look,
                            sprite: Sprite(width: 1, height: 1, data: [0, 0, 0, 0], origin: .zero, pxPerUnit: 1))
            p.sprite = ProductPainter.paint(p, pxPerCm: pxPerCm)
            out.append(p)
        }
        return out
    }

    static func ean13(prefix: String, rng: inout SimRandom) -> String {
        var digits = prefix.compactMap { $0.wholeNumberValue }
        while digits.count < 12 { digits.append(rng.int(0...9)) }
        var sum = 0
        for (i, d) in digits.enumerated() { sum += i % 2 == 0 ? d : 3 * d }
        digits.append((10 - sum % 10) % 10)
        return digits.map(String.init).joined()
    }
}

/// Top views of products, painted procedurally in centimetres around the centre,
/// long axis along x.
enum ProductPainter {
    static func paint(_ p: Product, pxPerCm: Double) -> Sprite {
        let h = p.half
        var c = Canvas.sprite(lo: V2(-h.x - 0.6, -h.y - 0.6), hi: V2(h.x + 0.6, h.y + 0.6), pxPerUnit: pxPerCm)
        var rng = SimRandom(seed: p.look.seed)
        let noise = ValueNoise(seed: p.look.seed)
        switch p.kind {
        case .box: box(&c, p, &rng, noise)
        case .can: can(&c, p, &rng, noise)
        case .bottle, .clearBottle: bottle(&c, p, &rng, noise)
        case .produceBag: produceBag(&c, p, &rng, noise)
        case .bananas: bananas(&c, p, &rng, noise)
        case .melon: melon(&c, p, &rng, noise)
        case .avocado: avocado(&c, p, &rng, noise)
        case .pouch: pouch(&c, p, &rng, noise)
        case .tray: tray(&c, p, &rng, noise)
        case .eggs: eggs(&c, p, &rng, noise)
        case .yogurt: yogurt(&c, p, &rng, noise)
        case .jar: jar(&c, p, &rng, noise)
        }
        // Soft top light: products are a little brighter towards the middle.
        c.modulateAll { q, col in
            let r = (q.x / (h.x + 0.5)) * (q.x / (h.x + 0.5)) + (q.y / (h.y + 0.5)) * (q.y / (h.y + 0.5))
            return col * Float(1.04 - 0.12 * r)
        }
        return c.sprite()
    }

    /// Printed "text": rows of short dashes.
    static func textLines(_ c: inout Canvas, origin: V2, width: Double, rows: Int, rowHeight: Double, ink: Col, rng: inout SimRandom) {
        for r in 0..<rows {
            var x = origin.x
            let y = origin.y + Double(r) * rowHeight * 1.7
            let end = origin.x + width * rng.uniform(0.55, 1.0)
            while x < end {
                let w = rng.uniform(0.3, 1.4) * rowHeight * 1.6
                let a = V2(x, y), b = V2(min(end, x + w), y)
                c.fill(lo: V2(a.x - 1, y - 1), hi: V2(b.x + 1, y + 1), opacity: 0.85,
                       sdf: { SDF.capsule($0, a, b, rowHeight * 0.38) }, paint: { _, _ in ink })
                x += w + rowHeight * rng.uniform(0.4, 0.9)
            }
        }
    }

    static func barcodePatch(_ c: inout Canvas, center: V2, size: V2, rng: inout SimRandom) {
        let half = size * 0.5
        c.fill(lo: center - half, hi: center + half, sdf: { SDF.roundedRect($0, center, half, 0.15) }, paint: { _, _ in Col(0.96, 0.96, 0.94) })
        var x = center.x - half.x * 0.82
        let y0 = center.y - half.y * 0.75, y1 = center.y + half.y * 0.5
        while x < center.x + half.x * 0.8 {
            let w = rng.pick([0.06, 0.06, 0.1, 0.14])
            let a = x
            c.fill(lo: V2(a - 0.2, y0), hi: V2(a + w + 0.2, y1), sdf: { q in max(max(a - q.x, q.x - a - w), max(y0 - q.y, q.y - y1)) },
                   paint: { _, _ in Col(0.05, 0.05, 0.06) })
            x += w + rng.pick([0.06, 0.09, 0.12])
        }
    }

    static func box(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 0.35) }, paint: { q, d in
            let grain = Float(n.fbm(q.x * 3, q.y * 3, octaves: 2) - 0.5) * 0.06
            let edge: Float = d > -0.5 ? 0.8 : 1
            return (look.base + grain) * edge
        })
        // Print: a band, a picture block, a logo, text and (usually) a barcode.
        let bandAlongX = rng.chance(0.5)
        let bandPos = rng.uniform(-0.3, 0.3), bandW = rng.uniform(0.18, 0.35)
        c.fill(lo: -h, hi: h, sdf: { q in
            let v = bandAlongX ? q.y / h.y : q.x / h.x
            let scale = bandAlongX ? h.y : h.x
            return max(SDF.roundedRect(q, .zero, h * 0.94, 0.3), (abs(v - bandPos) - bandW) * scale)
        }, paint: { _, _ in look.accent })
        if look.variant % 2 == 0 {
            // Diagonal stripes across one end.
            let end = rng.sign()
            c.fill(lo: -h, hi: h, opacity: 0.9, sdf: { q in
                let inEnd = end * q.x > h.x * 0.45
                let s = sin((q.x + q.y) * 2.2)
                return inEnd && s > 0.2 && SDF.roundedRect(q, .zero, h * 0.96, 0.3) < 0 ? -1 : 1
            }, paint: { _, _ in look.accent2 })
        }
        // Picture block: colourful noise (a food photo, say).
        let pc = V2(rng.uniform(-0.3, 0.3) * h.x, rng.uniform(-0.3, 0.3) * h.y)
        let ph = V2(h.x * rng.uniform(0.25, 0.45), h.y * rng.uniform(0.25, 0.5))
        c.fill(lo: pc - ph, hi: pc + ph, sdf: { SDF.roundedRect($0, pc, ph, min(ph.x, ph.y) * rng2(look.seed)) }, paint: { q, _ in
            let v = n.fbm(q.x * 0.9 + 40, q.y * 0.9, octaves: 4)
            return look.accent2.mixed(look.base * 0.6, v) * Float(0.7 + 0.6 * v)
        })
        // Logo ellipse with a word.
        let lc = V2(rng.uniform(-0.4, 0.4) * h.x, rng.uniform(-0.5, 0.5) * h.y)
        let lr = min(h.x, h.y) * rng.uniform(0.3, 0.5)
        c.fill(lo: lc - V2(lr * 1.5, lr), hi: lc + V2(lr * 1.5, lr), sdf: { SDF.ellipse($0, lc, lr * 1.5, lr) }, paint: { _, _ in look.ink.mixed(look.accent, 0.3) })
        textLines(&c, origin: lc - V2(lr * 0.9, lr * 0.2), width: lr * 1.8, rows: 1, rowHeight: lr * 0.28, ink: look.base, rng: &rng)
        textLines(&c, origin: V2(-h.x * 0.8, h.y * 0.45), width: h.x * 1.1, rows: min(3, Int(h.y / 1.8)), rowHeight: 0.32, ink: look.ink, rng: &rng)
        if rng.chance(0.7), h.x > 5, h.y > 2.4 {
            let bs = V2(min(3.6, h.x * 0.6), min(2.2, h.y * 0.8))
            barcodePatch(&c, center: V2(h.x - bs.x / 2 - 0.6, -h.y + bs.y / 2 + 0.5), size: bs, rng: &rng)
        }
    }

    /// A small per-seed fraction for rounded corners.
    private static func rng2(_ seed: UInt64) -> Double { Double(seed % 5) * 0.08 }

    static func cylinderShade(_ across: Double) -> Float {
        // across in −1…1; a bright streak off-centre, dark limbs.
        let body = (max(0, 1 - across * across)).squareRoot()
        let spec = exp(-pow((across + 0.35) / 0.12, 2)) * 0.55
        return Float(0.45 + 0.6 * body + spec)
    }

    static func can(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let rim = 0.7
        c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, h.y * 0.35) }, paint: { q, _ in
            let across = q.y / h.y
            let s = cylinderShade(across)
            let atRim = abs(q.x) > h.x - rim
            if atRim { return Col.gray(0.62) * s + Float(n.value(q.x * 8, q.y * 8) * 0.05) }
            // Printed body: base with a wave band and a logo block.
            var col = look.base
            let wave = q.y / h.y - 0.25 * sin(q.x * 0.8 + Double(look.variant))
            if abs(wave) < 0.22 { col = look.accent }
            if abs(q.x + h.x * 0.15) < h.x * 0.22 && abs(q.y) < h.y * 0.45 { col = look.accent2 }
            return col * s
        })
        textLines(&c, origin: V2(-h.x * 0.3, -h.y * 0.1), width: h.x * 0.7, rows: 1, rowHeight: 0.45, ink: look.ink, rng: &rng)
    }

    static func bottle(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let clear = p.kind == .clearBottle
        let r = h.y
        let bodyEnd = h.x * 0.25
        let neckR = r * 0.38
        let capStart = h.x - 2.2
        func sdf(_ q: V2) -> Double {
            let body = SDF.roundedRect(q, V2((-h.x + bodyEnd) / 2, 0), V2((h.x + bodyEnd) / 2, r), r * 0.3)
            // Shoulder: radius narrowing from r to neckR over 40% of the length.
            let t = clamp((q.x - bodyEnd) / (h.x * 0.4), 0, 1)
            let rr = mix(r, neckR, smoothstep(0, 1, t))
            let shoulder = q.x < bodyEnd || q.x > h.x ? 1.0 : abs(q.y) - rr
            return min(body, shoulder)
        }
        c.fill(lo: -h, hi: h, opacity: clear ? 0.7 : 1, sdf: sdf, paint: { q, _ in
            let t = clamp((q.x - bodyEnd) / (h.x * 0.4), 0, 1)
            let rr = q.x < bodyEnd ? r : mix(r, neckR, smoothstep(0, 1, t))
            let s = cylinderShade(q.y / rr)
            if q.x > capStart { return look.accent2 * s * 0.9 }
            if clear { return (Col(0.82, 0.9, 0.95).mixed(look.base, 0.3)) * s }
            return look.base * s
        })
        // Label band around the body.
        let l0 = -h.x * rng.uniform(0.75, 0.65), l1 = bodyEnd - h.x * rng.uniform(0.05, 0.2)
        c.fill(lo: V2(l0, -r), hi: V2(l1, r), sdf: { q in max(max(l0 - q.x, q.x - l1), abs(q.y) - r * 0.985) }, paint: { q, _ in
            let s = cylinderShade(q.y / r)
            let v = n.fbm(q.x * 0.7, q.y * 0.7 + 9, octaves: 3)
            let col = abs(q.y) < r * 0.35 ? look.accent2.mixed(look.accent, v) : look.accent
            return col * s
        })
        textLines(&c, origin: V2(l0 + 1.2, r * 0.45), width: (l1 - l0) * 0.7, rows: 1, rowHeight: 0.4, ink: look.ink, rng: &rng)
    }

    static func produceBag(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let tieX = h.x * 0.82
        // The fruit inside: packed circles with their own shading.
        let fr = min(h.x, h.y) * rng.uniform(0.36, 0.44)
        var centres: [V2] = []
        var tries = 0
        while centres.count < 9 && tries < 400 {
            tries += 1
            let q = V2(rng.uniform(-h.x * 0.72, tieX - fr * 1.4), rng.uniform(-h.y * 0.7, h.y * 0.7))
            if (q.x / (h.x * 0.95)) * (q.x / (h.x * 0.95)) + (q.y / (h.y * 0.95)) * (q.y / (h.y * 0.95)) > 0.75 { continue }
            if centres.allSatisfy({ ($0 - q).length > fr * 1.45 }) { centres.append(q) }
        }
        for (i, ce) in centres.enumerated() {
            let rr = fr * rng.uniform(0.85, 1.08)
            let tone = look.base.scaled(rng.uniform(0.85, 1.1)).mixed(look.accent, rng.uniform(0, 0.25))
            c.fill(lo: ce - V2(rr, rr), hi: ce + V2(rr, rr), sdf: { SDF.circle($0, ce, rr) }, paint: { q, d in
                let rel = (q - ce) * (1 / rr)
                let s = Float(0.55 + 0.55 * max(0, 1 - rel.dot(rel)).squareRoot() + 0.25 * exp(-((rel - V2(-0.35, -0.35)).dot(rel - V2(-0.35, -0.35))) * 9))
                let skin = Float(n.fbm(q.x * 4 + Double(i) * 11, q.y * 4, octaves: 2) - 0.5) * 0.12
                return (tone + skin) * s
            })
        }
        // The bag film over it: whitish, translucent, crinkled; tied at one end.
        func outline(_ q: V2) -> Double {
            let a = atan2(q.y / h.y, q.x / h.x)
            let wob = 1 + 0.06 * (n.value(a * 2.5 + 5, 3) - 0.5) * 2
            return SDF.ellipse(q, V2(-0.4, 0), (h.x - 0.6) * wob, h.y * wob)
        }
        c.fill(lo: -h, hi: h, opacity: 0.32, sdf: outline, paint: { q, _ in
            let cr = n.fbm(q.x * 1.6, q.y * 1.6, octaves: 3)
            return Col.gray(Float(0.75 + 0.35 * abs(cr - 0.5) * 2))
        })
        c.fill(lo: -h, hi: h, opacity: 0.5, sdf: { q in
            let v = abs(n.fbm(q.x * 1.1 + 3, q.y * 1.1, octaves: 3) - 0.5)
            return outline(q) < 0 && v < 0.025 ? -1 : 1
        }, paint: { _, _ in Col.gray(0.97) })
        let knot = V2(h.x - 1.3, rng.uniform(-0.5, 0.5))
        c.fill(lo: knot - V2(1.5, 1.5), hi: knot + V2(1.5, 1.5), opacity: 0.85, sdf: { SDF.ellipse($0, knot, 1.3, 0.9) }, paint: { _, _ in Col.gray(0.86) })
    }

    static func bananas(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let count = rng.int(4...5)
        // Concentric arcs (the bunch seen from above), stems meeting at the crown on the left.
        let span = 0.72
        let r0 = h.x * 1.08
        let w = min(1.9, h.y / Double(count + 1))
        let sag = r0 * (1 - cos(span))
        let dy = (2 * h.y - 2.4 * w - sag) / Double(max(1, count - 1))
        for i in 0..<count {
            let radius = r0 * rng.uniform(0.94, 1.0)
            let centre = V2(rng.uniform(-0.4, 0.4), -h.y + w * 1.2 + radius + Double(i) * dy)
            let a0 = -.pi / 2 - span * (radius / r0), a1 = -.pi / 2 + span * (radius / r0) * rng.uniform(0.85, 1)
            let tone = look.base.scaled(rng.uniform(0.9, 1.05))
            let tipA = V2.polar(a0, radius) + centre, tipB = V2.polar(a1, radius) + centre
            c.fill(lo: -h, hi: h, sdf: { q in
                let d = q - centre
                let a = atan2(d.y, d.x)
                if a < a0 { return (tipA - q).length - w * 0.35 }
                if a > a1 { return (tipB - q).length - w * 0.25 }
                let t = (a - a0) / (a1 - a0)
                let taper = w * (0.5 + 0.5 * sin(.pi * max(0.08, min(0.95, t))))
                return abs(d.length - radius) - taper
            }, paint: { q, _ in
                let d = q - centre
                let across = (d.length - radius) / w
                let t = (atan2(d.y, d.x) - a0) / (a1 - a0)
                var col = tone * Float(0.6 + 0.5 * max(0, 1 - across * across))
                if t < 0.06 || t > 0.97 { col = Col(0.33, 0.28, 0.14) }
                else if t < 0.16 { col = col.mixed(Col(0.45, 0.6, 0.2), 0.5) }
                if n.value(q.x * 5, q.y * 5) > 0.86 { col = col * 0.55 }
                return col
            })
        }
    }

    static func melon(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        c.fill(lo: -h, hi: h, sdf: { SDF.ellipse($0, .zero, h.x, h.y) }, paint: { q, _ in
            let rel = V2(q.x / h.x, q.y / h.y)
            let s = Float(0.5 + 0.6 * max(0, 1 - rel.dot(rel)).squareRoot())
            let net = abs(n.fbm(q.x * 1.3, q.y * 1.3, octaves: 3) - 0.5)
            var col = look.base
            if net < 0.04 { col = col.mixed(Col(0.85, 0.82, 0.7), 0.7) }
            return col * s
        })
        c.fill(lo: V2(-1, -1), hi: V2(1, 1), sdf: { SDF.circle($0, V2(0.2, -0.3), 0.7) }, paint: { _, _ in Col(0.4, 0.35, 0.2) })
    }

    static func avocado(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        c.fill(lo: -h, hi: h, sdf: { q in
            let k = 1 - 0.18 * (q.x / h.x)  // narrower at the stem end
            return SDF.ellipse(q, .zero, h.x, h.y * k)
        }, paint: { q, _ in
            let rel = V2(q.x / h.x, q.y / h.y)
            let s = Float(0.45 + 0.65 * max(0, 1 - rel.dot(rel)).squareRoot())
            let bumps = Float(n.value(q.x * 6, q.y * 6)) * 0.18
            return look.base * (s + bumps)
        })
    }

    static func pouch(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let crimp = 1.1
        c.fill(lo: -h, hi: h, sdf: { q in
            let zig = abs(q.x) > h.x - crimp ? 0.25 * abs(sin(q.y * 5)) : 0
            return SDF.roundedRect(q, .zero, V2(h.x - zig, h.y * (1 - 0.04 * pow(q.x / h.x, 2))), 0.6)
        }, paint: { q, _ in
            let crinkle = n.fbm(q.x * 0.8, q.y * 0.8, octaves: 4)
            let sheen = Float(pow(abs(crinkle - 0.5) * 2, 3)) * 0.7
            var col = look.base
            if abs(q.x) > h.x - crimp { col = col * 0.85 }
            return col * Float(0.75 + 0.5 * crinkle) + sheen
        })
        let lc = V2(rng.uniform(-0.2, 0.2) * h.x, rng.uniform(-0.2, 0.1) * h.y)
        let lr = min(h.x, h.y) * 0.55
        c.fill(lo: lc - V2(lr * 1.3, lr), hi: lc + V2(lr * 1.3, lr), sdf: { SDF.ellipse($0, lc, lr * 1.3, lr * 0.8) }, paint: { q, _ in
            look.accent * Float(0.85 + 0.3 * n.value(q.x * 2, q.y * 2))
        })
        textLines(&c, origin: lc - V2(lr * 0.8, 0), width: lr * 1.6, rows: 2, rowHeight: 0.55, ink: look.ink, rng: &rng)
        if look.variant > 1 {
            let pc = V2(lc.x, h.y * 0.6)
            c.fill(lo: pc - V2(3, 2), hi: pc + V2(3, 2), sdf: { SDF.ellipse($0, pc, 2.8, 1.4) }, paint: { q, _ in
                look.accent2.mixed(Col(0.85, 0.7, 0.3), n.value(q.x * 3, q.y * 3))
            })
        }
    }

    static func tray(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let foam = rng.chance(0.5) ? Col(0.93, 0.93, 0.9) : Col(0.16, 0.16, 0.18)
        c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 1.5) }, paint: { q, d in
            foam * Float(d > -1.0 ? 1.0 : 0.9) + Float(n.value(q.x * 6, q.y * 6) * 0.04)
        })
        let inner = h - V2(1.4, 1.4)
        c.fill(lo: -inner, hi: inner, sdf: { q in
            let wob = 0.6 * (n.value(q.x * 0.4, q.y * 0.4) - 0.5)
            return SDF.roundedRect(q, .zero, inner * 0.92, 2.5) + wob
        }, paint: { q, _ in
            let marble = n.fbm(q.x * 0.9, q.y * 1.8, octaves: 4)
            var col = look.base * Float(0.8 + 0.35 * marble)
            if marble > 0.68 { col = col.mixed(Col(0.95, 0.9, 0.85), 0.6) }
            return col
        })
        // Film glare and a price label.
        c.fill(lo: -h, hi: h, opacity: 0.35, sdf: { q in
            let s = abs(q.x * 0.5 + q.y - 1.5) - 0.8
            return SDF.roundedRect(q, .zero, h - V2(1, 1), 1.2) < 0 ? s : 1
        }, paint: { _, _ in Col.gray(1) })
        let lc = V2(h.x * 0.45, -h.y * 0.45)
        c.fill(lo: lc - V2(3, 2), hi: lc + V2(3, 2), sdf: { SDF.roundedRect($0, lc, V2(2.6, 1.6), 0.2) }, paint: { _, _ in Col(0.97, 0.97, 0.92) })
        c.fill(lo: lc - V2(3, 2), hi: lc + V2(3, 2), sdf: { q in max(SDF.roundedRect(q, lc, V2(2.6, 1.6), 0.2), -(q.y - lc.y + 0.6)) }, paint: { _, _ in look.accent2 })
        textLines(&c, origin: lc + V2(-2.1, 0.1), width: 4.0, rows: 2, rowHeight: 0.28, ink: Col(0.1, 0.1, 0.1), rng: &rng)
    }

    static func eggs(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 1.2) }, paint: { q, _ in
            look.base * Float(0.88 + 0.24 * n.fbm(q.x * 2.5, q.y * 2.5, octaves: 3))
        })
        // Domes of the lid.
        let cols = 5, rows = 2
        let dx = (h.x * 2 - 2) / Double(cols), dy = (h.y * 2 - 1.5) / Double(rows)
        c.modulate(lo: -h, hi: h) { q, col in
            let gx = (q.x + h.x - 1) / dx, gy = (q.y + h.y - 0.75) / dy
            let fx = gx - gx.rounded(.down) - 0.5, fy = gy - gy.rounded(.down) - 0.5
            guard gx >= 0, gx < Double(cols), gy >= 0, gy < Double(rows) else { return col }
            let r2 = (fx * fx + fy * fy) * 4
            return col * Float(r2 < 1 ? 0.85 + 0.35 * (1 - r2) - 0.25 * (fx + fy) : 0.8)
        }
        let band = V2(0, 0)
        c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, band, V2(h.x * 0.5, h.y * 0.3), 0.3) }, paint: { _, _ in look.accent })
        textLines(&c, origin: V2(-h.x * 0.4, -0.3), width: h.x * 0.8, rows: 2, rowHeight: 0.35, ink: look.ink, rng: &rng)
    }

    static func yogurt(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        c.fill(lo: -h, hi: h, sdf: { SDF.roundedRect($0, .zero, h, 0.8) }, paint: { _, _ in Col.gray(0.92) })
        let r = min(h.x, h.y) / 2 - 0.35
        for cx in [-1.0, 1.0] {
            for cy in [-1.0, 1.0] {
                let ce = V2(cx * h.x / 2, cy * h.y / 2)
                c.fill(lo: ce - V2(r, r), hi: ce + V2(r, r), sdf: { SDF.circle($0, ce, r) }, paint: { q, d in
                    if d > -0.45 { return Col.gray(0.75) }
                    let rel = (q - ce) * (1 / r)
                    let swirl = sin(atan2(rel.y, rel.x) * 3 + rel.length * 6)
                    return (rel.length < 0.45 ? look.accent : look.base) * Float(0.9 + 0.08 * swirl)
                })
            }
        }
    }

    static func jar(_ c: inout Canvas, _ p: Product, _ rng: inout SimRandom, _ n: ValueNoise) {
        let h = p.half, look = p.look
        let r = h.x
        c.fill(lo: -h, hi: h, sdf: { SDF.circle($0, .zero, r) }, paint: { q, _ in
            let d = q.length / r
            let ridge = d > 0.88 ? Float(0.75 + 0.25 * sin(atan2(q.y, q.x) * 60)) : 1
            let dome = Float(0.8 + 0.3 * (1 - d * d))
            return look.base * dome * ridge
        })
        c.fill(lo: -h, hi: h, sdf: { SDF.circle($0, .zero, r * 0.55) }, paint: { _, _ in look.accent2 })
        textLines(&c, origin: V2(-r * 0.4, -0.2), width: r * 0.8, rows: 2, rowHeight: 0.35, ink: look.ink, rng: &rng)
    }
}
