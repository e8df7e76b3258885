import Foundation
import LaneCore

/// Draws the script frame by frame: the baked counter (with what rests on it),
/// then people and what they carry, then the camera: uneven, drifting light,
/// flicker, auto exposure and sensor noise.
/// Used by one thread at a time: built on the caller's, then handed to the render thread.
final class SceneRenderer: @unchecked Sendable {
    let script: Script
    let L: LaneLayout
    let width: Int
    let height: Int
    let fps: Int
    let noiseLevel: Double
    private let fb: FrameBuffer
    private let counter: [UInt8]
    private var baked: [UInt8]
    private var bakeKey: [Int] = [-1]
    private var contents: [Int: [Int]] = [:]
    private var customerObjects: [[Int]] = []
    private var sleeveFallback = NoiseTile(seed: 1)

    private var people: [Int: PersonSprites] = [:]
    private var walkerSprites: [Int: Sprite] = [:]
    private var baskets: [Int: (tub: Sprite, rim: Sprite)] = [:]
    private var bagSprites: [Int: Sprite] = [:]
    private var occluderSprites: [Int: Sprite] = [:]

    // Camera model.
    private let gridStep = 16
    private let gw: Int
    private let gh: Int
    private var lampMaps: [[Float]] = []
    private var dayMap: [Float] = []
    private var vignette: [Float] = []
    private var gainNorm: Float = 1
    /// Per-pixel RGB gain, 8.8 fixed point, interleaved like the frame.
    private var gain: [UInt16] = []
    private var gainLevels: [Double] = []
    private let noiseTable: [Int8]
    private let cameraSeed: UInt64
    private let flickerBands: Double
    private let flickerBeat: Double

    init(script: Script, config: SimulationConfig) {
        self.script = script
        L = script.layout
        width = config.width
        height = config.height
        fps = config.fps
        noiseLevel = max(0, config.noise)
        fb = FrameBuffer(width: width, height: height)
        counter = CounterPainter.paint(script.layout, seed: config.seed)
        baked = counter
        var cr = SimRandom(seed: config.seed, stream: "camera")
        flickerBands = cr.uniform(1.2, 3.5)
        flickerBeat = cr.uniform(0.2, 1.4)
        cameraSeed = cr.next()
        gw = width / gridStep + 2
        gh = height / gridStep + 2

        // Sensor noise: one table of RGB triples with a shared (luma) part and a smaller
        // per-channel part; each frame reads it from a random offset.
        var nr = SimRandom(seed: config.seed, stream: "sensor")
        let n = width * height
        var t = [Int8](repeating: 0, count: 6 * n + 16)
        var i = 0
        while i + 2 < t.count {
            // Sum of uniforms: close enough to Gaussian for sensor grain, and cheap.
            func g() -> Double {
                let v = nr.next()
                return (Double(v & 0xffff) + Double((v >> 16) & 0xffff) + Double((v >> 32) & 0xffff) + Double(v >> 48)) / 65536 - 2
            }
            let l = g() * 1.73 * 0.85
            for c in 0..<3 { t[i + c] = Int8(clamping: Int(((l + g() * 1.73 * 0.5) * 20).rounded())) }
            i += 3
        }
        noiseTable = t

        indexObjects()
        buildLightMaps()
    }

    // MARK: - Object bookkeeping

    private func indexObjects() {
        customerObjects = Array(repeating: [], count: script.customers.count)
        for (id, o) in script.objects.enumerated() {
            for pl in o.placements {
                switch pl.holder {
                case .inBasket(let b), .inBag(let b):
                    if contents[b]?.last != id { contents[b, default: []].append(id) }
                default: break
                }
            }
            let first = o.placements.first { $0.holder != .notYet && $0.t > -1e8 }?.t
            var owner: Int? = nil
            switch o.kind {
            case .basket(let ci): owner = ci
            case .bag: owner = script.customers.firstIndex { $0.bags.contains(id) }
            case .occluder: owner = first.flatMap { script.customerIndex(at: $0) }
            case .product:
                // Products belong to whoever's basket they started in.
                if case .inBasket(let b) = o.placements.first?.holder, case .basket(let ci) = script.objects[b].kind { owner = ci }
            }
            if let owner { customerObjects[owner].append(id) }
        }
    }

