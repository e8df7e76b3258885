import Foundation
import LaneCore

/// Reads `truth.json` (see docs/formats.md) with the same defaults as
/// `TruthFile.init(from:)`, but with errors that name the line and field.
public enum TruthReader {
    public static func read(url: URL) throws(InputError) -> TruthFile {
        try parse(data: try DocumentParser.readFile(url), fileName: DocumentParser.displayName(url))
    }

    public static func parse(data: Data, fileName: String) throws(InputError) -> TruthFile {
        let root = Field(node: try DocumentParser.parse(data: data, fileName: fileName, isYAML: false), path: "", file: fileName)
        let o = try root.object()
        if let ff = o.optional("format") {
            let format = try ff.string()
            guard format == TruthFile.currentFormat else {
                throw ff.fail("unsupported format '\(format)'; this version reads '\(TruthFile.currentFormat)'")
            }
        }
        let store = try o.optionalString("store") ?? ""
        let lane = try o.optionalString("lane") ?? ""
        var videoStart = ""
        if let vf = o.optional("video_start") {
            videoStart = try vf.string()
            if !videoStart.isEmpty { _ = try vf.time() }
        }
        let offset = try o.optionalNumber("clock_offset_s") ?? 0
        let passes = try o.required("passes").integer(min: 0)
        let transactions = try o.optional("transactions")?.integer(min: 0) ?? 0

        var incidents: [TruthIncident] = []
        for f in try o.required("incidents").array() {
            let io = try f.object()
            let type = try io.required("type").enumValue(IncidentType.self)
            let (start, end) = try span(io)
            incidents.append(TruthIncident(type: type.rawValue, start: start, end: end,
                                           transaction: try io.optionalString("transaction"),
                                           note: try io.optionalString("note")))
        }

        var events: [TruthEvent] = []
        if let ef = o.optional("events") {
            for f in try ef.array() {
                let eo = try f.object()
                let kind = try eo.required("kind").nonEmptyString()
                let (start, end) = try span(eo)
                var e = TruthEvent(kind: kind, start: start, end: end)
                if let v = eo.optional("items") { e.items = try v.integer(min: 0) }
                e.skus = try strings(eo.optional("skus"))
                e.scanned = try strings(eo.optional("scanned"))
                e.path = try eo.optionalString("path")
                e.incident = try eo.optionalString("incident")
                events.append(e)
            }
        }
        var truth = TruthFile(store: store, lane: lane, videoStart: videoStart, clockOffsetS: offset, passes: passes,
                              transactions: transactions, incidents: incidents, events: events)
        truth.format = TruthFile.currentFormat
        return truth
    }

    /// Start and end as written, checked to be ISO 8601 times in order.
    private static func span(_ o: ObjectField) throws(InputError) -> (String, String) {
        let sf = try o.required("start"), ef = try o.required("end")
        let start = try sf.time(), end = try ef.time()
        if end < start { throw ef.fail("the end is before the start") }
        return (try sf.string(), try ef.string())
    }

    private static func strings(_ f: Field?) throws(InputError) -> [String]? {
        guard let f else { return nil }
        var out: [String] = []
        for s in try f.array() { out.append(try s.string()) }
        return out
    }
}
