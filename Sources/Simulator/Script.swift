import Foundation

/// A smooth path through waypoints (Catmull-Rom), walked by arc length.
struct PathCurve: Sendable {
    private var samples: [V2]
    private var cumulative: [Double]
    var start: V2 { samples[0] }
    var end: V2 { samples[samples.count - 1] }
    var length: Double { cumulative[cumulative.count - 1] }

    init(_ pts: [V2]) {
        precondition(!pts.isEmpty)
        var s: [V2] = []
        if pts.count == 1 {
            s = [pts[0], pts[0]]
        } else {
            let steps = 24
            for i in 0..<(pts.count - 1) {
                let p0 = i > 0 ? pts[i - 1] : pts[i] * 2 - pts[i + 1]
                let p1 = pts[i], p2 = pts[i + 1]
                let p3 = i + 2 < pts.count ? pts[i + 2] : pts[i + 1] * 2 - pts[i]
                for k in 0..<steps {
                    let t = Double(k) / Double(steps)
                    let t2 = t * t, t3 = t2 * t
                    let a = p1 * 2
                    let b = (p2 - p0) * t
                    let c = (p0 * 2 - p1 * 5 + p2 * 4 - p3) * t2
                    let d = (p1 * 3 - p0 - p2 * 3 + p3) * t3
                    s.append((a + b + c + d) * 0.5)
                }
            }
            s.append(pts[pts.count - 1])
        }
        samples = s
        var cum = [0.0]
        for i in 1..<s.count { cum.append(cum[i - 1] + (s[i] - s[i - 1]).length) }
        cumulative = cum
    }

    /// The point a fraction `u` (0…1) of the way along.
    func at(_ u: Double) -> V2 {
        let total = length
        if total < 1e-9 { return samples[0] }
        let target = clamp(u, 0, 1) * total
        var lo = 0, hi = cumulative.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if cumulative[mid] < target { lo = mid } else { hi = mid }
        }
        let seg = cumulative[hi] - cumulative[lo]
        let f = seg > 0 ? (target - cumulative[lo]) / seg : 0
        return V2.lerp(samples[lo], samples[hi], f)
    }

    /// The same path with its first/last point moved (for starts and ends at a resting hand that sways).
    func movingEnds(start s: V2?, end e: V2?, at u: Double) -> V2 {
        var p = at(u)
        if let s { p += (s - start) * (1 - u) }
        if let e { p += (e - end) * u }
        return p
    }
}

enum RestMode: Sendable { case counter, hidden }

/// One movement of one hand. The path is that of the grip point: the centre of
/// whatever the hand carries (or of the palm when empty).
struct HandSegment: Sendable {
    var t0: Double
    var t1: Double
    var path: PathCurve
    var a0: Double
    var a1: Double
    var pose: HandPose
    /// Scanning wiggle: position amplitude (cm), twist amplitude (rad), frequency (Hz).
    var wiggle: Double = 0
    var twist: Double = 0
    var frequency: Double = 2
    var phase: Double = 0
    var eased = true
    /// Start at / return to the live resting spot (it sways with the body).
    var fromRest: RestMode? = nil
    var toRest: RestMode? = nil
    /// Instead of a path: stay at this offset (in its grip frame) from the other hand,
    /// helping to carry something big.
    var follow: Pose? = nil
}

enum Holder: Sendable, Equatable {
    case notYet, gone
    /// Lying still in the scene; `local` is absolute.
    case resting
    case inBasket(Int)
    case inBag(Int)
    case hand(Int)
}

struct Placement: Sendable {
    var t: Double
    var holder: Holder
    var local: Pose
    var shade: Float = 1
}

enum ObjectKind: Sendable {
    case product(Int)
    case basket(Int)
    case bag(Int)
    case occluder(Int)
}

struct SimObject: Sendable {
    var kind: ObjectKind
    var placements: [Placement]

