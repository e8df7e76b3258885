import Contract
import Foundation
import LaneCore
import MediaIO

public enum LaneSimulator {
    /// Render one session into `dir`: video.mp4, pos.jsonl, lane.json, catalog.json,
    /// refs/<sku>.png and truth.json.
    public static func run(_ config: SimulationConfig, to dir: URL, progress: (@Sendable (Double) -> Void)? = nil) throws -> SimulationSummary {
        try validate(config)
        let session = Session(config: config)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir.appendingPathComponent("refs"), withIntermediateDirectories: true)
        } catch {
            throw SimulationError("\(dir.path): cannot create the output folder: \(error.localizedDescription)")
        }
        try write(session.laneJSON(), to: dir.appendingPathComponent("lane.json"))
        try write(session.catalogJSON(), to: dir.appendingPathComponent("catalog.json"))
        for p in session.script.catalog {
            let png = PNGWriter.encode(width: p.sprite.width, height: p.sprite.height, channels: 4, pixels: p.sprite.straightRGBA())
            try write(png, to: dir.appendingPathComponent("refs/\(p.sku).png"))
        }
        try write(session.posJSONL(), to: dir.appendingPathComponent("pos.jsonl"))
        try write(session.truthJSON(), to: dir.appendingPathComponent("truth.json"))
        try session.writeVideo(to: dir.appendingPathComponent("video.mp4"), progress: progress)
        return session.summary
    }

    static func validate(_ c: SimulationConfig) throws {
        guard c.width >= 160, c.height >= 90, c.width % 2 == 0, c.height % 2 == 0 else {
            throw SimulationError("simulation: the frame size must be even and at least 160x90, got \(c.width)x\(c.height)")
        }
        let aspect = Double(c.width) / Double(c.height)
        guard aspect > 1.3, aspect < 2.4 else {
            throw SimulationError("simulation: the lane is laid out for landscape frames (aspect 1.3…2.4), got \(c.width)x\(c.height)")
        }
        guard (5...60).contains(c.fps) else { throw SimulationError("simulation: fps must be in 5…60, got \(c.fps)") }
        guard c.minutes > 0, c.minutes <= 24 * 60 else { throw SimulationError("simulation: minutes must be in (0, 1440], got \(c.minutes)") }
        guard (0...1).contains(c.exceptionRate) else { throw SimulationError("simulation: exception rate must be in 0…1, got \(c.exceptionRate)") }
        guard c.noise >= 0, c.noise <= 5 else { throw SimulationError("simulation: noise must be in 0…5, got \(c.noise)") }
        if let o = c.clockOffset, abs(o) > 600 { throw SimulationError("simulation: clock offset must be within ±600 s, got \(o)") }
        guard !c.store.isEmpty, !c.lane.isEmpty else { throw SimulationError("simulation: store and lane must not be empty") }
    }

    private static func write(_ data: Data, to url: URL) throws {
        do { try data.write(to: url) } catch {
            throw SimulationError("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }
}

/// One planned session: its script and everything written from it.
struct Session {
    let config: SimulationConfig
    let script: Script

    init(config: SimulationConfig) {
        self.config = config
        let layout = LaneLayout(config: config)
        let catalog = ProductFactory.makeCatalog(seed: config.seed, pxPerCm: layout.pxPerCm * 1.05)
        var planner = Planner(config: config, layout: layout, catalog: catalog)
        script = planner.plan()
    }

    var frameCount: Int { config.frameCount }

    func iso(_ cameraSeconds: Double) -> String { ISOTime.format(epochSeconds: config.videoStart + cameraSeconds) }

    var summary: SimulationSummary {
        var counts: [String: Int] = [:]
        for i in script.incidents { counts[i.kind, default: 0] += 1 }
        return SimulationSummary(frames: frameCount, passes: script.passes.count, transactions: script.transactions, incidents: counts)
    }

    // MARK: - Files

    func laneJSON() -> Data {
        let zones: [JSONValue] = script.layout.zones.map { z in
            .object([("name", .string(z.name)), ("role", .string(z.role.rawValue)),
                     ("polygon", .array(z.polygon.map { .array([.number($0.x), .number($0.y)]) }))])
        }
        let lane: JSONValue = .object([("store", .string(config.store)), ("lane", .string(config.lane)), ("kind", .string("self_checkout")),
                                       ("source", .string("video.mp4")), ("zones", .array(zones))])
        return Data((lane.render(pretty: true) + "\n").utf8)
    }

    func catalogJSON() -> Data {
        let items: [JSONValue] = script.catalog.map { p in
            .object([("sku", .string(p.sku)), ("barcode", .string(p.barcode)), ("description", .string(p.description)),
                     ("unit_price", .money(p.unitPrice)), ("weight_g", .number(p.weightGrams)),
                     ("images", .array([.string("refs/\(p.sku).png")]))])
        }
        return Data((JSONValue.object([("items", .array(items))]).render(pretty: true) + "\n").utf8)
    }

    /// POS events on the POS clock, one object a line, in time order.
    func posEvents() -> [POSEvent] {
        var out: [POSEvent] = []
        for (n, e) in script.pos.enumerated() {
            let time = ((config.videoStart + e.t + script.clockOffset) * 1000).rounded() / 1000
            var ev = POSEvent(time: time, store: config.store, lane: config.lane, type: POSEventType(rawValue: e.type)!,
                              transaction: e.transaction, id: "\(config.lane)-\(String(format: "%06d", n + 1))")
            if let pi = e.product {
                let p = script.catalog[pi]
                ev.sku = p.sku
                ev.quantity = 1
                ev.unitPrice = p.unitPrice
                if e.type == "item" {
                    ev.barcode = p.barcode
                    ev.description = p.description
                    ev.entry = ItemEntry(rawValue: e.entry ?? "scan")
                }
            }
            ev.total = e.total
            ev.tender = e.tender
            out.append(ev)
        }
        return out
    }

    func posJSONL() -> Data {
        var s = ""
        for e in posEvents() {
            var f: [(String, JSONValue)] = [("time", .string(ISOTime.format(epochSeconds: e.time))), ("store", .string(e.store)),
                                            ("lane", .string(e.lane)), ("type", .string(e.type.rawValue))]
            if let v = e.transaction { f.append(("transaction", .string(v))) }
            if let v = e.sku { f.append(("sku", .string(v))) }
            if let v = e.barcode { f.append(("barcode", .string(v))) }
            if let v = e.description { f.append(("description", .string(v))) }
            if let v = e.quantity { f.append(("quantity", .number(v))) }
            if let v = e.unitPrice { f.append(("unit_price", .money(v))) }
            if let v = e.entry { f.append(("entry", .string(v.rawValue))) }
            if let v = e.total { f.append(("total", .money(v))) }
            if let v = e.tender { f.append(("tender", .string(v))) }
            if let v = e.id { f.append(("id", .string(v))) }
            s += JSONValue.object(f).render(pretty: false) + "\n"
        }
        return Data(s.utf8)
    }

    func truthFile() -> TruthFile {
        func r3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
        let incidents = script.incidents.map {
            TruthIncident(type: $0.kind, start: iso($0.t0), end: iso($0.t1), transaction: $0.transaction, note: $0.note)
        }
        let events = script.events.map {
            TruthEvent(kind: $0.kind, start: iso($0.t0), end: iso($0.t1), items: $0.items, skus: $0.skus, scanned: $0.scanned,
                       path: $0.path, incident: $0.incident)
        }
        return TruthFile(store: config.store, lane: config.lane, videoStart: iso(0), clockOffsetS: r3(script.clockOffset),
                         passes: script.passes.count, transactions: script.transactions, incidents: incidents, events: events)
    }

    func truthJSON() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try enc.encode(truthFile()) + Data("\n".utf8) } catch {
            throw SimulationError("truth.json: cannot encode: \(error)")
        }
    }

    // MARK: - Video

    /// Renders on a worker thread while this one encodes: the two halves of the work overlap.
    func writeVideo(to url: URL, progress: (@Sendable (Double) -> Void)?) throws {
        let writer: VideoWriter
        do {
            writer = try VideoWriter(path: url, width: config.width, height: config.height, fps: config.fps,
                                     creationTime: config.videoStart, keyframeInterval: 2 * config.fps, crf: 23, preset: "veryfast")
        } catch {
            throw SimulationError("\(url.path): \(error)")
        }
        let total = frameCount
        let queue = FrameQueue(capacity: 3)
        let renderer = SceneRenderer(script: script, config: config)
        let worker = Thread { [renderer] in
            for i in 0..<total {
                if queue.cancelled { break }
                queue.put(renderer.render(frame: i))
            }
            queue.close()
        }
        worker.stackSize = 8 << 20
        worker.start()
        var written = 0
        do {
            while let frame = queue.take() {
                try writer.append(frame)
                written += 1
                if let progress, written % 15 == 0 || written == total { progress(Double(written) / Double(total)) }
            }
            try writer.finish()
        } catch {
            queue.cancel()
            throw SimulationError("\(url.path): \(error)")
        }
    }
}

