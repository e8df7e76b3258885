import LaneCore

// What the vision stage tells the decision stage. Camera-clock times, seconds
// since 1970. Built by PassTracker and ObstructionDetector from frames; built by
// hand in the Rules tests.

public enum PassPath: String, Sendable, Hashable, Codable {
    /// The carried item crossed the scan zone.
    case overScanner = "over_scanner"
    /// It went from the pickup side to the bagging side without crossing it.
    case aroundScanner = "around_scanner"
}

/// One movement of a hand carrying something from the pickup side to the bagging side.
public struct PassObservation: Sendable, Hashable {
    public var id: Int
    public var path: PassPath
    /// When the item left the pickup zone (or was first seen moving).
    public var start: Double
    /// When it reached the bagging zone (or was last seen).
    public var end: Double
    /// The scan-zone crossing, for `overScanner` passes.
    public var scanEnter: Double?
    public var scanLeave: Double?
    /// Items the camera counted together in the hand (≥ 1).
    public var itemCount: Int
    /// 0…1: that the hand carried an item at all (low for an empty hand or an arm).
    public var itemConfidence: Double
    /// 0…1: that `itemCount` is right.
    public var countConfidence: Double
    /// How the carried item looked, for wrong-scan checks; nil when too little was seen.
    public var appearance: AppearanceDescriptor?
    /// How the item's ends looked over the scanner: its long axis' two ends,
    /// then its short axis' (nil where too little was seen; empty when not measured).
    public var ends: [AppearanceDescriptor?]
    /// Share of the frames over the scanner in which two arms reached the
    /// item (a hand each); nil when not measured.
    public var twoArmShare: Double?
    /// The item's box at the most telling moment.
    public var box: NormalizedRect?
    /// Typical visible item area over the scanner (or along the way when it went
    /// around), as a fraction of the frame; nil when not measured.
    public var itemArea: Double?
    /// Seen from the hand's motion alone (`HandWatch`): no item pixels, so no
    /// look, size or count; the rules drop it when an item pass covers it.
    public var itemHidden: Bool
    /// Began on a scanner that had been covered for as long as an occlusion:
    /// what moved first was the cover being lifted off, not an item.
    public var underCover: Bool
    /// The learned counter's mean logit of "two items or more" over the
    /// scanner, minus its bar (≥ 0: two or more); nil when not scored.
    public var learnedMargin: Double?

    public init(id: Int, path: PassPath, start: Double, end: Double, scanEnter: Double? = nil, scanLeave: Double? = nil,
                itemCount: Int = 1, itemConfidence: Double = 1, countConfidence: Double = 1,
                appearance: AppearanceDescriptor? = nil, ends: [AppearanceDescriptor?] = [], twoArmShare: Double? = nil, box: NormalizedRect? = nil, itemArea: Double? = nil,
                itemHidden: Bool = false, underCover: Bool = false) {
        self.id = id; self.path = path; self.start = start; self.end = end
        self.scanEnter = scanEnter; self.scanLeave = scanLeave; self.itemCount = itemCount
        self.itemConfidence = itemConfidence; self.countConfidence = countConfidence
        self.appearance = appearance; self.ends = ends; self.twoArmShare = twoArmShare; self.box = box; self.itemArea = itemArea; self.itemHidden = itemHidden
        self.underCover = underCover
        self.learnedMargin = nil
    }

    /// The moment scans are matched against: the middle of the scan-zone
    /// crossing, or of the whole pass when it went around.
    public var referenceTime: Double {
        if let a = scanEnter, let b = scanLeave { return (a + b) / 2 }
        return (start + end) / 2
    }

    /// The interval a matching scan is expected near (before the window is added).
    public var matchInterval: ClosedRange<Double> {
        if let a = scanEnter, let b = scanLeave { return min(a, b)...max(a, b) }
        return min(start, end)...max(start, end)
    }

    public var dwell: Double? {
        guard let a = scanEnter, let b = scanLeave else { return nil }
        return b - a
    }
}

public enum ObstructionKind: String, Sendable, Hashable, Codable {
    /// The scanner bed was covered.
    case scanZone = "scan_zone"
    /// Most of the camera's view was covered or dark.
    case view
}

/// An interval during which the camera could not verify scanning.
public struct Obstruction: Sendable, Hashable {
    public var kind: ObstructionKind
    public var start: Double
    public var end: Double
    /// Mean covered fraction of the scan zone (or of the view).
    public var coverage: Double
    public init(kind: ObstructionKind, start: Double, end: Double, coverage: Double) {
        self.kind = kind; self.start = start; self.end = end; self.coverage = coverage
    }
    public var duration: Double { end - start }
}
