import Foundation

/// Writes the session's script: customers, what their hands do, what the POS
/// registers and what really happened.
struct Planner {
    private(set) var s: Script
    private var r: SimRandom
    private let cfg: SimulationConfig
    private var deck: [String] = []
    private var exceptionDebt: Double
    private var txn = 1000
    private var bagFill: [Int: Int] = [:]
    private var lastPassWasVoid = false

    static let exceptionTypes = ["missed_scan", "fake_scan", "multi_item", "wrong_scan", "occlusion"]

    init(config: SimulationConfig, layout: LaneLayout, catalog: [Product]) {
        cfg = config
        var rr = SimRandom(seed: config.seed, stream: "script")
        let drawn = (rr.uniform(-3, 3) * 1000).rounded() / 1000
        let offset = config.clockOffset ?? drawn
        r = rr
        var lr = SimRandom(seed: config.seed, stream: "lights")
        let lamps = (0..<3).map { i in
            LightPlan.Lamp(centre: V2(lr.uniform(10, 150), lr.uniform(-10, layout.planeH + 10)), radius: lr.uniform(45, 85),
                           strength: lr.uniform(0.3, 0.5), tint: Col(1, 1, 1) + Col(Float(lr.uniform(-0.05, 0.06)), 0, Float(lr.uniform(-0.06, 0.05))),
                           driftPeriod: lr.uniform(50, 200), driftPhase: lr.uniform(0, 6.3), driftAmp: lr.uniform(0.03, 0.08) + Double(i) * 0.005)
        }
        var dims: [(lamp: Int, t0: Double, t1: Double, factor: Double)] = []
        var t = lr.uniform(15, 70)
        while t < config.duration - 5 {
            let len = lr.uniform(4, 40)
            dims.append((lr.int(0...2), t, min(config.duration + 60, t + len), 1 - lr.uniform(0.2, 0.4)))
            t += len + lr.uniform(25, 110)
        }
        let lights = LightPlan(lamps: lamps, dims: dims, daylightTint: Col(0.92, 0.97, 1.08), daylightPeriod: lr.uniform(150, 400),
                               daylightPhase: lr.uniform(0, 6.3), daylightFromLeft: lr.chance(0.5))
        s = Script(layout: layout, duration: config.duration, catalog: catalog, lights: lights, clockOffset: offset)
        exceptionDebt = r.uniform(0, 0.95)
        for d in dims {
            s.events.append(RawTruth(kind: "light_change", t0: d.t0, t1: min(d.t1, config.duration), transaction: nil,
                                     note: "lamp \(d.lamp + 1) dimmed \(Int(((1 - d.factor) * 100).rounded()))%"))
        }
    }

    // MARK: - Session

    mutating func plan() -> Script {
        var t = r.uniform(0.6, 3.0)
        let end = s.duration
        while t + 40 < end || (s.customers.isEmpty && t + 25 < end) {
            t = transaction(start: t, limit: end - 1.0)
            t += r.uniform(0.8, 3.5)
        }
        planWalkers()
        s.pos.sort { $0.t < $1.t }
        s.incidents.sort { $0.t0 < $1.t0 }
        s.events.sort { $0.t0 < $1.t0 }
        return s
    }

    private mutating func planWalkers() {
        var wr = SimRandom(seed: cfg.seed, stream: "walkers")
        var t = wr.uniform(2, 15)
        while t < s.duration - 2 {
            let farSide = wr.chance(0.6)
            let speed = wr.chance(0.2) ? wr.uniform(45, 70) : wr.uniform(100, 150)
            let dur = (s.layout.planeW + 80) / speed
            let look = CustomerLook.random(&wr, dark: false)
            s.walkers.append(Walker(look: look, t0: t, t1: t + dur, farSide: farSide, leftToRight: wr.chance(0.5)))
            s.events.append(RawTruth(kind: "walker", t0: t, t1: min(s.duration, t + dur), transaction: nil, note: farSide ? "far side" : "behind the customer"))
            t += dur + wr.uniform(6, 40)
        }
    }

    // MARK: - One customer

    private var L: LaneLayout { s.layout }