/// A small bounded hand-over of frames from the renderer thread to the encoder.
final class FrameQueue: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [RGBImage] = []
    private var closed = false
    private(set) var cancelled = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func put(_ f: RGBImage) {
        cond.lock()
        while items.count >= capacity && !cancelled { cond.wait() }
        if !cancelled { items.append(f) }
        cond.broadcast()
        cond.unlock()
    }

    func take() -> RGBImage? {
        cond.lock()
        defer { cond.unlock() }
        while items.isEmpty && !closed { cond.wait() }
        if items.isEmpty { return nil }
        let f = items.removeFirst()
        cond.broadcast()
        return f
    }

    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    func cancel() {
        cond.lock()
        cancelled = true
        items.removeAll()
        cond.broadcast()
        cond.unlock()
    }
}

/// Ordered JSON, so files read the same on every run and key order follows the contract.
enum JSONValue {
    case string(String)
    case number(Double)
    /// Prices: always two decimals.
    case money(Double)
    case array([JSONValue])
    case object([(String, JSONValue)])

    func render(pretty: Bool, indent: String = "") -> String {
        switch self {
        case .string(let s): return Self.quote(s)
        case .number(let v):
            if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
            var s = String(format: "%.6f", v)
            while s.hasSuffix("0") { s.removeLast() }
            return s
        case .money(let v): return String(format: "%.2f", v)
        case .array(let a):
            let flat = a.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
            if !pretty || flat { return "[" + a.map { $0.render(pretty: false) }.joined(separator: pretty ? ", " : ",") + "]" }
            let inner = indent + "  "
            return "[\n" + a.map { inner + $0.render(pretty: true, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let f):
            if !pretty { return "{" + f.map { Self.quote($0.0) + ":" + $0.1.render(pretty: false) }.joined(separator: ",") + "}" }
            let inner = indent + "  "
            return "{\n" + f.map { inner + Self.quote($0.0) + ": " + $0.1.render(pretty: true, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            case "\t": o += "\\t"
            default:
                if u.value < 0x20 { o += String(format: "\\u%04x", u.value) } else { o.unicodeScalars.append(u) }
            }
        }
        return o + "\""
    }
}