    /// Root objects (not inside another) of the customer at t.
    private func roots(_ ci: Int) -> [Int] { customerObjects[ci] }

    // MARK: - Sprites

    private func person(_ ci: Int) -> PersonSprites {
        if let p = people[ci] { return p }
        if people.count > 2 { people.removeAll() }
        let p = PersonSprites(look: script.customers[ci].look, pxPerCm: L.pxPerCm)
        people[ci] = p
        return p
    }

    private func basket(_ ci: Int) -> (tub: Sprite, rim: Sprite) {
        if let b = baskets[ci] { return b }
        if baskets.count > 2 { baskets.removeAll() }
        let b = PropPainter.basket(size: L.basketSize, color: script.basketColors[ci], seed: UInt64(ci) &* 977 &+ 3, pxPerCm: L.pxPerCm)
        baskets[ci] = b
        return b
    }

    private func bag(_ look: Int) -> Sprite {
        if let b = bagSprites[look] { return b }
        if bagSprites.count > 6 { bagSprites.removeAll() }
        let l = script.bagLooks[look]
        let b = PropPainter.bag(size: L.bagSize, style: l.style, color: l.color, seed: l.seed, pxPerCm: L.pxPerCm)
        bagSprites[look] = b
        return b
    }

    private func occluder(_ k: Int) -> Sprite {
        if let o = occluderSprites[k] { return o }
        let o = PropPainter.occluder(script.occluders[k].kind, seed: script.occluders[k].seed, pxPerCm: L.pxPerCm).0
        occluderSprites[k] = o
        return o
    }

    private func walker(_ k: Int) -> Sprite {
        if let w = walkerSprites[k] { return w }
        if walkerSprites.count > 3 { walkerSprites.removeAll() }
        let w = PersonPainter.torso(script.walkers[k].look, pxPerCm: L.pxPerCm)
        walkerSprites[k] = w
        return w
    }

    // MARK: - Frames