    private mutating func transaction(start: Double, limit: Double) -> Double {
        txn += 1
        let txnID = "T\(txn)"
        var look = CustomerLook.random(&r)
        if r.chance(0.5) { look.handScale *= 1 }
        let ci = s.customers.count
        var c = Customer(look: look, arrive0: start, arrive1: start + r.uniform(1.6, 2.4), leave0: .infinity, leave1: .infinity,
                         baseX: L.glassCenter.x + r.uniform(-7, 5), swayPhase: r.uniform(0, 6.3), swayPeriod: r.uniform(2.8, 4.5),
                         breathPeriod: r.uniform(3.5, 5))
        c.restMode = [r.chance(0.7) ? .counter : .hidden, r.chance(0.7) ? .counter : .hidden]
        s.customers.append(c)

        // Basket full of this customer's items.
        let nItems = r.weighted([0, 0, 0, 0.5, 1, 1.5, 2, 3, 3, 3, 3, 2.5, 2, 1.5, 1])  // 3…14
        let items = fillBasket(ci, count: nItems)
        s.basketColors.append(r.pick([Col(0.7, 0.1, 0.1), Col(0.12, 0.25, 0.6), Col(0.1, 0.42, 0.25), Col(0.1, 0.1, 0.11),
                                      Col(0.45, 0.45, 0.47), Col(0.85, 0.45, 0.1)]) * Float(r.uniform(0.85, 1.1)))
        var t = arrive(ci)
        t = setUpBags(ci, t)
        s.pos.append(RawPOS(t: t - r.uniform(0.5, 1.5), type: "transaction_start", transaction: txnID))
        let txStart = t
        var total = 0.0
        var remaining = items
        let reserve = 18.0 + 3.0 * Double(s.customers[ci].bags.count)
        // Hands work in turn: one can reach for the next item while the other comes back.
        var free = [t, t]
        var lastRelease = t
        let dominant = r.chance(0.7) ? 0 : 1
        while !remaining.isEmpty && max(free[0], free[1]) + 8 + reserve < limit {
            var kind = "normal"
            exceptionDebt += cfg.exceptionRate
            if exceptionDebt >= 1 {
                exceptionDebt -= 1
                kind = drawException(remaining: remaining)
            }
            if kind == "occlusion" || r.chance(0.08) {
                let start = max(free[0], free[1]) + r.uniform(0.2, 1.0)
                let end = kind == "occlusion" ? occlusion(ci, start, txnID) : emptyHand(ci, start)
                free = [end, end]
                lastRelease = end
                if kind == "occlusion" { kind = drawException(remaining: remaining, allowOcclusion: false) }
            }
            let hand = r.chance(0.68) ? dominant : 1 - dominant
            let pause = r.chance(0.06) ? r.uniform(1.2, 3) : r.uniform(0.05, 0.7)
            let start = max(free[hand], lastRelease + 0.1) + pause
            let n = kind == "multi_item" ? min(remaining.count, r.chance(0.6) ? 2 : 3) : 1
            let taking = Array(remaining.suffix(n).reversed())
            remaining.removeLast(n)
            // Big things are often carried with both hands.
            let big = taking.count == 1 && s.catalog[product(ofObject: taking[0])].radius > 11.5
            let assist = big && free[1 - hand] <= start && r.chance(0.6)
            let (tEnd, release, value) = itemPass(ci, hand: hand, objects: taking, kind: kind, t: start, txnID: txnID, assist: assist)
            total += value
            free[hand] = tEnd
            if assist { free[1 - hand] = s.segments[1 - hand].last!.t1 }
            lastRelease = release
        }
        t = max(free[0], free[1])
        // Pay: lean in to the terminal.
        t += r.uniform(0.5, 2.0)
        t = pay(ci, t, txnID, total: total)
        s.transactions += 1
        s.events.append(RawTruth(kind: "transaction", t0: txStart, t1: t, transaction: txnID, note: "\(items.count - remaining.count) of \(items.count) items"))
        t = depart(ci, t + r.uniform(0.3, 1.2))
        s.events.append(RawTruth(kind: "customer", t0: s.customers[ci].arrive0, t1: s.customers[ci].leave1, transaction: txnID, note: nil))
        return t
    }

    private mutating func drawException(remaining: [Int], allowOcclusion: Bool = true) -> String {
        for _ in 0..<12 {
            if deck.isEmpty { deck = r.shuffled(Self.exceptionTypes) }
            let card = deck.removeFirst()
            if card == "occlusion" && !allowOcclusion { deck.append(card); continue }
            if card == "multi_item" && remaining.count < 2 { deck.append(card); continue }
            if card == "wrong_scan", let last = remaining.last, cheaperProduct(than: last) == nil { deck.append(card); continue }
            return card
        }
        return "fake_scan"
    }

    private func product(ofObject id: Int) -> Int {
        if case .product(let p) = s.objects[id].kind { return p }
        return 0
    }

    private mutating func cheaperProduct(than obj: Int) -> Int? {
        let p = s.catalog[product(ofObject: obj)]
        let cands = s.catalog.indices.filter { s.catalog[$0].unitPrice < p.unitPrice * 0.8 && s.catalog[$0].kind != p.kind }
        return cands.isEmpty ? nil : r.pick(cands)
    }

    private mutating func fillBasket(_ ci: Int, count: Int) -> [Int] {
        let basketID = s.objects.count
        s.objects.append(SimObject(kind: .basket(ci), placements: []))
        s.customers[ci].basket = basketID
        let inner = L.basketSize * 0.5 - V2(2.5, 2.5)
        var ids: [Int] = []
        // Shoppers' baskets lean towards cheap everyday items, with the odd pricey one.
        let weights = s.catalog.map { 1 / (1 + $0.unitPrice / 6) }
        for _ in 0..<count {
            let pi = r.weighted(weights)
            let p = s.catalog[pi]
            let angle = (r.chance(0.6) ? 0 : .pi / 2) + r.uniform(-0.35, 0.35)
            let ext = V2(abs(p.half.x * cos(angle)) + abs(p.half.y * sin(angle)), abs(p.half.x * sin(angle)) + abs(p.half.y * cos(angle)))
            let room = V2(max(0, inner.x - ext.x * 0.8), max(0, inner.y - ext.y * 0.8))
            let pos = V2(r.uniform(-room.x, room.x), r.uniform(-room.y, room.y))
            let id = s.objects.count
            s.objects.append(SimObject(kind: .product(pi), placements: [Placement(t: -1e9, holder: .inBasket(basketID), local: Pose(pos, angle))]))
            ids.append(id)
        }
        return ids
    }