    func placement(at t: Double) -> (Int, Placement)? {
        var lo = 0, hi = placements.count - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if placements[mid].t <= t { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found >= 0 ? (found, placements[found]) : nil
    }
}

struct Customer: Sendable {
    var look: CustomerLook
    var arrive0: Double
    var arrive1: Double
    var leave0: Double
    var leave1: Double
    var baseX: Double
    var swayPhase: Double
    var swayPeriod: Double
    var breathPeriod: Double
    var attention: [(t0: Double, t1: Double, shift: Double)] = []
    var leans: [(t0: Double, t1: Double, depth: Double)] = []
    var basket: Int = -1
    var bags: [Int] = []
    var restMode: [RestMode] = [.counter, .counter]
}

struct Walker: Sendable {
    var look: CustomerLook
    var t0: Double
    var t1: Double
    var farSide: Bool
    var leftToRight: Bool
}

struct ViewBlock: Sendable {
    var t0: Double
    var t1: Double
    var ramp: Double
    var color: Col
    var centre: V2
    var seed: UInt64
}

/// A scripted pass, kept for truth and for tests.
struct PassRecord: Sendable {
    var objects: [Int]
    var hand: Int
    var path: String
    var incident: String?
    var grab: Double
    var release: Double
    var leavePickup: Double
    var reachBagging: Double
    var scanEnter: Double?
    var scanLeave: Double?
    var transaction: String
}

struct RawPOS: Sendable {
    var t: Double  // camera seconds since the first frame
    var type: String
    var transaction: String
    var product: Int? = nil
    var entry: String? = nil
    var total: Double? = nil
    var tender: String? = nil
}

struct RawTruth: Sendable {
    var kind: String
    var t0: Double
    var t1: Double
    var transaction: String?
    var note: String?
    var items: Int? = nil
    var skus: [String]? = nil
    var scanned: [String]? = nil
    var path: String? = nil
    var incident: String? = nil
}

struct LightPlan: Sendable {
    struct Lamp: Sendable {
        var centre: V2
        var radius: Double
        var strength: Double
        var tint: Col
        var driftPeriod: Double
        var driftPhase: Double
        var driftAmp: Double
    }
    var lamps: [Lamp]
    /// (lamp, start, end, remaining fraction)
    var dims: [(lamp: Int, t0: Double, t1: Double, factor: Double)]
    var daylightTint: Col
    var daylightPeriod: Double
    var daylightPhase: Double
    var daylightFromLeft: Bool

    func lampLevel(_ i: Int, _ t: Double) -> Double {
        let l = lamps[i]
        var v = l.strength * (1 + l.driftAmp * sin(2 * .pi * t / l.driftPeriod + l.driftPhase))
        for d in dims where d.lamp == i && t >= d.t0 && t < d.t1 {
            // Dims and recoveries are quick (a failing tube, a dimmer), not instant.
            let k = min(1, (t - d.t0) / 0.15) * min(1, (d.t1 - t) / 0.3)
            v *= 1 - (1 - d.factor) * k
        }
        return v
    }

    func daylight(_ t: Double) -> Double { 0.18 + 0.1 * sin(2 * .pi * t / daylightPeriod + daylightPhase) }
}

/// Everything that happens in a session, on the camera clock (seconds since the
/// first frame), in the canonical plane. The renderer draws it; truth and POS
/// come from it.
struct Script: Sendable {
    var layout: LaneLayout
    var duration: Double
    var catalog: [Product]
    var customers: [Customer] = []
    var segments: [[HandSegment]] = [[], []]
    var objects: [SimObject] = []
    var walkers: [Walker] = []
    var views: [ViewBlock] = []
    var lights: LightPlan
    var passes: [PassRecord] = []
    var pos: [RawPOS] = []
    var incidents: [RawTruth] = []
    var events: [RawTruth] = []
    var transactions = 0
    var clockOffset: Double
    var basketColors: [Col] = []
    var bagLooks: [(style: PropPainter.BagStyle, color: Col, seed: UInt64)] = []
    var occluders: [(kind: PropPainter.OccluderKind, seed: UInt64)] = []

    // MARK: - Evaluation

