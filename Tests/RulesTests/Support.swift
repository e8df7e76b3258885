import Contract
import Foundation
import Vision
@testable import Rules

/// Deterministic randomness for hand-written streams.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let t0 = 1_793_610_000.0  // 2026-11-02, camera clock

/// A colour-histogram descriptor of an item of one colour, with pixel noise.
func look(y: Int, u: Int, v: Int, seed: UInt64, noise: Int = 12, pixels: Int = 400) -> AppearanceDescriptor {
    var rng = SplitMix(seed)
    var acc = AppearanceAccumulator()
    for _ in 0..<pixels {
        let dy = Int.random(in: -noise...noise, using: &rng)
        let du = Int.random(in: -noise...noise, using: &rng)
        let dv = Int.random(in: -noise...noise, using: &rng)
        acc.add(y: UInt8(clamping: y + dy), u: UInt8(clamping: u + du), v: UInt8(clamping: v + dv))
    }
    return acc.descriptor(minPixels: 1)!
}

enum Colour {
    static func red(_ seed: UInt64) -> AppearanceDescriptor { look(y: 90, u: 100, v: 190, seed: seed) }
    static func blue(_ seed: UInt64) -> AppearanceDescriptor { look(y: 80, u: 190, v: 110, seed: seed) }
    static func green(_ seed: UInt64) -> AppearanceDescriptor { look(y: 120, u: 90, v: 80, seed: seed) }
    static func white(_ seed: UInt64) -> AppearanceDescriptor { look(y: 200, u: 128, v: 128, seed: seed, noise: 4) }
    /// A dark, colourless sleeve: what no product explains.
    static func sleeve(_ seed: UInt64) -> AppearanceDescriptor { look(y: 40, u: 128, v: 128, seed: seed) }
    /// `share` of `colour`, the rest white (a pack with a coloured print, or washed out by glare).
    static func onWhite(_ colour: AppearanceDescriptor, share: Double, seed: UInt64) -> AppearanceDescriptor {
        AppearanceDescriptor.mean([(colour, share), (white(seed), 1 - share)])!
    }
}

/// A lane's worth of hand-written input, replayed into a RuleEngine in camera-time order.
struct Script {
    /// POS − camera, seconds (the truth; the engine may or may not be told).
    var offset = 0.0
    var passes: [PassObservation] = []
    var events: [POSEvent] = []
    var obstructions: [Obstruction] = []
    /// Camera-clock seconds after the real scan at which its POS event reaches the engine.
    var posDelay = 0.0
    private var nextID = 1
    private var eventDelivery: [Double] = []

    init(offset: Double = 0) { self.offset = offset }

    /// An over-scanner pass whose crossing is centred on `at`; returns it.
    @discardableResult
    mutating func pass(at ref: Double, dwell: Double = 0.8, items: Int = 1, path: PassPath = .overScanner,
                       itemConfidence: Double = 0.9, countConfidence: Double = 0.9,
                       appearance: AppearanceDescriptor? = nil) -> PassObservation {
        let p: PassObservation
        if path == .overScanner {
            p = PassObservation(id: nextID, path: path, start: ref - dwell / 2 - 0.7, end: ref + dwell / 2 + 0.7,
                                scanEnter: ref - dwell / 2, scanLeave: ref + dwell / 2, itemCount: items,
                                itemConfidence: itemConfidence, countConfidence: countConfidence, appearance: appearance)
        } else {
            p = PassObservation(id: nextID, path: path, start: ref - 0.4, end: ref + 0.4, itemCount: items,
                                itemConfidence: itemConfidence, countConfidence: countConfidence, appearance: appearance)
        }
        nextID += 1
        passes.append(p)
        return p
    }

    /// The pass of a cover lifted off the scanner (the vision's `underCover`), centred on `at`.
    mutating func coverLift(at ref: Double, dwell: Double) {
        pass(at: ref, dwell: dwell)
        passes[passes.count - 1].underCover = true
    }

    /// A scanning motion seen from the hand alone (`HandWatch`), over the scanner around `at`.
    @discardableResult
    mutating func handPass(at ref: Double, dwell: Double = 1.0) -> PassObservation {
        let p = PassObservation(id: nextID, path: .overScanner, start: ref - dwell / 2 - 0.8, end: ref + dwell / 2 + 0.8,
                                scanEnter: ref - dwell / 2, scanLeave: ref + dwell / 2,
                                itemConfidence: HandWatch.itemConfidence, countConfidence: 0.5, itemHidden: true)
        nextID += 1
        passes.append(p)
        return p
    }

    /// An item line registered at camera time `at` (stamped on the POS clock).
    mutating func scan(at camera: Double, sku: String = "0007123456789", quantity: Double = 1,
                       entry: ItemEntry = .scan, transaction: String? = "T1", id: String? = nil) {
        events.append(POSEvent(time: camera + offset, store: "0042", lane: "sco-03", type: .item,
                               transaction: transaction, sku: sku, barcode: sku, quantity: quantity,
                               unitPrice: 1.99, entry: entry, id: id, line: events.count + 1))
        eventDelivery.append(camera + posDelay)
    }

    mutating func posEvent(_ type: POSEventType, at camera: Double, transaction: String) {
        events.append(POSEvent(time: camera + offset, store: "0042", lane: "sco-03", type: type,
                               transaction: transaction, line: events.count + 1))
        eventDelivery.append(camera + posDelay)
    }

    mutating func obstruction(_ kind: ObstructionKind = .scanZone, from a: Double, to b: Double, coverage: Double = 0.8) {
        obstructions.append(Obstruction(kind: kind, start: a, end: b, coverage: coverage))
    }

    /// Feeds everything as a live lane would (passes and obstructions when they
    /// end, POS events when they happen plus `posDelay`), advancing the camera
    /// clock in `step`s, then finishes. Returns every decision.
    func run(settings: RuleSettings = RuleSettings(), engine start: RuleEngine? = nil, step: Double = 0.5,
             check: ((RuleEngine) -> Void)? = nil) -> (decisions: [Decision], engine: RuleEngine) {
        var engine = start ?? RuleEngine(settings: settings)
        enum Input { case pass(PassObservation), obstruction(Obstruction), event(POSEvent) }
        var inputs: [(Double, Int, Input)] = []
        for p in passes { inputs.append((p.end, inputs.count, .pass(p))) }
        for o in obstructions { inputs.append((o.end, inputs.count, .obstruction(o))) }
        for (e, t) in zip(events, eventDelivery) { inputs.append((t, inputs.count, .event(e))) }
        inputs.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var out: [Decision] = []
        guard let first = inputs.first?.0, let last = inputs.last?.0 else { return (engine.finish(), engine) }
        var clock = first
        var k = 0
        while clock <= last + 40 {
            while k < inputs.count, inputs[k].0 <= clock {
                switch inputs[k].2 {
                case .pass(let p): engine.ingest(pass: p)
                case .obstruction(let o): engine.ingest(obstruction: o)
                case .event(let e): engine.ingest(posEvent: e)
                }
                k += 1
            }
            out += engine.advance(to: clock)
            check?(engine)
            clock += step
        }
        out += engine.finish()
        return (out, engine)
    }
}

extension Array where Element == Decision {
    func of(_ type: IncidentType) -> [Decision] { filter { $0.type == type } }
}
