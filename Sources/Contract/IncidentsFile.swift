import Foundation
import LaneCore

/// `incidents.json`: `{"incidents":[…]}` with the contract's key names and order.
public enum IncidentsFile {
    /// Pretty-printed and deterministic: incidents sorted by start (then end, then id).
    public static func encode(_ incidents: [Incident]) -> Data {
        let sorted = incidents.sorted { a, b in
            if a.start != b.start { return a.start < b.start }
            if a.end != b.end { return a.end < b.end }
            return a.id < b.id
        }
        return OrderedJSON.object([("incidents", .array(sorted.map(json)))]).data()
    }

    public static func json(_ i: Incident) -> OrderedJSON {
        .object([
            ("id", .string(i.id)),
            ("type", .string(i.type.rawValue)),
            ("store", .string(i.store)),
            ("lane", .string(i.lane)),
            ("transaction", .optional(i.transaction)),
            ("start", .string(ISOTime.format(epochSeconds: i.start))),
            ("end", .string(ISOTime.format(epochSeconds: i.end))),
            ("confidence", .number(i.confidence)),
            ("details", json(i.details)),
            ("evidence", .object([
                ("keyframes", .array(i.evidence.keyframes.map { .string($0) })),
                ("clip", .optional(i.evidence.clip)),
            ])),
        ])
    }

    /// `scanned` always; the other details only when set.
    public static func json(_ d: IncidentDetails) -> OrderedJSON {
        var m: [(String, OrderedJSON)] = [("scanned", .array(d.scanned.map { .string($0) }))]
        if let v = d.itemsSeen { m.append(("items_seen", .int(v))) }
        if let v = d.path { m.append(("path", .string(v))) }
        if let v = d.dwellS { m.append(("dwell_s", .number(v))) }
        if let v = d.seenLike { m.append(("seen_like", .string(v))) }
        if let v = d.similarityScanned { m.append(("similarity_scanned", .number(v))) }
        if let v = d.similaritySeen { m.append(("similarity_seen", .number(v))) }
        if let v = d.blocked { m.append(("blocked", .string(v))) }
        if let v = d.coverage { m.append(("coverage", .number(v))) }
        if let v = d.clockOffsetS { m.append(("clock_offset_s", .number(v))) }
        return .object(m)
    }

    public static func read(url: URL) throws(InputError) -> [Incident] {
        try decode(data: try DocumentParser.readFile(url), fileName: DocumentParser.displayName(url))
    }

    /// Strict on the fields the contract defines; unknown keys are ignored.
    public static func decode(data: Data, fileName: String) throws(InputError) -> [Incident] {
        let root = Field(node: try DocumentParser.parse(data: data, fileName: fileName, isYAML: false), path: "", file: fileName)
        let list = try root.object().required("incidents").array()
        var out: [Incident] = []
        out.reserveCapacity(list.count)
        for f in list {
            let o = try f.object()
            let id = try o.required("id").nonEmptyString()
            let type = try o.required("type").enumValue(IncidentType.self)
            let store = try o.required("store").string()
            let lane = try o.required("lane").string()
            let transaction = try o.optionalString("transaction")
            let start = try o.required("start").time()
            let endField = try o.required("end")
            let end = try endField.time()
            if end < start { throw endField.fail("the end is before the start") }
            let confidence = try o.required("confidence").number(in: 0...1)
            var details = IncidentDetails()
            if let df = o.optional("details") {
                let d = try df.object()
                if let sf = d.optional("scanned") {
                    for s in try sf.array() { details.scanned.append(try s.string()) }
                }
                if let v = d.optional("items_seen") { details.itemsSeen = try v.integer(min: 0) }
                details.path = try d.optionalString("path")
                details.dwellS = try d.optionalNumber("dwell_s")
                details.seenLike = try d.optionalString("seen_like")
                details.similarityScanned = try d.optionalNumber("similarity_scanned")
                details.similaritySeen = try d.optionalNumber("similarity_seen")
                details.blocked = try d.optionalString("blocked")
                details.coverage = try d.optionalNumber("coverage")
                details.clockOffsetS = try d.optionalNumber("clock_offset_s")
            }
            var evidence = IncidentEvidence()
            if let ef = o.optional("evidence") {
                let e = try ef.object()
                if let kf = e.optional("keyframes") {
                    for s in try kf.array() { evidence.keyframes.append(try s.string()) }
                }
                evidence.clip = try e.optionalString("clip")
            }
            out.append(Incident(id: id, type: type, store: store, lane: lane, transaction: transaction, start: start,
                                end: end, confidence: confidence, details: details, evidence: evidence))
        }
        return out
    }
}