    // MARK: - Hands

    private mutating func add(_ hand: Int, _ seg: HandSegment) {
        if let last = s.segments[hand].last { precondition(seg.t0 >= last.t1 - 1e-9, "hand segments overlap") }
        s.segments[hand].append(seg)
    }

    private func grip(_ hand: Int, _ t: Double) -> Pose { s.handState(hand, t)?.grip ?? Pose(.zero, 0) }

    private func restNow(_ ci: Int, _ hand: Int, _ t: Double, _ mode: RestMode? = nil) -> V2 {
        let c = s.customers[ci]
        return s.restPoint(c, s.torsoPose(c, t), hand, mode ?? c.restMode[hand], t)
    }

    /// A smooth path from a to b that bows sideways a little.
    private mutating func arc(_ a: V2, _ b: V2, bow: Double? = nil) -> PathCurve {
        let d = b - a
        let k = bow ?? r.uniform(-0.14, 0.14)
        return PathCurve([a, (a + b) * 0.5 + d.perp * k, b])
    }

    private mutating func moveTime(_ dist: Double, base: Double, speed: Double, lo: Double, hi: Double) -> Double {
        clamp(base + dist / speed, lo, hi) * r.uniform(0.9, 1.15)
    }

    /// Hand from rest to `target`, ending still there. Returns the arrival time.
    private mutating func reach(_ ci: Int, _ hand: Int, to target: V2, angle: Double, t: Double, pose: HandPose = .open) -> Double {
        let from = restNow(ci, hand, t)
        let dur = moveTime((target - from).length, base: 0.25, speed: 120, lo: 0.35, hi: 0.95)
        add(hand, HandSegment(t0: t, t1: t + dur, path: arc(from, target), a0: angle, a1: angle, pose: pose, fromRest: s.customers[ci].restMode[hand]))
        return t + dur
    }

    private mutating func hold(_ hand: Int, at p: V2, angle: Double, t: Double, dur: Double, pose: HandPose) -> Double {
        add(hand, HandSegment(t0: t, t1: t + dur, path: PathCurve([p, p]), a0: angle, a1: angle, pose: pose))
        return t + dur
    }

    private mutating func move(_ hand: Int, _ path: PathCurve, a0: Double, a1: Double, t: Double, pose: HandPose, slow: Double = 1) -> Double {
        let dur = moveTime(path.length, base: 0.25, speed: 88 / slow, lo: 0.3, hi: 3.0)
        add(hand, HandSegment(t0: t, t1: t + dur, path: path, a0: a0, a1: a1, pose: pose))
        return t + dur
    }

    private mutating func returnToRest(_ ci: Int, _ hand: Int, from p: V2, angle: Double, t: Double) -> Double {
        if r.chance(0.15) { s.customers[ci].restMode[hand] = s.customers[ci].restMode[hand] == .counter ? .hidden : .counter }
        let mode = s.customers[ci].restMode[hand]
        let to = restNow(ci, hand, t + 0.5, mode)
        let dur = moveTime((to - p).length, base: 0.25, speed: 130, lo: 0.35, hi: 0.8)
        add(hand, HandSegment(t0: t, t1: t + dur, path: arc(p, to), a0: angle, a1: angle, pose: .open, toRest: mode))
        return t + dur
    }

    private mutating func place(_ obj: Int, at t: Double, holder: Holder, local: Pose, shade: Float = 1) {
        s.objects[obj].placements.append(Placement(t: t, holder: holder, local: local, shade: shade))
    }

    /// Attach `obj` to the hand at `t` without a jump.
    private mutating func take(_ obj: Int, hand: Int, t: Double, lift: Double = 1.05) {
        guard let op = s.objectPose(obj, t) else { return }
        var local = Script.relative(op.pose, to: grip(hand, t))
        local.scale *= lift
        place(obj, at: t, holder: .hand(hand), local: local)
    }

    private mutating func putDown(_ obj: Int, t: Double, into parent: Int?, shade: Float = 1, sink: Double = 1) {
        guard var op = s.objectPose(obj, t)?.pose else { return }
        op.scale *= sink
        if let parent, let pp = s.objectPose(parent, t)?.pose {
            place(obj, at: t, holder: .inBag(parent), local: Script.relative(op, to: pp), shade: shade)
        } else {
            place(obj, at: t, holder: .resting, local: op, shade: shade)
        }
    }

    // MARK: - Arrival, bags, payment, departure

    private mutating func arrive(_ ci: Int) -> Double {
        let c = s.customers[ci]
        let target = Pose(L.basketPose.p + V2(r.uniform(-1.5, 1.5), r.uniform(-1.5, 1.5)), L.basketPose.angle + r.uniform(-0.04, 0.04))
        let from = restNow(ci, 0, c.arrive0, .counter)
        let t1 = c.arrive1 + r.uniform(0.2, 0.5)
        let path = PathCurve([from, V2(from.x + 18, from.y - 14), target.p])
        add(0, HandSegment(t0: c.arrive0, t1: t1, path: path, a0: target.angle + 0.3, a1: target.angle, pose: .grip, fromRest: .counter))
        place(c.basket, at: c.arrive0, holder: .hand(0), local: Pose(.zero, 0))
        var t = hold(0, at: target.p, angle: target.angle, t: t1, dur: 0.15, pose: .open)
        putDown(c.basket, t: t, into: nil)
        t = returnToRest(ci, 0, from: target.p, angle: target.angle, t: t)
        s.events.append(RawTruth(kind: "arrival", t0: c.arrive0, t1: t, transaction: nil, note: "customer \(ci + 1) puts the basket down"))
        return t
    }