    func render(frame i: Int) -> RGBImage {
        let t = Double(i) / Double(fps)
        compose(t)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        applyCamera(t, frame: i, into: &out)
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Scene without camera effects (for tests).
    func renderClean(at t: Double) -> RGBImage {
        compose(t)
        return RGBImage(width: width, height: height, pixels: fb.bytes())
    }

    private var exposure: Double { min(1.0 / Double(fps), 0.5 / Double(fps) * noiseLevel) }

    private func compose(_ t: Double) {
        let ci = script.customerIndex(at: t)
        // Static layer: what lies still on the counter.
        var key: [Int] = [ci ?? -1]
        var statics: [Int] = []
        var dynamics: [Int] = []
        if let ci {
            for id in roots(ci) {
                guard let (pi, pl) = script.objects[id].placement(at: t) else { continue }
                if case .inBasket = pl.holder { continue }  // drawn with their container
                if case .inBag = pl.holder { continue }
                guard let op = script.objectPose(id, t) else { continue }
                if op.held { dynamics.append(id) } else { statics.append(id); key.append(id); key.append(pi) }
                for child in contents[id] ?? [] {
                    if let (cpi, pl) = script.objects[child].placement(at: t), pl.holder == .inBasket(id) || pl.holder == .inBag(id) {
                        key.append(child); key.append(cpi)
                    }
                }
            }
        }
        if key != bakeKey {
            bakeKey = key
            fb.load(counter)
            for id in statics { drawObject(id, t, blur: false) }
            baked = fb.bytes()
        } else {
            fb.load(baked)
        }

        for k in script.walkers.indices where script.walkers[k].t0 <= t && t <= script.walkers[k].t1 { drawWalker(k, t) }
        guard let ci else { drawViewBlocks(t); return }
        let c = script.customers[ci]
        let torso = script.torsoPose(c, t)
        let sprites = person(ci)
        let pxScale = L.pxPerCm

        // Shadows on the counter: the body, the hands and what they carry.
        let shadowShift = V2(1.6, 2.2)
        fb.shadow(center: L.pixel(torso.p + V2(0, -c.look.torsoDepth * 0.6)), radii: V2(c.look.shoulderHalf, c.look.torsoDepth) * pxScale, strength: 0.22)
        var hands: [(Script.HandState, V2, V2, Double)] = []  // state, wrist, direction, carried extent
        for h in 0..<2 {
            guard let hs = script.handState(h, t) else { continue }
            let sh = script.shoulder(c, torso, h)
            var dir = (hs.grip.p - sh).normalized
            if (hs.grip.p - sh).length < 3 { dir = V2(0, -1) }
            var extent = 0.0
            for id in dynamics {
                if case .hand(let hh) = script.objects[id].placement(at: t)?.1.holder, hh == h, let op = script.objectPose(id, t) {
                    extent = max(extent, halfExtent(id, op.pose, along: dir))
                    fb.shadow(center: L.pixel(op.pose.p + shadowShift * 1.6), radii: objectRadii(id) * pxScale * op.pose.scale, strength: 0.18)
                }
            }
            let k = c.look.handScale
            let palm = extent > 0 ? hs.grip.p - dir * (extent * 0.75 + 2.5 * k) : hs.grip.p
            let wrist = palm - dir * (4.7 * k)
            fb.shadow(center: L.pixel(palm + shadowShift), radii: V2(6, 5) * pxScale * k, strength: 0.15)
            hands.append((hs, wrist, dir, extent))
        }
        // Arms (sleeves), from the shoulders.
        for (side, h) in hands.enumerated() { drawArm(c, torso, hand: side, wrist: h.1, sprites: sprites) }
        // What the hands carry, then the hands over it.
        for id in dynamics { drawObject(id, t, blur: true) }
        for (side, h) in hands.enumerated() {
            let sprite = sprites.hands[h.0.pose.rawValue][side]
            let pose = Pose(h.1, h.2.angle)
            let before = script.handState(side, t - exposure / 2)?.grip.p ?? h.0.grip.p
            let after = script.handState(side, t + exposure / 2)?.grip.p ?? h.0.grip.p
            fb.blit(sprite, toFrame: L.toFrame(pose), blur: L.camera.applyLinear(after - before))
        }
        // The body on top: shoulders and head.
        let torsoBlur = exposure > 0 ? L.camera.applyLinear(script.torsoPose(c, t + exposure / 2).p - script.torsoPose(c, t - exposure / 2).p) : .zero
        fb.blit(sprites.torso, toFrame: L.toFrame(torso), blur: torsoBlur)
        drawViewBlocks(t)
    }

    private func halfExtent(_ id: Int, _ pose: Pose, along dir: V2) -> Double {
        let half = objectHalf(id) * pose.scale
        let ax = V2.polar(pose.angle), ay = ax.perp
        return abs(ax.dot(dir)) * half.x + abs(ay.dot(dir)) * half.y
    }

    private func objectHalf(_ id: Int) -> V2 {
        switch script.objects[id].kind {
        case .product(let p): return script.catalog[p].half
        case .basket: return L.basketSize * 0.5
        case .bag: return L.bagSize * 0.5
        case .occluder(let k): return PropPainter.occluderHalf(script.occluders[k].kind)
        }
    }

    private func objectRadii(_ id: Int) -> V2 {
        let h = objectHalf(id)
        let m = (h.x + h.y) / 2
        return V2(m, m)
    }

    private func sprite(of id: Int) -> (Sprite, mirrored: Bool) {
        switch script.objects[id].kind {
        case .product(let p): return (script.catalog[p].sprite, false)
        case .basket(let ci): return (basket(ci).tub, true)
        case .bag(let k): return (bag(k), true)
        case .occluder(let k): return (occluder(k), true)
        }
    }

    /// An object and (for baskets and bags) what is inside it.
    private func drawObject(_ id: Int, _ t: Double, blur: Bool) {
        guard let op = script.objectPose(id, t) else { return }
        var mv = V2.zero
        if blur, exposure > 0, let a = script.objectPose(id, t - exposure / 2), let b = script.objectPose(id, t + exposure / 2) {
            mv = L.camera.applyLinear(b.pose.p - a.pose.p)
        }
        let (sp, mirrored) = sprite(of: id)
        let tint = Col(op.shade, op.shade, op.shade)
        fb.blit(sp, toFrame: mirrored ? L.toFrame(op.pose) : L.toFrameUnmirrored(op.pose), tint: tint, blur: mv)
        for child in contents[id] ?? [] {
            guard let pl = script.objects[child].placement(at: t)?.1, pl.holder == .inBasket(id) || pl.holder == .inBag(id),
                  let cp = script.objectPose(child, t) else { continue }
            let (cs, _) = sprite(of: child)
            fb.blit(cs, toFrame: L.toFrameUnmirrored(cp.pose), tint: Col(cp.shade, cp.shade, cp.shade), blur: mv)
        }
        if case .basket(let ci) = script.objects[id].kind {
            fb.blit(basket(ci).rim, toFrame: L.toFrame(op.pose), blur: mv)
        }
    }

    private func drawArm(_ c: Customer, _ torso: Pose, hand: Int, wrist: V2, sprites: PersonSprites) {
        let sh = script.shoulder(c, torso, hand)
        let d = (wrist - sh).length
        // Seen from above an arm is foreshortened when the hand is near the body.
        let f = clamp(d / (c.look.upperArm + c.look.forearm) + 0.3, 0.55, 1)
        let l1 = c.look.upperArm * f, l2 = c.look.forearm * f
        var elbow: V2
        if d >= l1 + l2 - 0.1 {
            elbow = sh + (wrist - sh) * (l1 / (l1 + l2))
        } else {
            let cosA = clamp((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d), -1, 1)
            let a = acos(cosA)
            let base = (wrist - sh).normalized
            let e1 = sh + base.rotated(a) * l1, e2 = sh + base.rotated(-a) * l1
            // Elbows hang towards the body and a little outwards.
            let outward = hand == 0 ? -1.0 : 1.0
            func score(_ e: V2) -> Double { (e.y - torso.p.y) + 0.5 * (e.x - torso.p.x) * outward }
            elbow = score(e1) > score(e2) ? e1 : e2
        }
        let k = L.pxPerCm
        let ps = L.pixel(sh), pe = L.pixel(elbow), pw = L.pixel(wrist)
        fb.limb(ps, pe, ra: 5.6 * k * torso.scale, rb: 4.6 * k, color: c.look.sleeve, texture: sprites.sleeveTexture, texScale: 0.5)
        fb.limb(pe, pw, ra: 4.5 * k, rb: 3.3 * k, color: c.look.sleeve, texture: sprites.sleeveTexture, texScale: 0.5)
    }

    private func drawWalker(_ k: Int, _ t: Double) {
        let w = script.walkers[k]
        let u = (t - w.t0) / (w.t1 - w.t0)
        let x = w.leftToRight ? mix(-40, L.planeW + 40, u) : mix(L.planeW + 40, -40, u)
        let half = w.look.shoulderHalf
        let y = w.farSide ? -(half * 0.55 + 2) : L.planeH + half * 0.55 + 2
        let angle = (w.leftToRight ? Double.pi / 2 : -Double.pi / 2) + 0.06 * sin(t * 9)
        let bob = 0.8 * sin(t * 9)
        fb.blit(walker(k), toFrame: L.toFrame(Pose(V2(x, y + bob), angle)))
    }

    private func viewBlockLevel(_ t: Double) -> (Double, ViewBlock?) {
        for v in script.views where t >= v.t0 && t <= v.t1 {
            let e = min(1, (t - v.t0) / v.ramp) * min(1, (v.t1 - t) / v.ramp)
            return (e, v)
        }
        return (0, nil)
    }

    /// Something right in front of the lens: out of focus, dark, nearly the whole view.
    private func drawViewBlocks(_ t: Double) {
        let (e, vb) = viewBlockLevel(t)
        guard let v = vb, e > 0 else { return }
        let n = ValueNoise(seed: v.seed)
        let cx = v.centre.x * Double(width) + 30 * sin(t * 1.3), cy = v.centre.y * Double(height) + 20 * sin(t * 0.9)
        let diag = Double(max(width, height))
        let step = 8
        // Coarse alpha/colour grid, then per pixel blend (the blur of a lens focused far away).
        let cols = width / step + 2, rows = height / step + 2
        var alpha = [Float](repeating: 0, count: cols * rows)
        var shade = [Float](repeating: 0, count: cols * rows)
        for gy in 0..<rows {
            for gx in 0..<cols {
                let x = Double(gx * step), y = Double(gy * step)
                let d = ((x - cx) * (x - cx) + (y - cy) * (y - cy)).squareRoot() / diag
                let edge = 0.75 + 0.2 * n.value(x / 200 + t * 0.3, y / 200)
                alpha[gy * cols + gx] = Float(e * (1 - smoothstep(edge - 0.25, edge + 0.1, d)))
                shade[gy * cols + gx] = Float(0.7 + 0.6 * n.fbm(x / 300, y / 300 + t * 0.2, octaves: 2))
            }
        }
        let p = fb.data
        for y in 0..<height {
            let gy = y / step, fy = Float(y % step) / Float(step)
            var o = y * width * 3
            for x in 0..<width {
                let gx = x / step, fx = Float(x % step) / Float(step)
                let i = gy * cols + gx
                let a = (alpha[i] * (1 - fx) + alpha[i + 1] * fx) * (1 - fy) + (alpha[i + cols] * (1 - fx) + alpha[i + cols + 1] * fx) * fy
                if a > 0.002 {
                    // A little dither: the camera's gain would otherwise show 8-bit steps in the dark.
                    let dither = Float((x &* 7 &+ y &* 13) & 7) * 0.004 - 0.014
                    let s = (shade[i] * (1 - fx) + shade[i + 1] * fx) * (1 - fy) + (shade[i + cols] * (1 - fx) + shade[i + cols + 1] * fx) * fy + dither
                    let keep = 1 - a
                    p[o] = UInt8(min(255, Float(p[o]) * keep + v.color.x * 255 * s * a))
                    p[o + 1] = UInt8(min(255, Float(p[o + 1]) * keep + v.color.y * 255 * s * a))
                    p[o + 2] = UInt8(min(255, Float(p[o + 2]) * keep + v.color.z * 255 * s * a))
                }
                o += 3
            }
        }
    }

    // MARK: - Camera

    private func buildLightMaps() {
        let inv = L.camera.inverse
        let lamps = script.lights.lamps
        lampMaps = lamps.map { _ in [Float](repeating: 0, count: gw * gh) }
        dayMap = [Float](repeating: 0, count: gw * gh)
        vignette = [Float](repeating: 0, count: gw * gh)
        for gy in 0..<gh {
            for gx in 0..<gw {
                let px = Double(gx * gridStep), py = Double(gy * gridStep)
                let q = inv.apply(V2(px, py))
                for (k, l) in lamps.enumerated() {
                    let d2 = (q - l.centre).dot(q - l.centre)
                    lampMaps[k][gy * gw + gx] = Float(exp(-d2 / (2 * l.radius * l.radius)))
                }
                let u = q.x / L.planeW
                dayMap[gy * gw + gx] = Float(clamp(script.lights.daylightFromLeft ? 1.2 - u : u + 0.2, 0, 1.2))
                let nx = px / Double(width) - 0.5, ny = py / Double(height) - 0.5
                vignette[gy * gw + gx] = Float(1 - 0.55 * (nx * nx + ny * ny))
            }
        }
        // Normalize so the frame averages a gain of about 1.05 at the start.
        var sum: Float = 0
        for i in 0..<(gw * gh) {
            var v: Float = 0.5
            for (k, l) in lamps.enumerated() { v += Float(l.strength) * lampMaps[k][i] }
            v += Float(script.lights.daylight(0)) * dayMap[i]
            sum += v * vignette[i]
        }
        gainNorm = 1.05 / (sum / Float(gw * gh))
    }

    /// Light reaching the scene (relative), for auto exposure.
    private func sceneLevel(_ t: Double) -> Double {
        var v = 0.5 + script.lights.daylight(t) * 0.6
        for k in script.lights.lamps.indices { v += script.lights.lampLevel(k, t) * 0.55 }
        let (e, _) = viewBlockLevel(t)
        return v * (1 - 0.8 * e)
    }

    private lazy var baseLevel: Double = sceneLevel(0)

    private func autoExposure(_ t: Double) -> Double {
        // The camera adapts over about a second, and only partly.
        var m = 0.0
        for k in 0..<5 { m += sceneLevel(t - 1.4 + Double(k) * 0.25) }
        m /= 5
        return clamp(pow(baseLevel / m, 0.7), 0.75, 3.0)
    }

    private func updateGain(_ t: Double, ae: Double) {
        let lamps = script.lights.lamps
        var levels = lamps.indices.map { script.lights.lampLevel($0, t) }
        levels.append(script.lights.daylight(t))
        levels.append(ae)
        if !gainLevels.isEmpty, zip(levels, gainLevels).allSatisfy({ abs($0 - $1) < 0.002 }) { return }
        gainLevels = levels
        let dt = script.lights.daylightTint
        var low: [[Float]] = [[Float](repeating: 0, count: gw * gh), [Float](repeating: 0, count: gw * gh), [Float](repeating: 0, count: gw * gh)]
        for i in 0..<(gw * gh) {
            var c = Col(0.5, 0.5, 0.5)
            for (k, l) in lamps.enumerated() { c += l.tint * Float(levels[k]) * lampMaps[k][i] }
            c += dt * Float(levels[lamps.count]) * dayMap[i]
            c *= vignette[i] * gainNorm * Float(ae)
            low[0][i] = c.x; low[1][i] = c.y; low[2][i] = c.z
        }
        if gain.count != 3 * width * height { gain = [UInt16](repeating: 0, count: 3 * width * height) }
        gain.withUnsafeMutableBufferPointer { g in
            var row = [Float](repeating: 0, count: 3 * gw)
            for y in 0..<height {
                let gy = y / gridStep, fy = Float(y % gridStep) / Float(gridStep)
                for gx in 0..<gw {
                    let i = gy * gw + gx
                    for ch in 0..<3 { row[3 * gx + ch] = low[ch][i] * (1 - fy) + low[ch][i + gw] * fy }
                }
                var o = y * width * 3
                for x in 0..<width {
                    let gx = x / gridStep, fx = Float(x % gridStep) / Float(gridStep)
                    for ch in 0..<3 {
                        let v = row[3 * gx + ch] * (1 - fx) + row[3 * gx + 3 + ch] * fx
                        g[o + ch] = UInt16(min(4095, v * 256))
                    }
                    o += 3
                }
            }
        }
    }

    private func applyCamera(_ t: Double, frame: Int, into out: inout [UInt8]) {
        // Per-frame randomness depends on the frame alone, so any frame renders the same on its own.
        var frameRandom = SimRandom(seed: cameraSeed ^ (UInt64(frame) &* 0x9E37_79B9_7F4A_7C15))
        let ae = autoExposure(t)
        updateGain(t, ae: ae)
        let nz = noiseLevel
        let global = 1 + 0.006 * nz * frameRandom.normal()
        let phase = 2 * Double.pi * flickerBeat * t
        // Sensor noise grows with the gain the camera applies; table values are 20 per σ.
        let sigma = 2.2 * nz * pow(ae, 0.8)
        let k = Int32(sigma * 65536 / 20)
        let n = width * height
        let off = Int(frameRandom.next() % UInt64(n)) * 3
        let src = fb.data
        let rowLen = 3 * width
        gain.withUnsafeBufferPointer { g in
        noiseTable.withUnsafeBufferPointer { nt in
        out.withUnsafeMutableBufferPointer { o in
            for y in 0..<height {
                // Rolling-shutter flicker: bands drifting through the frame.
                let f = global * (1 + 0.012 * nz * sin(2 * .pi * Double(y) / Double(height) * flickerBands + phase))
                let rg = Int32(f * 256)
                let base = y * rowLen
                let p = src + base, gg = g.baseAddress! + base, nn = nt.baseAddress! + off + base, dst = o.baseAddress! + base
                for j in 0..<rowLen {
                    let v = (Int32(p[j]) * Int32(gg[j]) * rg + Int32(nn[j]) * k) >> 16
                    dst[j] = UInt8(truncatingIfNeeded: min(255, max(0, v)))
                }
            }
        }}}
    }
}
