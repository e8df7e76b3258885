import Foundation

// The value types of the interchange formats in ../shared/contract/README.md.
// Readers (LaneReader, POSReader, CatalogReader) build them and validate;
// writers (IncidentsFile) emit them. Times are seconds since 1970 (camera or
// POS clock, as named), normalized image coordinates in [0, 1].

public struct NormalizedPoint: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

public enum ZoneRole: String, Sendable, Hashable, Codable, CaseIterable {
    case pickup, scan, bagging, customer, cashier, drawer, ignore
}

public struct Zone: Sendable, Hashable {
    public var name: String
    public var role: ZoneRole
    public var polygon: [NormalizedPoint]
    public init(name: String, role: ZoneRole, polygon: [NormalizedPoint]) {
        self.name = name; self.role = role; self.polygon = polygon
    }
}

public enum LaneKind: String, Sendable, Hashable, Codable, CaseIterable {
    case selfCheckout = "self_checkout"
    case cashier
}

/// Rule thresholds; a lane's `rules` object overrides them by key.
public struct RuleSettings: Sendable, Equatable {
    /// Seconds either side of the scan-zone crossing in which a scan matches the pass.
    public var scanWindow: Double = 2.0
    /// Largest |POS clock − camera clock| the offset estimator considers.
    public var clockOffsetMax: Double = 3.0
    /// A known POS − camera offset; when nil it is estimated from the data.
    public var clockOffset: Double? = nil
    /// The scanner or the view blocked this long is an occlusion incident.
    public var occlusionMin: Double = 3.0
    /// Fraction of the scan zone that must be covered to count as blocked.
    public var occlusionCoverage: Double = 0.45
    /// Below this confidence that a hand carried an item, a pass is treated as an empty hand.
    public var minItemConfidence: Double = 0.5
    /// Incidents below this confidence are not reported.
    public var minConfidence: Double = 0.6
    /// How much more the seen item must resemble another product than the scanned one.
    public var wrongScanMargin: Double = 0.3
    /// Clip length before an incident's start and after its end.
    public var clipPre: Double = 3.0
    public var clipPost: Double = 3.0

    public init() {}

    public struct Key: Sendable {
        public let name: String
        public let range: ClosedRange<Double>
        public let get: @Sendable (RuleSettings) -> Double
        public let set: @Sendable (inout RuleSettings, Double) -> Void
        public let help: String

        init(name: String, range: ClosedRange<Double>, path: WritableKeyPath<RuleSettings, Double> & Sendable, help: String) {
            self.name = name
            self.range = range
            self.get = { $0[keyPath: path] }
            self.set = { $0[keyPath: path] = $1 }
            self.help = help
        }
    }

    /// Every key a lane file may set, with its valid range. (`clock_offset_s` is
    /// optional-valued and handled by `set(_:_:)`.)
    public static let keys: [Key] = [
        Key(name: "scan_window_s", range: 0.1...30, path: \.scanWindow, help: "seconds either side of the crossing for a matching scan"),
        Key(name: "clock_offset_max_s", range: 0...60, path: \.clockOffsetMax, help: "largest POS−camera clock offset to search"),
        Key(name: "occlusion_min_s", range: 0.5...600, path: \.occlusionMin, help: "blocked this long is an occlusion"),
        Key(name: "occlusion_coverage", range: 0.1...1, path: \.occlusionCoverage, help: "fraction of the scan zone that must be covered"),
        Key(name: "min_item_confidence", range: 0...1, path: \.minItemConfidence, help: "below this a pass is an empty hand"),
        Key(name: "min_confidence", range: 0...1, path: \.minConfidence, help: "incidents below this are not reported"),
        Key(name: "wrong_scan_margin", range: 0...1, path: \.wrongScanMargin, help: "how much better another product must match"),
        Key(name: "clip_pre_s", range: 0...30, path: \.clipPre, help: "clip seconds before the incident"),
        Key(name: "clip_post_s", range: 0...30, path: \.clipPost, help: "clip seconds after the incident"),
    ]

    public static let optionalKeys: [String] = ["clock_offset_s"]
    public static var allKeyNames: [String] { keys.map(\.name) + optionalKeys }
}

public struct Lane: Sendable {
    public var store: String
    public var lane: String
    public var kind: LaneKind
    /// As written in the file; resolve relative paths with `resolvedSource`.
    public var source: String?
    public var zones: [Zone]
    public var rules: RuleSettings
    /// The file this lane was read from, when any.
    public var fileURL: URL?

    public init(store: String, lane: String, kind: LaneKind, source: String? = nil, zones: [Zone], rules: RuleSettings = RuleSettings(), fileURL: URL? = nil) {
        self.store = store; self.lane = lane; self.kind = kind; self.source = source
        self.zones = zones; self.rules = rules; self.fileURL = fileURL
    }

    public func zones(_ role: ZoneRole) -> [Zone] { zones.filter { $0.role == role } }
}

public enum POSEventType: String, Sendable, Hashable, Codable, CaseIterable {
    case transactionStart = "transaction_start"
    case item
    case void
    case transactionEnd = "transaction_end"
    case transactionCancel = "transaction_cancel"
    case refund
    case noSale = "no_sale"
    case priceOverride = "price_override"
}

public enum ItemEntry: String, Sendable, Hashable, Codable, CaseIterable {
    case scan, plu, keyed, weighed
}

public struct POSEvent: Sendable, Hashable {
    /// POS clock, seconds since 1970.
    public var time: Double
    public var store: String
    public var lane: String
    public var type: POSEventType
    public var transaction: String?
    public var sku: String?
    public var barcode: String?
    public var description: String?
    public var quantity: Double?
    public var unitPrice: Double?
    public var entry: ItemEntry?
    public var total: Double?
    public var tender: String?
    public var operatorID: String?
    public var id: String?
    /// 1-based line in the file it came from (0 when not from a file).
    public var line: Int