    func customerIndex(at t: Double) -> Int? {
        var lo = 0, hi = customers.count - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if customers[mid].arrive0 <= t { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        guard found >= 0, t <= customers[found].leave1 else { return nil }
        return found
    }

    /// Where the customer's torso is: centre, heading (0 = facing the counter), scale (leaning brings it nearer the camera).
    func torsoPose(_ c: Customer, _ t: Double) -> Pose {
        let offX = -38.0, exitX = layout.planeW + 38
        var x: Double
        if t < c.arrive1 {
            x = mix(offX, c.baseX, minJerk((t - c.arrive0) / (c.arrive1 - c.arrive0)))
        } else if t > c.leave0 {
            x = mix(c.baseX, exitX, minJerk((t - c.leave0) / (c.leave1 - c.leave0)))
        } else {
            x = c.baseX
        }
        var shift = 0.0
        for a in c.attention where t > a.t0 - 0.6 && t < a.t1 + 0.6 {
            shift += a.shift * smoothstep(a.t0 - 0.6, a.t0 + 0.3, t) * (1 - smoothstep(a.t1 - 0.3, a.t1 + 0.6, t))
        }
        var lean = 0.0
        for l in c.leans where t > l.t0 && t < l.t1 {
            lean = max(lean, l.depth * smoothstep(l.t0, l.t0 + 0.7, t) * (1 - smoothstep(l.t1 - 0.7, l.t1, t)))
        }
        let walking = (t < c.arrive1 || t > c.leave0) ? 1.0 : 0.0
        let sway = 0.9 * sin(2 * .pi * t / c.swayPeriod + c.swayPhase) + walking * 1.5 * sin(2 * .pi * t * 1.8)
        let breath = 0.45 * sin(2 * .pi * t / c.breathPeriod)
        x += clamp(shift, -24, 24) + sway
        let y = layout.planeH - 8 + breath - lean
        let angle = 0.025 * sin(2 * .pi * t / (c.swayPeriod * 1.3) + 1.1) + walking * 0.05 * sin(2 * .pi * t * 0.9)
        return Pose(V2(x, y), angle, scale: 1 + lean * 0.004)
    }

    /// Shoulder joints: 0 = left (canonical −x), 1 = right.
    func shoulder(_ c: Customer, _ torso: Pose, _ hand: Int) -> V2 {
        let s = hand == 0 ? -1.0 : 1.0
        return torso.compose(Pose(V2(s * (c.look.shoulderHalf - 4.5), -2.5), 0)).p
    }

    func restPoint(_ c: Customer, _ torso: Pose, _ hand: Int, _ mode: RestMode, _ t: Double) -> V2 {
        let s = hand == 0 ? -1.0 : 1.0
        let drift = V2(0.8 * sin(t * 0.7 + Double(hand) * 2), 0.6 * sin(t * 0.53 + Double(hand)))
        switch mode {
        case .counter: return torso.compose(Pose(V2(s * (c.look.shoulderHalf - 3), -(c.look.torsoDepth + 4.5)), 0)).p + drift
        case .hidden: return torso.compose(Pose(V2(s * (c.look.shoulderHalf - 9), 1), 0)).p + drift * 0.3
        }
    }

    func segmentIndex(_ hand: Int, _ t: Double) -> Int? {
        let segs = segments[hand]
        var lo = 0, hi = segs.count - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if segs[mid].t0 <= t { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found >= 0 ? found : nil
    }

    struct HandState {
        var grip: Pose
        var pose: HandPose
        var active: Bool
    }

    /// The grip frame of a hand: where what it carries is centred, and how it is turned.
    func handState(_ hand: Int, _ t: Double) -> HandState? {
        guard let ci = customerIndex(at: t) else { return nil }
        let c = customers[ci]
        let torso = torsoPose(c, t)
        let heading = -Double.pi / 2  // towards the counter
        if let si = segmentIndex(hand, t), segments[hand][si].t0 >= c.arrive0 {
            let s = segments[hand][si]
            if t <= s.t1, let f = s.follow, let lead = handState(1 - hand, t) {
                return HandState(grip: lead.grip.compose(f), pose: s.pose, active: true)
            }
            if t <= s.t1 {
                let tau = (t - s.t0) / max(1e-6, s.t1 - s.t0)
                let u = s.eased ? minJerk(tau) : tau
                let start = s.fromRest.map { restPoint(c, torsoPose(c, s.t0), hand, $0, s.t0) }
                let end = s.toRest.map { restPoint(c, torsoPose(c, s.t1), hand, $0, s.t1) }
                var p = s.path.movingEnds(start: start, end: end, at: u)
                var a = mix(s.a0, s.a1, u)
                if s.wiggle > 0 || s.twist > 0 {
                    let env = sin(.pi * tau)
                    let w = 2 * .pi * s.frequency * (t - s.t0) + s.phase
                    p += V2(sin(w), 0.6 * sin(1.7 * w + 0.5)) * (s.wiggle * env)
                    a += s.twist * env * sin(0.8 * w + 1)
                }
                return HandState(grip: Pose(p, a), pose: s.pose, active: true)
            }
            let mode = s.toRest ?? c.restMode[hand]
            return HandState(grip: Pose(restPoint(c, torso, hand, mode, t), heading), pose: .open, active: false)
        }
        return HandState(grip: Pose(restPoint(c, torso, hand, c.restMode[hand], t), heading), pose: .open, active: false)
    }

    /// Where an object is (absolute pose), its shading, and whether it is held (moving).
    func objectPose(_ id: Int, _ t: Double, depth: Int = 0) -> (pose: Pose, shade: Float, held: Bool)? {
        guard depth < 4, let (_, pl) = objects[id].placement(at: t) else { return nil }
        switch pl.holder {
        case .notYet, .gone: return nil
        case .resting: return (pl.local, pl.shade, false)
        case .inBasket(let b), .inBag(let b):
            guard let parent = objectPose(b, t, depth: depth + 1) else { return nil }
            return (parent.pose.compose(pl.local), pl.shade * parent.shade, parent.held)
        case .hand(let h):
            guard let hs = handState(h, t) else { return nil }
            return (hs.grip.compose(pl.local), pl.shade, true)
        }
    }

    /// The pose of `id` at `t` expressed in the frame of `parent`.
    static func relative(_ child: Pose, to parent: Pose) -> Pose {
        Pose((child.p - parent.p).rotated(-parent.angle) * (1 / parent.scale), child.angle - parent.angle, scale: child.scale / parent.scale)
    }
}
