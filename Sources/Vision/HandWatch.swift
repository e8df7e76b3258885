import LaneCore

/// Where the far end of the customer's reaching arm (the hand) is in one frame.
public struct HandSample: Sendable, Hashable {
    public var time: Double
    public var inPickup: Bool
    public var inScan: Bool
    /// In the bagging zone, or past its start along the flow.
    public var atBagging: Bool
    /// The hand's box, in the analysed picture's normalized coordinates.
    public var box: NormalizedRect
    public init(time: Double, inPickup: Bool, inScan: Bool, atBagging: Bool, box: NormalizedRect) {
        self.time = time; self.inPickup = inPickup; self.inScan = inScan; self.atBagging = atBagging; self.box = box
    }
}

/// A scanning motion made by the hand alone: from the pickup zone to the
/// scanner, held there, then on to the bag. An item gripped from above, or
/// dark against the dark scanner bed, leaves no item pixels and no item track,
/// but the hand that presents it is still seen. Such a motion becomes a pass
/// with `itemHidden` set; the rules drop it when an item pass covers the same
/// moment. An empty hand crossing the lane sweeps over the scanner without
/// stopping, and a hand that goes back to the basket or to the screen never
/// reaches the bag: neither is a pass. A hand going straight from the basket
/// to the bag, beside the scanner, may have carried a hidden item around it
/// or nothing at all: it is only a candidate (`aroundCandidate`), which the
/// vision keeps if the bag looks different once the hand has left it.
public struct HandWatch: Sendable {
    enum Phase: Sendable { case idle, fromPickup, atScanner }
    var phase = Phase.idle
    var id = 0
    var pickupLast = 0.0
    var scanEnter = 0.0
    var scanLeave = 0.0
    var lastSeen = 0.0
    /// Time the hand has been seen over the scanner bed since it came there.
    var held = 0.0
    /// The hand's box at the scanner, for the pass and its key frames.
    var box: NormalizedRect?

    /// Held this long over the scanner it is a presentation, not a sweep.
    /// (Swept across, a hand spends 0.1–0.4 s over the bed; a presentation
    /// takes about a second, the rules' `presentSeconds`.) Counted in the
    /// frames it was seen there: a hand turning the item at the bed's edge
    /// flickers in and out of the zone.
    public static let minDwell = 0.7
    /// Away from the bed this long, the hand's next time there is a new
    /// presentation (a stray frame at the bed's edge on the way to the basket
    /// is not the start of the next one).
    static let awayFromBed = 1.0
    /// One frame counts for at most this long (a moment unseen over the bed).
    static let maxFrameStep = 0.2
    /// Unseen this long the hand is lost and the motion abandoned.
    static let lostAfter = 1.0
    /// From the basket to the scanner, and from the scanner to the bag, at most.
    static let legSeconds = 3.0
    /// Item confidence of a pass seen from the hand alone: the hand held
    /// something there, most likely, but nothing of it was seen.
    public static let itemConfidence = 0.7

    public init() {}

    public struct Step: Sendable {
        public var pass: PassObservation?
        public var snapshots: [SnapshotRequest] = []
        /// Candidate motions abandoned: their snapshots can go.
        public var dropped: [Int] = []
        /// Basket to bag beside the scanner: a pass only if something was left in the bag.
        public var aroundCandidate: PassObservation?
    }

    /// One frame at `time`: where the hand is (nil when no arm reaches into the lane).
    /// `nextID` gives a fresh pass id when a motion starts at the pickup zone.
    public mutating func observe(_ s: HandSample?, time: Double, nextID: () -> Int) -> Step {
        var step = Step()
        guard let s else {
            if phase != .idle, time - lastSeen > Self.lostAfter { abandon(&step) }
            return step
        }
        // Back after a blocked view or a long loss: whatever was under way is over.
        if phase != .idle, s.time - lastSeen > Self.lostAfter { abandon(&step) }
        let frameStep = min(Self.maxFrameStep, max(0, s.time - lastSeen))
        lastSeen = s.time
        switch phase {
        case .idle:
            if s.inPickup { start(s, nextID: nextID) }
        case .fromPickup:
            if s.inPickup {
                pickupLast = s.time
            } else if s.inScan {
                phase = .atScanner
                scanEnter = s.time
                scanLeave = s.time
                held = 0
                box = s.box
                step.snapshots.append(SnapshotRequest(passID: id, slot: 0, box: s.box, time: s.time))
            } else if s.atBagging && s.time - pickupLast <= Self.legSeconds {
                step.snapshots.append(SnapshotRequest(passID: id, slot: 2, box: s.box, time: s.time))
                step.aroundCandidate = PassObservation(
                    id: id, path: .aroundScanner, start: pickupLast, end: s.time,
                    itemCount: 1, itemConfidence: Self.itemConfidence, countConfidence: 0.5, appearance: nil,
                    box: s.box, itemArea: nil, itemHidden: true)
                phase = .idle
            } else if s.atBagging || s.time - pickupLast > Self.legSeconds {
                abandon(&step)
            }
        case .atScanner where s.inScan:
            if s.time - scanLeave > Self.awayFromBed {
                // Back over the bed after a while elsewhere: the presentation starts now.
                scanEnter = s.time
                held = 0
            }
            held += frameStep
            scanLeave = s.time
            box = s.box
            if held <= Self.minDwell {
                step.snapshots.append(SnapshotRequest(passID: id, slot: 1, box: s.box, time: s.time))
            }
        case .atScanner:
            if s.inPickup {
                // Back to the basket: shown and taken back, or a new item.
                abandon(&step)
                start(s, nextID: nextID)
            } else if s.atBagging {
                if held >= Self.minDwell {
                    step.snapshots.append(SnapshotRequest(passID: id, slot: 2, box: s.box, time: s.time))
                    step.pass = PassObservation(
                        id: id, path: .overScanner, start: pickupLast, end: s.time, scanEnter: scanEnter, scanLeave: scanLeave,
                        itemCount: 1, itemConfidence: Self.itemConfidence, countConfidence: 0.5, appearance: nil,
                        box: box, itemArea: nil, itemHidden: true)
                    phase = .idle
                } else {
                    abandon(&step)
                }
            } else if s.time - scanLeave > Self.legSeconds {
                abandon(&step)
            }
        }
        return step
    }

    mutating func start(_ s: HandSample, nextID: () -> Int) {
        phase = .fromPickup
        id = nextID()
        pickupLast = s.time
        box = nil
    }

    mutating func abandon(_ step: inout Step) {
        if phase != .idle { step.dropped.append(id) }
        phase = .idle
    }
}