    private mutating func setUpBags(_ ci: Int, _ t0: Double) -> Double {
        var t = t0
        let style = r.pick(PropPainter.BagStyle.allCases)
        let color = Palette.hsv(r.unit(), r.uniform(0.3, 0.8), r.uniform(0.4, 0.9))
        for (k, slot) in L.bagSlots.enumerated() {
            let id = s.objects.count
            s.objects.append(SimObject(kind: .bag(s.bagLooks.count), placements: []))
            s.bagLooks.append((style, color, r.next()))
            s.customers[ci].bags.append(id)
            bagFill[id] = 0
            // The hand fetches the bag from the body (under the torso) and opens it on the rack.
            let pick = restNow(ci, 1, t, .hidden)
            t = reach(ci, 1, to: pick, angle: slot.angle, t: t)
            t = hold(1, at: pick, angle: slot.angle, t: t, dur: 0.2, pose: .grip)
            place(id, at: t, holder: .hand(1), local: Pose(.zero, 0, scale: 0.85))
            t = move(1, arc(pick, slot.p), a0: slot.angle + 0.2, a1: slot.angle, t: t, pose: .grip, slow: 1.2)
            t = hold(1, at: slot.p, angle: slot.angle, t: t, dur: 0.35, pose: .open)
            place(id, at: t, holder: .resting, local: slot)
            t = returnToRest(ci, 1, from: slot.p, angle: slot.angle, t: t)
            s.events.append(RawTruth(kind: "bag_setup", t0: t0, t1: t, transaction: nil, note: "bag \(k + 1)"))
        }
        return t
    }

    private mutating func pay(_ ci: Int, _ t0: Double, _ txnID: String, total: Double) -> Double {
        let c = s.customers[ci]
        let dur = r.uniform(2.5, 4.5)
        s.customers[ci].leans.append((t0, t0 + dur + 0.4, r.uniform(6, 10)))
        s.customers[ci].attention.append((t0, t0 + dur, 0.45 * (L.terminalPose.p.x - c.baseX)))
        let screen = L.terminalPose.p + V2(0, -L.terminalSize.y * 0.2).rotated(L.terminalPose.angle)
        var t = reach(ci, 1, to: screen, angle: -.pi / 2, t: t0 + 0.3, pose: .point)
        let tapDur = max(0.6, t0 + dur - t - 0.5)
        add(1, HandSegment(t0: t, t1: t + tapDur, path: PathCurve([screen, screen + V2(0.5, 0.8)]), a0: -.pi / 2, a1: -.pi / 2, pose: .point,
                           wiggle: 0.6, twist: 0.05, frequency: r.uniform(2, 3.5), phase: r.uniform(0, 6)))
        let tap = t + tapDur * r.uniform(0.3, 0.8)
        t += tapDur
        let tender = r.pick(["card", "card", "card", "card", "mobile", "cash"])
        // A void the customer was still making while paying lands just before the end.
        for k in s.pos.indices where s.pos[k].transaction == txnID && s.pos[k].type == "void" && s.pos[k].t > tap - 0.4 {
            s.pos[k].t = tap - 0.4
        }
        s.pos.append(RawPOS(t: tap + r.uniform(0, 0.5), type: "transaction_end", transaction: txnID, total: (total * 100).rounded() / 100, tender: tender))
        t = returnToRest(ci, 1, from: screen, angle: -.pi / 2, t: t)
        s.events.append(RawTruth(kind: "lean_in", t0: t0, t1: t0 + dur + 0.4, transaction: txnID, note: "pays by \(tender)"))
        return max(t, t0 + dur + 0.4)
    }

    private mutating func depart(_ ci: Int, _ t0: Double) -> Double {
        var t = t0
        let c = s.customers[ci]
        // Take the bags (right hand) and the basket (left hand) off the counter.
        for bag in c.bags {
            guard let bp = s.objectPose(bag, t)?.pose else { continue }
            t = reach(ci, 1, to: bp.p, angle: bp.angle, t: t, pose: .open)
            t = hold(1, at: bp.p, angle: bp.angle, t: t, dur: 0.2, pose: .grip)
            take(bag, hand: 1, t: t, lift: 1.03)
            let out = V2(s.torsoPose(c, t).p.x + r.uniform(10, 25), L.planeH + 30)
            t = move(1, arc(bp.p, out), a0: bp.angle, a1: bp.angle + 0.4, t: t, pose: .grip, slow: 1.3)
            place(bag, at: t, holder: .gone, local: Pose(.zero, 0))
            t = returnToRest(ci, 1, from: out, angle: -.pi / 2, t: t)
        }
        if let bp = s.objectPose(c.basket, t)?.pose {
            t = reach(ci, 0, to: bp.p, angle: bp.angle, t: t, pose: .open)
            t = hold(0, at: bp.p, angle: bp.angle, t: t, dur: 0.2, pose: .grip)
            take(c.basket, hand: 0, t: t, lift: 1.02)
            let out = V2(s.torsoPose(c, t).p.x - r.uniform(10, 25), L.planeH + 30)
            t = move(0, arc(bp.p, out), a0: bp.angle, a1: bp.angle - 0.3, t: t, pose: .grip, slow: 1.3)
            place(c.basket, at: t, holder: .gone, local: Pose(.zero, 0))
            t = returnToRest(ci, 0, from: out, angle: -.pi / 2, t: t)
        }
        s.customers[ci].leave0 = t
        s.customers[ci].leave1 = t + r.uniform(1.6, 2.4)
        return s.customers[ci].leave1
    }

