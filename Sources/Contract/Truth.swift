import Foundation

/// `truth.json`: what really happened in a session, written by a simulator and
/// read by `lanesight evaluate`. Ours, not part of the shared contract; see
/// docs/formats.md. Times are ISO 8601 on the camera clock.
public struct TruthFile: Sendable, Codable, Equatable {
    public var format: String
    public var store: String
    public var lane: String
    /// Wall-clock time of the video's first frame.
    public var videoStart: String
    /// POS clock − camera clock, seconds.
    public var clockOffsetS: Double
    /// Item passes: a hand carrying one or more items from the pickup side to
    /// the bagging side, exceptions included (the denominator of false alerts per 1,000 passes).
    public var passes: Int
    public var transactions: Int
    public var incidents: [TruthIncident]
    /// Everything scripted, normal or not, for diagnosis.
    public var events: [TruthEvent]

    public static let currentFormat = "lanesight-truth/1"

    public init(store: String, lane: String, videoStart: String, clockOffsetS: Double, passes: Int,
                transactions: Int, incidents: [TruthIncident], events: [TruthEvent] = []) {
        self.format = Self.currentFormat
        self.store = store; self.lane = lane; self.videoStart = videoStart; self.clockOffsetS = clockOffsetS
        self.passes = passes; self.transactions = transactions; self.incidents = incidents; self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case format, store, lane
        case videoStart = "video_start"
        case clockOffsetS = "clock_offset_s"
        case passes, transactions, incidents, events
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(String.self, forKey: .format) ?? Self.currentFormat
        store = try c.decodeIfPresent(String.self, forKey: .store) ?? ""
        lane = try c.decodeIfPresent(String.self, forKey: .lane) ?? ""
        videoStart = try c.decodeIfPresent(String.self, forKey: .videoStart) ?? ""
        clockOffsetS = try c.decodeIfPresent(Double.self, forKey: .clockOffsetS) ?? 0
        passes = try c.decode(Int.self, forKey: .passes)
        transactions = try c.decodeIfPresent(Int.self, forKey: .transactions) ?? 0
        incidents = try c.decode([TruthIncident].self, forKey: .incidents)
        events = try c.decodeIfPresent([TruthEvent].self, forKey: .events) ?? []
    }
}

public struct TruthIncident: Sendable, Codable, Equatable {
    /// An incident type's raw value (`missed_scan`, …).
    public var type: String
    public var start: String
    public var end: String
    public var transaction: String?
    public var note: String?

    public init(type: String, start: String, end: String, transaction: String? = nil, note: String? = nil) {
        self.type = type; self.start = start; self.end = end; self.transaction = transaction; self.note = note
    }
}

/// One scripted happening: `pass` (items carried), `empty_hand`, `lean_in`,
/// `walker`, `occlusion`, `light_change`, …
public struct TruthEvent: Sendable, Codable, Equatable {
    public var kind: String
    public var start: String
    public var end: String
    /// For passes: how many items, which products, what the POS registered, and the path.
    public var items: Int?
    public var skus: [String]?
    public var scanned: [String]?
    public var path: String?
    public var incident: String?

    public init(kind: String, start: String, end: String, items: Int? = nil, skus: [String]? = nil,
                scanned: [String]? = nil, path: String? = nil, incident: String? = nil) {
        self.kind = kind; self.start = start; self.end = end; self.items = items; self.skus = skus
        self.scanned = scanned; self.path = path; self.incident = incident
    }
}