    public init(time: Double, store: String, lane: String, type: POSEventType, transaction: String? = nil,
                sku: String? = nil, barcode: String? = nil, description: String? = nil, quantity: Double? = nil,
                unitPrice: Double? = nil, entry: ItemEntry? = nil, total: Double? = nil, tender: String? = nil,
                operatorID: String? = nil, id: String? = nil, line: Int = 0) {
        self.time = time; self.store = store; self.lane = lane; self.type = type
        self.transaction = transaction; self.sku = sku; self.barcode = barcode
        self.description = description; self.quantity = quantity; self.unitPrice = unitPrice
        self.entry = entry; self.total = total; self.tender = tender
        self.operatorID = operatorID; self.id = id; self.line = line
    }
}

public struct CatalogItem: Sendable, Hashable {
    public var sku: String
    public var barcode: String?
    public var description: String?
    public var unitPrice: Double?
    public var weightGrams: Double?
    /// Reference images, resolved against the catalog file's folder.
    public var images: [URL]

    public init(sku: String, barcode: String? = nil, description: String? = nil, unitPrice: Double? = nil,
                weightGrams: Double? = nil, images: [URL] = []) {
        self.sku = sku; self.barcode = barcode; self.description = description
        self.unitPrice = unitPrice; self.weightGrams = weightGrams; self.images = images
    }
}

public struct Catalog: Sendable {
    public var items: [CatalogItem]
    public init(items: [CatalogItem]) { self.items = items }

    public func item(sku: String) -> CatalogItem? { items.first { $0.sku == sku } }
    /// Resolve a POS item line to the catalog entry by SKU, then barcode.
    public func item(sku: String?, barcode: String?) -> CatalogItem? {
        if let sku, let hit = items.first(where: { $0.sku == sku }) { return hit }
        if let barcode, let hit = items.first(where: { $0.barcode == barcode || $0.sku == barcode }) { return hit }
        return nil
    }
}

public enum IncidentType: String, Sendable, Hashable, Codable, CaseIterable {
    case missedScan = "missed_scan"
    case fakeScan = "fake_scan"
    case multiItem = "multi_item"
    case wrongScan = "wrong_scan"
    case occlusion
}

/// `details` of an incident: `scanned` always; the rest when they apply.
public struct IncidentDetails: Sendable, Hashable, Codable {
    /// SKUs registered for the pass.
    public var scanned: [String]
    /// Items the camera counted in the pass.
    public var itemsSeen: Int?
    /// `over_scanner` or `around_scanner`.
    public var path: String?
    /// Seconds the item spent over the scan zone.
    public var dwellS: Double?
    /// For wrong_scan: the catalog product the item looked most like, and similarities.
    public var seenLike: String?
    public var similarityScanned: Double?
    public var similaritySeen: Double?
    /// For occlusion: `scan_zone` or `view`, and the covered fraction.
    public var blocked: String?
    public var coverage: Double?
    /// The POS − camera clock offset used to match scans, seconds.
    public var clockOffsetS: Double?

    public init(scanned: [String] = [], itemsSeen: Int? = nil, path: String? = nil, dwellS: Double? = nil,
                seenLike: String? = nil, similarityScanned: Double? = nil, similaritySeen: Double? = nil,
                blocked: String? = nil, coverage: Double? = nil, clockOffsetS: Double? = nil) {
        self.scanned = scanned; self.itemsSeen = itemsSeen; self.path = path; self.dwellS = dwellS
        self.seenLike = seenLike; self.similarityScanned = similarityScanned; self.similaritySeen = similaritySeen
        self.blocked = blocked; self.coverage = coverage; self.clockOffsetS = clockOffsetS
    }

    enum CodingKeys: String, CodingKey {
        case scanned
        case itemsSeen = "items_seen"
        case path
        case dwellS = "dwell_s"
        case seenLike = "seen_like"
        case similarityScanned = "similarity_scanned"
        case similaritySeen = "similarity_seen"
        case blocked, coverage
        case clockOffsetS = "clock_offset_s"
    }
}

public struct IncidentEvidence: Sendable, Hashable, Codable {
    /// Paths relative to the output folder.
    public var keyframes: [String]
    public var clip: String?
    public init(keyframes: [String] = [], clip: String? = nil) { self.keyframes = keyframes; self.clip = clip }
}

public struct Incident: Sendable, Hashable {
    public var id: String
    public var type: IncidentType
    public var store: String
    public var lane: String
    public var transaction: String?
    /// Camera clock, seconds since 1970.
    public var start: Double
    public var end: Double
    public var confidence: Double
    public var details: IncidentDetails
    public var evidence: IncidentEvidence

    public init(id: String, type: IncidentType, store: String, lane: String, transaction: String?, start: Double,
                end: Double, confidence: Double, details: IncidentDetails, evidence: IncidentEvidence = IncidentEvidence()) {
        self.id = id; self.type = type; self.store = store; self.lane = lane; self.transaction = transaction
        self.start = start; self.end = end; self.confidence = confidence; self.details = details; self.evidence = evidence
    }
}

/// What a reader rejects: the file, the 1-based line (0 when unknown), the field
/// path (`zones[1].polygon`) when there is one, and what is wrong.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file; self.line = line; self.column = column; self.field = field; self.message = message
    }

    /// `lane.json:7: zones[1].polygon: a polygon needs at least 3 points, this one has 2`
    public var description: String {
        var s = file
        if line > 0 {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        s += ": "
        if let field { s += "\(field): " }
        return s + message
    }
}