    // MARK: - Passes

    private mutating func pickBag(_ ci: Int) -> Int {
        let bags = s.customers[ci].bags
        return bags.min { (bagFill[$0] ?? 0) + (r.chance(0.3) ? 2 : 0) < (bagFill[$1] ?? 0) }!
    }

    private mutating func dropPoint(_ bag: Int, _ t: Double) -> V2 {
        let bp = s.objectPose(bag, t)!.pose
        let inner = L.bagSize * 0.5 - V2(4, 4)
        return bp.compose(Pose(V2(r.uniform(-0.35, 0.35) * inner.x, r.uniform(-0.25, 0.25) * inner.y), 0)).p
    }

    /// A point on the glass the item is presented over, well inside the zone.
    private mutating func scanPoint() -> V2 {
        let g = L.glassCenter, h = L.glassSize * 0.5
        return g + V2(r.uniform(-0.35, 0.35) * max(0, h.x - 6), r.uniform(-0.35, 0.35) * max(0, h.y - 6))
    }

    /// One item pass (several items for multi_item). Returns its end and the value registered.
    private mutating func itemPass(_ ci: Int, hand: Int, objects objs: [Int], kind: String, t t0: Double, txnID: String,
                                   assist: Bool = false) -> (Double, Double, Double) {
        let c = s.customers[ci]
        let products = objs.map { product(ofObject: $0) }
        let main = s.catalog[products[0]]
        let weighed = kind == "normal" && main.produce && main.weighed
        let overScanner = kind != "missed_scan"
        s.customers[ci].attention.append((t0, t0 + 1.2, 0.4 * (L.basketPose.p.x - c.baseX)))

        // Reach and gather.
        let first = s.objectPose(objs[0], t0)!.pose
        let theta = first.angle + r.uniform(-0.2, 0.2)
        // Several items are held side by side, overlapping a little, so a camera can count them.
        var offsets: [V2] = []
        var prevExt = 0.0, y = 0.0
        for (k, obj) in objs.enumerated() {
            let ip = s.objectPose(obj, t0)!.pose
            let h = s.catalog[product(ofObject: obj)].half
            let d = ip.angle - theta
            let ext = abs(h.x * sin(d)) + abs(h.y * cos(d))
            if k > 0 { y += (prevExt + ext) * r.uniform(0.8, 0.95) }
            offsets.append(V2(k == 0 ? 0 : r.uniform(-1.5, 1.5), y))
            prevExt = ext
        }
        let meanY = y / Double(objs.count)
        offsets = offsets.map { V2($0.x, $0.y - meanY) }
        var gripAt = first.p - offsets[0].rotated(theta)
        var t = reach(ci, hand, to: gripAt, angle: theta, t: t0)
        for (k, obj) in objs.enumerated() {
            let ip = s.objectPose(obj, t)!.pose
            let g = ip.p - offsets[k].rotated(theta)
            if k > 0 { t = move(hand, arc(gripAt, g, bow: 0.05), a0: theta, a1: theta, t: t, pose: .open, slow: 0.6) }
            gripAt = g
            t = hold(hand, at: g, angle: theta, t: t, dur: r.uniform(0.1, 0.25), pose: .grip)
            take(obj, hand: hand, t: t)
        }
        let grabbed = t

        // Carry: over the scanner, or around it.
        let bag = pickBag(ci)
        let drop = dropPoint(bag, t)
        // Items go into the bag roughly along it, as people fit them in.
        let bagAngle = s.objectPose(bag, t)!.pose.angle
        let mainHalf = s.catalog[products[0]].half
        let across = mainHalf.x > L.bagSize.y * 0.45
        var aEnd = bagAngle + (across ? 0 : (r.chance(0.5) ? 0 : .pi / 2)) + r.uniform(-0.2, 0.2)
        // Turn the short way from how it was held.
        while aEnd - theta > .pi / 2 { aEnd -= .pi }
        while aEnd - theta < -.pi / 2 { aEnd += .pi }
        var pathName = "over_scanner"
        if overScanner {
            let sp = scanPoint()
            s.customers[ci].attention.append((t, t + 2.5, 0.25 * (L.glassCenter.x - c.baseX)))
            t = move(hand, arc(gripAt, sp), a0: theta, a1: theta + r.uniform(-0.5, 0.5), t: t, pose: .grip)
            let a1 = s.segments[hand].last!.a1
            let dwell = weighed ? r.uniform(1.2, 2.5) : r.uniform(0.4, 1.5)
            let drift = V2(r.uniform(-1, 1), r.uniform(-1, 1))
            add(hand, HandSegment(t0: t, t1: t + dwell, path: PathCurve([sp, sp + drift]), a0: a1, a1: a1 + r.uniform(-0.3, 0.3), pose: .grip,
                                  wiggle: weighed ? 0.15 : r.uniform(0.8, 2.0), twist: weighed ? 0.02 : r.uniform(0.15, 0.45),
                                  frequency: r.uniform(1.4, 3.0), phase: r.uniform(0, 6.3)))
            t += dwell
            t = move(hand, arc(sp + drift, drop), a0: s.segments[hand].last!.a1, a1: aEnd, t: t, pose: .grip)
        } else {
            pathName = "around_scanner"
            let g = L.glassCenter, gh = L.glassSize * 0.5
            let item = objs.map { s.catalog[product(ofObject: $0)].radius }.max()!
            let clearance = 5 + item * 0.4 + r.uniform(0, 3)
            // Close to the body means between the scanner and the customer's head, not under it.
            let look = c.look
            let headTop = L.planeH - 8 - 0.35 * look.torsoDepth - look.headSize.y
            let nearY = min(g.y + gh.y + clearance, headTop - item * 0.6 - 1)
            let farSide = r.chance(0.5) || nearY < g.y + gh.y + 4 + item * 0.3
            let y = farSide ? g.y - gh.y - clearance : nearY
            let w1 = V2(g.x - gh.x - r.uniform(2, 6), y), w2 = V2(g.x + gh.x + r.uniform(2, 6), y)
            let path = PathCurve([gripAt, w1, w2, drop])
            t = move(hand, path, a0: theta, a1: aEnd, t: t, pose: .grip, slow: 1.1)
        }
        // Release into the bag.
        t = hold(hand, at: drop, angle: aEnd, t: t, dur: r.uniform(0.1, 0.22), pose: .open)
        let release = t
        if assist {
            // The other hand joins at the far side of the item and lets go with the first.
            let other = 1 - hand
            // On the item's edge that faces the other hand's side.
            let half = s.catalog[products[0]].half
            let towards = V2(hand == 0 ? 1 : -1, 0.35).normalized
            let ga = grip(hand, grabbed).angle
            let axes = [V2(1, 0), V2(-1, 0), V2(0, 1), V2(0, -1)]
            let axis = axes.max { $0.rotated(ga).dot(towards) < $1.rotated(ga).dot(towards) }!
            let offset = Pose(axis * ((axis.x != 0 ? half.x : half.y) + 1.0), 0)
            let arrive = max(t0, grabbed - 0.6)
            let from = restNow(ci, other, arrive)
            let dur = moveTime((grip(hand, grabbed).compose(offset).p - from).length, base: 0.25, speed: 120, lo: 0.35, hi: 0.95)
            let joinAt = grip(hand, arrive + dur).compose(offset).p
            add(other, HandSegment(t0: arrive, t1: arrive + dur, path: arc(from, joinAt), a0: theta, a1: theta, pose: .open,
                                   fromRest: s.customers[ci].restMode[other]))
            add(other, HandSegment(t0: arrive + dur, t1: release, path: PathCurve([joinAt]), a0: theta, a1: theta, pose: .grip, follow: offset))
            let leaveFrom = grip(hand, release).compose(offset).p
            _ = returnToRest(ci, other, from: leaveFrom, angle: aEnd, t: release)
        }
        for obj in objs {
            let depth = min(1, Double(bagFill[bag, default: 0]) / 8)
            putDown(obj, t: t, into: bag, shade: Float(r.uniform(0.55, 0.65) + 0.25 * depth), sink: 0.84)
            bagFill[bag, default: 0] += 1
        }
        s.customers[ci].attention.append((t - 1.0, t + 0.3, 0.35 * (L.rackCenter.x - c.baseX)))
        t = returnToRest(ci, hand, from: drop, angle: aEnd, t: t)

        // What the camera should have seen.
        let centre: (Double) -> V2 = { [s] tt in s.handState(hand, tt)!.grip.p }
        let leave = firstTime(from: grabbed, to: release, centre) { !self.L.inPickup($0) } ?? grabbed
        let reachBag = firstTime(from: leave, to: release, centre) { self.L.inBagging($0) } ?? release
        var enter: Double? = nil, exit: Double? = nil
        if overScanner {
            enter = firstTime(from: leave, to: reachBag, centre) { self.L.inScan($0) }
            if let e = enter { exit = firstTime(from: e, to: reachBag, centre) { !self.L.inScan($0) } }
        }
        let crossing = (enter != nil && exit != nil) ? (enter! + exit!) / 2 : (leave + reachBag) / 2

        // What the POS registered.
        var scanned: [Int] = []
        var entries: [String] = []
        func entry(_ p: Product, _ isWeighed: Bool) -> String {
            if p.produce { return isWeighed ? "weighed" : "plu" }
            return r.chance(0.03) ? "keyed" : "scan"
        }
        var note: String? = nil
        switch kind {
        case "normal":
            scanned = [products[0]]
            entries = [entry(main, weighed)]
            if !main.produce && !lastPassWasVoid && r.chance(0.05) {
                // A double scan the customer voids a moment later: normal.
                scanned.append(products[0])
                entries.append("scan")
            }
        case "wrong_scan":
            let cheap = cheaperProduct(than: objs[0]) ?? products[0]
            scanned = [cheap]
            let cp = s.catalog[cheap]
            entries = [cp.produce ? (cp.weighed ? "weighed" : "plu") : "scan"]
            note = "\(main.description) (\(main.sku)) registered as \(cp.description) (\(cp.sku))"
        case "multi_item":
            let k = objs.count == 3 && r.chance(0.3) ? 2 : 1
            scanned = Array(products.prefix(k))
            entries = scanned.map { entry(s.catalog[$0], false) }
            note = "\(objs.count) items, \(k) scan\(k == 1 ? "" : "s")"
        case "fake_scan":
            note = "\(main.description) presented, no scan"
        case "missed_scan":
            note = "\(main.description) carried around the scanner"
        default: break
        }
        var jitters = scanned.map { _ in r.uniform(-1, 1) }.sorted()
        if jitters.count == 2 && jitters[1] - jitters[0] < 0.3 { jitters = [max(-1, jitters[0] - 0.15), min(1, jitters[0] + 0.3)].sorted() }
        var value = 0.0
        for (k, p) in scanned.enumerated() {
            s.pos.append(RawPOS(t: crossing + jitters[k], type: "item", transaction: txnID, product: p, entry: entries[k]))
            value += s.catalog[p].unitPrice
        }
        lastPassWasVoid = false
        if kind == "normal" && scanned.count == 2 {
            let tv = crossing + r.uniform(2.5, 6)
            s.pos.append(RawPOS(t: tv, type: "void", transaction: txnID, product: scanned[1]))
            value -= s.catalog[scanned[1]].unitPrice
            s.events.append(RawTruth(kind: "void", t0: crossing, t1: tv, transaction: txnID, note: "double scan of \(main.sku) voided"))
            lastPassWasVoid = true
        }
        let incident: String? = kind == "normal" ? nil : kind
        if let incident {
            let span = kind == "missed_scan" ? (leave, reachBag) : (enter ?? leave, exit ?? reachBag)
            s.incidents.append(RawTruth(kind: incident, t0: span.0, t1: span.1, transaction: txnID, note: note))
        }
        let skus = products.map { s.catalog[$0].sku }
        s.events.append(RawTruth(kind: "pass", t0: leave, t1: reachBag, transaction: txnID, note: weighed ? "weighed on the scanner" : note,
                                 items: objs.count, skus: skus, scanned: scanned.map { s.catalog[$0].sku }, path: pathName, incident: incident))
        s.passes.append(PassRecord(objects: objs, hand: hand, path: pathName, incident: incident, grab: grabbed, release: release,
                                   leavePickup: leave, reachBagging: reachBag, scanEnter: enter, scanLeave: exit, transaction: txnID))
        return (t, release, value)
    }

    /// First time in [a, b] at which `test` holds for the centre, to 1 ms.
    private func firstTime(from a: Double, to b: Double, _ centre: (Double) -> V2, _ test: (V2) -> Bool) -> Double? {
        var t = a
        let step = 0.01
        while t <= b {
            if test(centre(t)) {
                var lo = max(a, t - step), hi = t
                if test(centre(lo)) { return lo }
                while hi - lo > 0.0005 {
                    let m = (lo + hi) / 2
                    if test(centre(m)) { hi = m } else { lo = m }
                }
                return hi
            }
            t += step
        }
        return test(centre(b)) ? b : nil
    }

    /// A hand crossing the lane with nothing in it (to straighten a bag, say).
    private mutating func emptyHand(_ ci: Int, _ t0: Double) -> Double {
        let hand = r.chance(0.5) ? 0 : 1
        let hover = L.basketPose.p + V2(r.uniform(-8, 8), r.uniform(-6, 6))
        var t = reach(ci, hand, to: hover, angle: -.pi / 2, t: t0)
        let bag = s.customers[ci].bags.isEmpty ? nil : r.pick(s.customers[ci].bags)
        let target = bag.flatMap { s.objectPose($0, t)?.pose.p } ?? L.rackCenter
        let over = r.chance(0.5)
        let mid = over ? L.glassCenter + V2(r.uniform(-5, 5), r.uniform(-5, 5)) : V2(L.glassCenter.x, L.glassCenter.y + L.glassSize.y / 2 + 8)
        t = move(hand, PathCurve([hover, mid, target]), a0: -.pi / 2, a1: -.pi / 2, t: t, pose: .open)
        t = hold(hand, at: target, angle: -.pi / 2, t: t, dur: r.uniform(0.3, 0.7), pose: .flat)
        t = returnToRest(ci, hand, from: target, angle: -.pi / 2, t: t)
        s.events.append(RawTruth(kind: "empty_hand", t0: t0, t1: t, transaction: nil, note: over ? "over the scanner" : "around the scanner"))
        return t
    }

    // MARK: - Occlusions

    private mutating func occlusion(_ ci: Int, _ t0: Double, _ txnID: String) -> Double {
        let variant = r.weighted([0.3, 0.2, 0.15, 0.15, 0.2])
        let holdFor = r.uniform(3.4, 8)
        var t = t0
        let g = L.glassCenter
        switch variant {
        case 0:
            // Leaning on the scanner with both forearms and flat hands.
            let c = s.customers[ci]
            // Leaning right over the scanner: the chest covers its near half, the hands the rest.
            let chest = L.planeH - 8 - 0.8 * c.look.torsoDepth
            let depth = clamp(chest - (g.y + r.uniform(0, 2)), 20, 34)
            let t1 = t + 1.2 + holdFor + 1.2
            s.customers[ci].leans.append((t, t1, depth))
            s.customers[ci].attention.append((t, t1, 0.8 * (g.x - c.baseX)))
            let gh = L.glassSize * 0.5
            let spots = [g + V2(-gh.x * 0.3, -gh.y * 0.3 + r.uniform(-1.5, 1.5)), g + V2(gh.x * 0.3, -gh.y * 0.3 + r.uniform(-1.5, 1.5))]
            var placed = [0.0, 0.0]
            for h in 0..<2 {
                let a = -Double.pi / 2 + (h == 0 ? 0.25 : -0.25)
                let arrive = reach(ci, h, to: spots[h], angle: a, t: t + 0.2 + Double(h) * 0.15, pose: .flat)
                placed[h] = arrive
            }
            let blockedFrom = placed.max()!
            let blockedTo = blockedFrom + holdFor
            for h in 0..<2 {
                let a = -Double.pi / 2 + (h == 0 ? 0.25 : -0.25)
                add(h, HandSegment(t0: placed[h], t1: blockedTo + Double(h) * 0.1, path: PathCurve([spots[h], spots[h] + V2(0.6, 0.4)]), a0: a, a1: a, pose: .flat))
            }
            var end = blockedTo
            for h in 0..<2 { end = max(end, returnToRest(ci, h, from: spots[h] + V2(0.6, 0.4), angle: -.pi / 2, t: blockedTo + Double(h) * 0.1)) }
            record(blockedFrom, blockedTo, "scanner covered by forearms and hands", txnID)
            return max(end, t1)
        case 1, 2, 3:
            let kind: PropPainter.OccluderKind = variant == 1 ? .handbag : (variant == 2 ? .tote : .jacket)
            let id = s.objects.count
            s.objects.append(SimObject(kind: .occluder(s.occluders.count), placements: []))
            s.occluders.append((kind, r.next()))
            let hand = 1
            let pick = restNow(ci, hand, t, .hidden)
            t = reach(ci, hand, to: pick, angle: -.pi / 2, t: t)
            t = hold(hand, at: pick, angle: -.pi / 2, t: t, dur: 0.15, pose: .grip)
            place(id, at: t, holder: .hand(hand), local: Pose(.zero, r.uniform(-0.3, 0.3)))
            let spot = g + V2(r.uniform(-2, 2), r.uniform(-2, 2))
            let ang = -Double.pi / 2 + r.uniform(-0.4, 0.4)
            t = move(hand, arc(pick, spot), a0: -.pi / 2, a1: ang, t: t, pose: .grip, slow: 1.2)
            t = hold(hand, at: spot, angle: ang, t: t, dur: 0.15, pose: .open)
            putDown(id, t: t, into: nil)
            let blockedFrom = t
            _ = returnToRest(ci, hand, from: spot, angle: ang, t: t)
            t = blockedFrom + holdFor
            let blockedTo = t
            let back = reachFromRest(ci, hand, to: spot, angle: ang, t: t - 0.6)
            _ = hold(hand, at: spot, angle: ang, t: back, dur: 0.15, pose: .grip)
            let grabT = back + 0.15
            take(id, hand: hand, t: grabT, lift: 1)
            let away = restNow(ci, hand, grabT, .hidden)
            var e = move(hand, arc(spot, away), a0: ang, a1: -.pi / 2, t: grabT, pose: .grip, slow: 1.2)
            place(id, at: e, holder: .gone, local: Pose(.zero, 0))
            e = returnToRest(ci, hand, from: away, angle: -.pi / 2, t: e)
            record(blockedFrom, max(blockedTo, grabT), "\(kind.rawValue) on the scanner", txnID)
            return e
        default:
            // Something right in front of the lens.
            let dur = holdFor
            let ramp = r.uniform(0.2, 0.45)
            s.views.append(ViewBlock(t0: t, t1: t + dur + 2 * ramp, ramp: ramp,
                                     color: r.chance(0.5) ? CustomerLook.skinTone(r.unit(), &r) * 0.35 : Col(0.05, 0.05, 0.06),
                                     centre: V2(r.uniform(0.35, 0.65), r.uniform(0.35, 0.65)), seed: r.next()))
            s.incidents.append(RawTruth(kind: "occlusion", t0: t + ramp, t1: t + ramp + dur, transaction: txnID, note: "camera view blocked"))
            s.events.append(RawTruth(kind: "occlusion", t0: t + ramp, t1: t + ramp + dur, transaction: txnID, note: "camera view blocked", incident: "occlusion"))
            return t + dur + 2 * ramp
        }
    }

    private mutating func reachFromRest(_ ci: Int, _ hand: Int, to target: V2, angle: Double, t: Double) -> Double {
        let lastEnd = s.segments[hand].last?.t1 ?? t
        return reach(ci, hand, to: target, angle: angle, t: max(t, lastEnd))
    }

    private mutating func record(_ a: Double, _ b: Double, _ note: String, _ txnID: String) {
        s.incidents.append(RawTruth(kind: "occlusion", t0: a, t1: b, transaction: txnID, note: note))
        s.events.append(RawTruth(kind: "occlusion", t0: a, t1: b, transaction: txnID, note: note, incident: "occlusion"))
    }
}
