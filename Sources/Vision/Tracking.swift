import Foundation
import LaneCore
import Zones

/// One carried-item group followed across frames, with what it did in each zone.
final class Track {
    let id: Int
    var cx: Double, cy: Double
    var vx = 0.0, vy = 0.0
    let firstTime: Double
    var lastTime: Double
    /// Frames since the track began, and those in which it was seen.
    var frames = 0
    var hits = 0
    var areas: [Float] = []
    /// Its area when last seen (`areas` stops growing on a long track).
    var lastArea = 0
    var box: (Int, Int, Int, Int)
    let startProgress: Double
    var progress: Double
    var maxProgress: Double
    var everPickup = false
    var pickupLast: Double?
    var scanEnter: Double?
    var scanLeave: Double?
    var scanFrames = 0
    var baggingReach: Double?
    var pathLength = 0.0
    var countVotes = [Int](repeating: 0, count: 5)
    var nearScanFrames = 0
    /// Frames over the scanner in which two arms reached the item (`armsReaching`).
    var twoArmFrames = 0
    var scanAreas: [Float] = []
    var appearanceScan = AppearanceAccumulator()
    var appearanceAll = AppearanceAccumulator()
    /// Over the scanner: the colours of the item's two ends along its long
    /// axis, then along its short one (see `accumulateEnds`).
    var ends = [AppearanceAccumulator](repeating: AppearanceAccumulator(), count: 4)
    var slotTaken = [false, false, false]
    var bestScanDistance = Double.infinity
    var lastBestFrame = -10
    var bestBox: NormalizedRect?
    var emitted = false
    /// Recent colours, decaying, so association prefers the same item.
    var look = AppearanceAccumulator()
    var bornNearPickup = false
    var maxLaneDistance = 0.0
    var scanEnterProgress = 0.0
    /// Went alongside a scanned carry (see `accompaniesScannedCarry`): never a pass.
    var companion = false
    /// Born on the scanner once it had been covered for as long as an
    /// occlusion (see `PassObservation.underCover`).
    var bornUnderCover = false
    /// Seen on its way along the lane: past the pickup zone, not yet past the scanner.
    var seenOnTheWay = false

    init(id: Int, cx: Double, cy: Double, time: Double, box: (Int, Int, Int, Int), progress: Double) {
        self.id = id
        self.cx = cx; self.cy = cy
        firstTime = time; lastTime = time
        self.box = box
        startProgress = progress
        self.progress = progress
        maxProgress = progress
    }

    /// A track that picks up where a lost one left off, keeping its history.
    init(continuing o: Track, cx: Double, cy: Double, progress: Double, box: (Int, Int, Int, Int)) {
        id = o.id
        self.cx = cx; self.cy = cy
        firstTime = o.firstTime
        lastTime = o.lastTime
        frames = o.frames; hits = o.hits
        areas = o.areas; scanAreas = o.scanAreas
        self.box = box
        startProgress = o.startProgress
        self.progress = progress
        maxProgress = max(o.maxProgress, progress)
        everPickup = o.everPickup; pickupLast = o.pickupLast; bornNearPickup = o.bornNearPickup
        scanEnter = o.scanEnter; scanLeave = o.scanLeave; scanFrames = o.scanFrames; scanEnterProgress = o.scanEnterProgress
        baggingReach = o.baggingReach
        pathLength = o.pathLength + hypot(cx - o.cx, cy - o.cy)
        countVotes = o.countVotes; nearScanFrames = o.nearScanFrames; twoArmFrames = o.twoArmFrames
        appearanceScan = o.appearanceScan; appearanceAll = o.appearanceAll; look = o.look; ends = o.ends
        slotTaken = o.slotTaken; bestScanDistance = o.bestScanDistance; lastBestFrame = o.lastBestFrame; bestBox = o.bestBox
        maxLaneDistance = o.maxLaneDistance
        companion = o.companion; bornUnderCover = o.bornUnderCover; seenOnTheWay = o.seenOnTheWay
    }

    var medianArea: Double {
        guard !areas.isEmpty else { return 0 }
        return Double(areas.sorted()[areas.count / 2])
    }
}

extension LaneVision {
    /// Tracks not seen for this long end.
    static let maxGap = 0.9
    static let maxPassSeconds = 8.0
    /// A lost carry found again within this long continues.
    static let stitchGap = 0.8
    /// …after being lost this long at least (a frame's dropout is not a loss:
    /// the item is still there, and what appeared is something else).
    static let lostFor = 0.15
    /// About the fastest an item is carried, in frame widths per second.
    static let maxItemSpeed = 1.0
    /// A carried item stays within this distance (normalized) of the lane's zones.
    static let maxLaneDistance = 0.3
    /// Lane length (of the flow axis) a track may come back after its furthest point and still be going to the bag.
    static let turnedBack = 0.2
    static let debugTracks = ProcessInfo.processInfo.environment["LANESIGHT_DEBUG_TRACKS"] != nil

    func update(groups: [Group], time: Double, into out: inout VisionOutput) {
        // Greedy association by distance to each track's predicted position.
        var pairs: [(Double, Int, Int)] = []
        let w = Double(width)
        let progress = groups.map { zones.axis.progress(x: $0.cx / w, y: $0.cy / Double(height)) }
        let looks = groups.map { $0.look.descriptor(minPixels: 10) }
        for (ti, t) in tracks.enumerated() {
            let gapT = time - t.lastTime
            let px = t.cx + t.vx * gapT * 0.8, py = t.cy + t.vy * gapT * 0.8
            let speed = (t.vx * t.vx + t.vy * t.vy).squareRoot()
            // Items move up to about a frame width a second; a track lost for a
            // moment may have gone a little further than predicted.
            // A carry just out of the pickup zone, seen a frame ago, has no
            // measured speed yet: allow any carrying speed (at 10 frames/s a
            // quick carry steps past the fixed gate). Not for one lost longer
            // (that is a stitch, below, with its own checks), nor for other
            // young tracks (a blob born mid-lane would take the carry's next step).
            let unknown = t.hits <= 2 && gapT < Self.lostFor && isFromPickupSide(t) ? Self.maxItemSpeed * frameW * gapT : 0
            let gate = max(0.08 * frameW, 1.5 * speed * gapT, unknown) + 0.15 * frameW * gapT
            let trackLook = t.look.descriptor(minPixels: 10)
            for (gi, g) in groups.enumerated() {
                // A carry already reported does not come back along the lane:
                // what does is the empty hand returning, or the next carry.
                if t.emitted && progress[gi] < pickupExitProgress { continue }
                let dx = g.cx - px, dy = g.cy - py
                let d = (dx * dx + dy * dy).squareRoot()
                // A part of what the track was a frame ago, further along the
                // lane (a carry parting from what it was seen merged with, such
                // as what it bared in the basket) is the same carry, wherever
                // the centroid jumped. What stays behind is not.
                let (x0, y0, x1, y1) = t.box
                let within = gapT < Self.lostFor && g.area < t.lastArea
                    && g.cx >= Double(x0) && g.cx <= Double(x1) && g.cy >= Double(y0) && g.cy <= Double(y1)
                    && progress[gi] > t.progress
                guard d <= gate || within else { continue }
                // A different-looking blob is a worse match than a nearer one of the same look.
                var cost = d
                if let a = trackLook, let b = looks[gi] {
                    cost *= 1 + 2 * (1 - a.similarity(b))
                }
                pairs.append((cost, ti, gi))
            }
        }
        pairs.sort { $0.0 < $1.0 }
        var trackUsed = [Bool](repeating: false, count: tracks.count)
        var groupUsed = [Bool](repeating: false, count: groups.count)
        for (_, ti, gi) in pairs where !trackUsed[ti] && !groupUsed[gi] {
            trackUsed[ti] = true
            groupUsed[gi] = true
            observe(tracks[ti], group: groups[gi], time: time, into: &out)
        }
        for ti in 0..<trackUsed.count where !trackUsed[ti] { tracks[ti].frames += 1 }
        for (gi, g) in groups.enumerated() where !groupUsed[gi] {
            let p = progress[gi]
            // A carry from the pickup side lost a moment, and something new
            // further along: the carry, hidden a moment or too fast for the gate
            // (else the rest of it is a track from nowhere, and no pass).
            if let k = trackUsed.indices.first(where: { k in
                let o = tracks[k]
                return !trackUsed[k] && !o.emitted && isFromPickupSide(o) && o.maxProgress > pickupExitProgress - 0.1
                    && p > o.progress && time - o.lastTime >= Self.lostFor && time - o.lastTime <= Self.stitchGap
                    && hypot(g.cx - o.cx, g.cy - o.cy) <= 0.45 * frameW
            }) {
                trackUsed[k] = true
                tracks[k] = Track(continuing: tracks[k], cx: g.cx, cy: g.cy, progress: p, box: (g.minX, g.minY, g.maxX, g.maxY))
                observe(tracks[k], group: g, time: time, into: &out)
                continue
            }
            let t: Track
            if let k = orphans.firstIndex(where: { o in
                time - o.lastTime <= Self.stitchGap && p >= o.progress - 0.1
                    && hypot(g.cx - o.cx, g.cy - o.cy) <= 0.45 * frameW
            }) {
                // A fast or blurred item lost for a moment and found further along: same carry.
                t = Track(continuing: orphans.remove(at: k), cx: g.cx, cy: g.cy, progress: p,
                          box: (g.minX, g.minY, g.maxX, g.maxY))
            } else {
                t = Track(id: nextTrackID, cx: g.cx, cy: g.cy, time: time - 1e-6,
                          box: (g.minX, g.minY, g.maxX, g.maxY), progress: p)
                // Items are lifted out of the pickup zone: a track born at its edge counts as from there.
                t.bornNearPickup = frameDistance(to: .pickup, x: g.cx / w, y: g.cy / Double(height)) <= 0.1
                // Born on a scanner covered as long as an occlusion: the cover being lifted off.
                t.bornUnderCover = zoneBits(at: g) & scanBits != 0
                    && obstruction.scanCoveredSince.map { time - $0 >= settings.occlusionMin } ?? false
                nextTrackID += 1
                stats.tracksStarted += 1
            }
            tracks.append(t)
            observe(t, group: g, time: time, into: &out)
        }
        endTracks(time: time, force: false, into: &out)
    }

    func observe(_ t: Track, group g: Group, time: Double, into out: inout VisionOutput) {
        let w = Double(width), h = Double(height)
        let dt = max(1e-3, time - t.lastTime)
        let dx = g.cx - t.cx, dy = g.cy - t.cy
        if t.hits > 1 || t.frames > 1 {
            t.vx = 0.5 * t.vx + 0.5 * dx / dt
            t.vy = 0.5 * t.vy + 0.5 * dy / dt
        }
        t.pathLength += (dx * dx + dy * dy).squareRoot()
        if t.hits == 1 && t.frames == 1 && !t.bornNearPickup && !t.everPickup {
            // (t.cx, t.cy) is still where it was born.
            t.bornNearPickup = cameOutOfPickup(from: (t.cx, t.cy), step: (dx, dy), dt: dt)
        }
        t.cx = g.cx; t.cy = g.cy
        t.lastTime = time
        t.hits += 1
        t.frames += 1
        t.look.decay(0.7)
        t.look.add(g.look)
        t.box = (g.minX, g.minY, g.maxX, g.maxY)
        t.lastArea = g.area
        if t.areas.count < 400 { t.areas.append(Float(g.area)) }
        let nx = g.cx / w, ny = g.cy / h
        t.progress = zones.axis.progress(x: nx, y: ny)
        t.maxProgress = max(t.maxProgress, t.progress)
        if t.progress > pickupExitProgress && t.progress <= scanEndProgress { t.seenOnTheWay = true }
        let member = zoneBits(at: g)
        let inPickup = member & pickupBits != 0
        let inScan = member & scanBits != 0
        let inBagging = member & baggingBits != 0
        if inPickup && t.scanEnter == nil && t.baggingReach == nil {
            t.everPickup = true
            t.pickupLast = time
        }
        if inScan && t.baggingReach == nil {
            if t.scanEnter == nil {
                t.scanEnter = time
                t.scanEnterProgress = t.progress
            }
            t.scanLeave = time
            t.scanFrames += 1
        }
        let box = NormalizedRect(x: Double(g.minX) / w, y: Double(g.minY) / h,
                                 width: Double(g.maxX - g.minX + 1) / w, height: Double(g.maxY - g.minY + 1) / h)
        let scanDistance = frameDistance(to: .scan, x: nx, y: ny)
        // How far the path strays from the lane: passers-by walk well outside it.
        let baggingDistance = frameDistance(to: .bagging, x: nx, y: ny)
        let laneDistance = min(scanDistance, frameDistance(to: .pickup, x: nx, y: ny), baggingDistance)
        t.maxLaneDistance = max(t.maxLaneDistance, laneDistance)
        let nearScan = scanDistance < 0.03
        if nearScan {
            t.nearScanFrames += 1
            if t.scanAreas.count < 200 { t.scanAreas.append(Float(g.area)) }
            let (count, _) = countItems(g)
            t.countVotes[min(count, t.countVotes.count - 1)] += 1
        }
        if nearScan {
            accumulateAppearance(g, into: &t.appearanceScan)
            accumulateEnds(g, into: &t.ends)
            if armsReaching(g) >= 2 { t.twoArmFrames += 1 }
        } else if stats.frames & 1 == 0 {
            accumulateAppearance(g, into: &t.appearanceAll)
        }
        let fromPickupSide = qualifies(t)
        if fromPickupSide {
            // Evidence pictures for whatever this turns out to be.
            if !t.slotTaken[0] && (inScan || t.progress > pickupExitProgress) {
                t.slotTaken[0] = true
                out.snapshots.append(SnapshotRequest(passID: t.id, slot: 0, box: box, time: time))
            }
            let dCenter = hypot(nx - scanCenter.x, ny - scanCenter.y)
            if (inScan || t.progress > pickupExitProgress) && t.baggingReach == nil && dCenter < t.bestScanDistance - 0.01
                && stats.frames - t.lastBestFrame >= 2 {
                t.bestScanDistance = dCenter
                t.lastBestFrame = stats.frames
                t.bestBox = box
                out.snapshots.append(SnapshotRequest(passID: t.id, slot: 1, box: box, time: time))
            }
        }
        // Items go into the bag: the bagging zone itself, or its very edge.
        let atBagging = inBagging || baggingDistance <= 0.03
        if atBagging && t.baggingReach == nil && fromPickupSide {
            t.baggingReach = time
            if !t.slotTaken[2] {
                t.slotTaken[2] = true
                out.snapshots.append(SnapshotRequest(passID: t.id, slot: 2, box: box, time: time))
            }
        }
        if !t.emitted, t.baggingReach != nil, let pass = makePass(t) {
            t.emitted = true
            out.passes.append(pass)
        }
    }

    /// The zones (bits of `ZoneMap.membership`) at the group's centre.
    func zoneBits(at g: Group) -> UInt16 {
        zones.membership[min(height - 1, max(0, Int(g.cy))) * width + min(width - 1, max(0, Int(g.cx)))]
    }

    func endTracks(time: Double, force: Bool, into out: inout VisionOutput) {
        var kept: [Track] = []
        for t in tracks {
            if !force && time - t.lastTime <= Self.maxGap {
                kept.append(t)
                continue
            }
            if !t.emitted, let pass = makePass(t) {
                t.emitted = true
                out.passes.append(pass)
            }
            if !t.emitted {
                // A carry from the pickup zone that vanished may yet reappear further along.
                if !force && isFromPickupSide(t) && t.maxProgress > pickupExitProgress - 0.1 {
                    orphans.append(t)
                } else {
                    out.droppedTracks.append(t.id)
                }
            }
            if Self.debugTracks && t.hits >= 2 {
                print(String(format: "track %d %.2f…%.2f hits %d/%d pickup %@ born-near %@ start-progress %.2f max %.2f path %.0f px scan %@ bag %@ median-area %.0f emitted %@ count-votes %@ cover %@",
                             t.id, t.firstTime, t.lastTime, t.hits, t.frames, t.everPickup ? "yes" : "no", t.bornNearPickup ? "yes" : "no",
                             t.startProgress, t.maxProgress, t.pathLength, t.scanEnter.map { String(format: "%.2f", $0) } ?? "-",
                             t.baggingReach.map { String(format: "%.2f", $0) } ?? "-", t.medianArea, t.emitted ? "yes" : "no", t.countVotes.map(String.init).joined(separator: "/"), t.bornUnderCover ? "yes" : "no"))
            }
        }
        tracks = kept
        orphans.removeAll { o in
            if force || time - o.lastTime > Self.stitchGap {
                out.droppedTracks.append(o.id)
                return true
            }
            return false
        }
    }

    /// A fast carry at a low frame rate is first found well out of the pickup
    /// zone (until then the hand and the basket hid it): a track whose first
    /// step heads forward from a point that a moment earlier was at the pickup
    /// zone came from there.
    func cameOutOfPickup(from born: (x: Double, y: Double), step: (x: Double, y: Double), dt: Double) -> Bool {
        let w = Double(width), h = Double(height)
        let p0 = zones.axis.progress(x: born.x / w, y: born.y / h)
        guard zones.axis.progress(x: (born.x + step.x) / w, y: (born.y + step.y) / h) > p0 else { return false }
        // Back along the first step by up to `hiddenLift`, at most 2.5 frames.
        let back = min(Self.hiddenLift, 2.5 * dt) / dt
        let bx = born.x - step.x * back, by = born.y - step.y * back
        return zones.axis.progress(x: bx / w, y: by / h) < p0
            && frameDistance(to: .pickup, x: bx / w, y: by / h) <= 0.1
    }

    /// How long an item lifted out of the pickup zone may go unseen.
    static let hiddenLift = 0.25

    /// Items start out in the pickup zone, or next to it (lifted above it towards the customer).
    func isFromPickupSide(_ t: Track) -> Bool {
        t.everPickup || t.bornNearPickup
    }

    /// Worth following as a pass: it came from the pickup side, or it came onto
    /// the scanner from that side (an item may only become visible there, its
    /// colours lost against the basket or the hand until then).
    func qualifies(_ t: Track) -> Bool {
        if isFromPickupSide(t) { return true }
        guard t.scanFrames >= 2 else { return false }
        return t.scanEnterProgress <= scanMidProgress
    }

    /// A pass when the track went forward from the pickup side to the bagging
    /// side (or across the scanner towards it); nil for anything else.
    func makePass(_ t: Track) -> PassObservation? {
        guard qualifies(t), t.maxLaneDistance <= Self.maxLaneDistance else { return nil }
        let axisPixels = zones.axis.pixelLength(width: width, height: height)
        guard t.pathLength >= 0.3 * axisPixels else { return nil }
        let crossedScan = t.scanEnter != nil && t.maxProgress > scanMidProgress
        let reachedBagging = t.baggingReach != nil
        guard reachedBagging || crossedScan else { return nil }
        let path: PassPath = t.scanFrames > 0 ? .overScanner : .aroundScanner
        // Around the scanner only counts from the pickup zone: that is what a missed scan is.
        if path == .aroundScanner && !isFromPickupSide(t) { return nil }
        // Born beside the pickup zone but already level with the scanner's
        // middle (a short lane puts the whole counter within reach of the
        // "next to it" distance): a hand reaching in to the bag, not an item
        // taken around the scanner.
        if path == .aroundScanner && !t.everPickup && t.startProgress >= scanMidProgress { return nil }
        if path == .aroundScanner && accompaniesScannedCarry(t) { return nil }
        // Never seen between the pickup zone and the scanner's far end: it
        // jumped from the basket to past the scanner (a still blob in the
        // basket taken on by something at the bag), so nothing says an item
        // went around the scanner.
        if path == .aroundScanner && !t.seenOnTheWay { return nil }
        // Seen only over the scanner, neither coming from the pickup side nor
        // leaving it towards the bag: something set down on it, or a hand
        // reaching across it, not a carry along the lane.
        if !isFromPickupSide(t) && !reachedBagging && t.maxProgress < scanEndProgress { return nil }
        // Over the scanner and then back the way it came, never at the bag:
        // an item shown and taken back, or a hand reaching to the screen and
        // returning, not a carry along the lane.
        if !reachedBagging && t.maxProgress - t.progress >= Self.turnedBack { return nil }
        let start = t.pickupLast ?? min(t.firstTime, t.scanEnter ?? t.firstTime)
        let end = t.baggingReach ?? t.lastTime
        // Carrying one item across takes seconds; a track lasting far longer
        // joined unrelated things (a resting item, then a hand).
        guard end - start <= Self.maxPassSeconds else { return nil }
        // Counting: the most frequent count near the scanner, preferring larger ones
        // seen in a good share of frames (items overlap and hide each other).
        var count = 1
        var countConf = 0.6
        let votes = t.countVotes
        let total = votes.reduce(0, +)
        if total > 0 {
            for c in stride(from: votes.count - 1, through: 1, by: -1) {
                let share = Double(votes[c...].reduce(0, +)) / Double(total)
                if share >= 0.6 {
                    count = c
                    countConf = min(1, 0.5 + share / 2)
                    break
                }
            }
        }
        let areaScore = min(1, max(0, (t.medianArea / minItemArea - 1) / 2))
        let span = max(t.lastTime - t.firstTime, 1e-3)
        let hitRate = min(1, Double(t.hits) / max(1, Double(t.frames)))
        let conf = min(1, 0.45 * areaScore + 0.35 * hitRate + 0.2 * min(1, span / 0.6))
        var appearance = t.appearanceScan
        if appearance.pixelCount < 150 { appearance.add(t.appearanceAll) }
        stats.passes += 1
        if path == .aroundScanner { stats.aroundPasses += 1 }
        return PassObservation(
            id: t.id, path: path, start: min(start, end), end: end,
            scanEnter: path == .overScanner ? t.scanEnter : nil,
            scanLeave: path == .overScanner ? t.scanLeave : nil,
            itemCount: max(1, count), itemConfidence: conf, countConfidence: countConf,
            appearance: appearance.descriptor(minPixels: 40),
            ends: t.ends.map { $0.descriptor(minPixels: 40) },
            twoArmShare: t.nearScanFrames >= 2 ? Double(t.twoArmFrames) / Double(t.nearScanFrames) : nil, box: t.bestBox ?? lastBox(t),
            itemArea: Self.median(t.scanAreas.isEmpty ? t.areas : t.scanAreas).map { $0 / framePixels },
            underCover: t.bornUnderCover)
    }

    /// Something tracked beside a scanned carry (the arm, the rest of the
    /// hand, the basket's contents changing as the item is lifted and then
    /// taken for what arrives at the bag): it was there when the scanned item
    /// went onto the scanner and reaches the bag just after it, never over the
    /// scanner itself. Not a second carry around the scanner. (A second item
    /// carried around by the other hand at that very moment is missed too.)
    func accompaniesScannedCarry(_ t: Track) -> Bool {
        if t.companion { return true }
        guard let reached = t.baggingReach else { return false }
        t.companion = tracks.contains { o in
            guard o !== t, o.scanFrames > 0, let scanned = o.scanEnter, t.firstTime <= scanned + Self.companionSlack else { return false }
            if o.emitted, let bagged = o.baggingReach {
                return bagged <= reached + Self.companionSlack && reached - bagged <= Self.companionLag && o.lastTime >= reached - 0.1
            }
            // The scanned item's own track, presented at the scanner and lost
            // after it on its way to the bag: what reaches the bag now is that
            // item, taken over by the arm's track. (A fragment that only
            // touched the scanner does not count: the carry around it is real.)
            return o.baggingReach == nil && qualifies(o) && o.maxProgress > scanMidProgress
                && (o.scanLeave ?? scanned) - scanned >= Self.companionPresented && reached - o.lastTime <= Self.companionLag
        }
        return t.companion
    }

    /// Timing of `accompaniesScannedCarry`, in seconds.
    static let companionSlack = 0.3
    static let companionLag = 1.5
    /// How long the scanned track must have been over the scanner when its own arrival at the bag was not seen.
    static let companionPresented = 0.4

    func lastBox(_ t: Track) -> NormalizedRect {
        let (x0, y0, x1, y1) = t.box
        return NormalizedRect(x: Double(x0) / Double(width), y: Double(y0) / Double(height),
                              width: Double(x1 - x0 + 1) / Double(width), height: Double(y1 - y0 + 1) / Double(height))
    }

    static func median(_ a: [Float]) -> Double? {
        guard !a.isEmpty else { return nil }
        return Double(a.sorted()[a.count / 2])
    }

    /// Distinct items in a group: components big enough, with components of the
    /// same look close together merged (fingers across one item split it).
    func countItems(_ g: Group) -> (Int, [AppearanceDescriptor]) {
        let comps = g.components.map { lastStats[$0] }
        let largest = comps.map(\.area).max() ?? 0
        var significant: [Int] = []
        for (k, c) in comps.enumerated() where Double(c.area) >= max(minItemArea * 0.7, 0.22 * Double(largest)) {
            significant.append(g.components[k])
        }
        if significant.count <= 1 { return (1, []) }
        var descriptors: [AppearanceDescriptor?] = []
        for ci in significant {
            var acc = AppearanceAccumulator()
            accumulate(component: ci, into: &acc)
            descriptors.append(acc.descriptor(minPixels: 8))
        }
        var parent = Array(0..<significant.count)
        func find(_ x: Int) -> Int { var r = x; while parent[r] != r { r = parent[r] }; return r }
        for a in 0..<significant.count {
            for b in (a + 1)..<significant.count {
                guard let da = descriptors[a], let db = descriptors[b] else { continue }
                if da.similarity(db) >= 0.7 {
                    let ra = find(a), rb = find(b)
                    if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
                }
            }
        }
        let clusters = Set((0..<significant.count).map(find)).count
        return (clusters, descriptors.compactMap { $0 })
    }

    func accumulateAppearance(_ g: Group, into acc: inout AppearanceAccumulator) {
        for ci in g.components { accumulate(component: ci, into: &acc) }
    }

    /// The colours of the group's two ends along its long axis (`ends[0]`,
    /// `ends[1]`) and its short one (`ends[2]`, `ends[3]`): the pixels more
    /// than `endCut` standard deviations from its centre. Two items carried
    /// together lie side by side, so an end is mostly one of them, where the
    /// whole group's colours drown a small second item. The ends are kept
    /// apart from frame to frame by their colours, not their place, as the
    /// hand turns the carry.
    func accumulateEnds(_ g: Group, into ends: inout [AppearanceAccumulator]) {
        let cx = g.cx, cy = g.cy
        var sxx = 0.0, syy = 0.0, sxy = 0.0, n = 0.0
        for ci in g.components {
            for k in runsByComponent[ci] {
                let r = labeler.runs[k]
                let dy = Double(r.y) - cy
                for x in Int(r.x0)...Int(r.x1) {
                    let dx = Double(x) - cx
                    sxx += dx * dx; syy += dy * dy; sxy += dx * dy; n += 1
                }
            }
        }
        guard n >= 40 else { return }
        let angle = 0.5 * atan2(2 * sxy, sxx - syy)
        let c = cos(angle), s = sin(angle)
        let vMajor = (c * c * sxx + 2 * c * s * sxy + s * s * syy) / n
        let vMinor = (s * s * sxx - 2 * c * s * sxy + c * c * syy) / n
        guard vMajor > 1, vMinor > 1 else { return }
        let kMajor = 1 / (Self.endCut * vMajor.squareRoot()), kMinor = 1 / (Self.endCut * vMinor.squareRoot())
        var frame = [AppearanceAccumulator](repeating: AppearanceAccumulator(), count: 4)
        let ny = model.normY, nu = model.normU, nv = model.normV
        for ci in g.components {
            for k in runsByComponent[ci] {
                let r = labeler.runs[k]
                let dy = Double(r.y) - cy
                let base = Int(r.y) * width
                for x in Int(r.x0)...Int(r.x1) {
                    let dx = Double(x) - cx
                    let a = (dx * c + dy * s) * kMajor, b = (dy * c - dx * s) * kMinor
                    let side = a <= -1 ? 0 : (a >= 1 ? 1 : -1)
                    let across = b <= -1 ? 2 : (b >= 1 ? 3 : -1)
                    guard side >= 0 || across >= 0 else { continue }
                    let i = base + x
                    if side >= 0 { frame[side].add(normY: ny[i], normU: nu[i], normV: nv[i]) }
                    if across >= 0 { frame[across].add(normY: ny[i], normU: nu[i], normV: nv[i]) }
                }
            }
        }
        for first in [0, 2] {
            guard let f0 = frame[first].descriptor(minPixels: 8), let f1 = frame[first + 1].descriptor(minPixels: 8) else { continue }
            // Which end this frame is which end so far: the pairing whose colours agree better.
            var swap = false
            if let e0 = ends[first].descriptor(minPixels: 8), let e1 = ends[first + 1].descriptor(minPixels: 8) {
                swap = f0.similarity(e1) + f1.similarity(e0) > f0.similarity(e0) + f1.similarity(e1)
            }
            ends[first + (swap ? 1 : 0)].add(frame[first])
            ends[first + (swap ? 0 : 1)].add(frame[first + 1])
        }
    }

    /// Where an end begins, in standard deviations from the centre along the
    /// axis: about a third of an evenly filled box's pixels at each end.
    static let endCut = 0.6

    func accumulate(component: Int, into acc: inout AppearanceAccumulator, step: Int = 1) {
        let ny = model.normY, nu = model.normU, nv = model.normV
        for k in runsByComponent[component] {
            let r = labeler.runs[k]
            if step > 1 && Int(r.y) % step != 0 { continue }
            let base = Int(r.y) * width
            for x in stride(from: Int(r.x0), through: Int(r.x1), by: step) {
                let i = base + x
                acc.add(normY: ny[i], normU: nu[i], normV: nv[i])
            }
        }
    }

    /// How many arms reach the item: runs of the customer's body (changed or
    /// shadowed pixels, not item-coloured, on a body blob of `handSample`'s
    /// closed mask, so a dark sleeve read as shadow counts) crossing a line
    /// outside the group's box on the customer's side, a hand's width or more
    /// apart; the fewer of two such lines (`armLines`). One hand holding a
    /// carry is one arm (near the box its thumb and the item's shadow may
    /// cross too, hence lines a little out); two arms there are two hands at it.
    func armsReaching(_ g: Group) -> Int {
        guard let side = customerSide, !handBody.isEmpty else { return 0 }
        let step = max(2, Int((Self.armLineStep * frameW).rounded()))
        let minGap = max(3, Int((Self.armGap * frameW).rounded()))
        let vertical = side >= 2
        let lo = vertical ? max(0, g.minY - step) : max(0, g.minX - step)
        let hi = vertical ? min(height - 1, g.maxY + step) : min(width - 1, g.maxX + step)
        guard lo <= hi else { return 0 }
        var fewest = Int.max
        for k in Self.armLines {
            let d = step * k
            let fixed: Int
            switch side {
            case 0: fixed = g.minY - d
            case 1: fixed = g.maxY + d
            case 2: fixed = g.minX - d
            default: fixed = g.maxX + d
            }
            guard fixed >= 0, fixed < (vertical ? width : height) else { return 0 }
            var runs = 0, sinceArm = Int.max
            for a in lo...hi {
                let i = vertical ? a * width + fixed : fixed * width + a
                let l = handLabel[i]
                if model.labels[i] != 0 && itemMask[i] == 0 && l >= 0 && Int(l) < handBody.count && handBody[Int(l)] {
                    if sinceArm >= minGap { runs += 1 }
                    sinceArm = 0
                } else if sinceArm < Int.max {
                    sinceArm += 1
                }
            }
            fewest = min(fewest, runs)
        }
        return fewest
    }

    /// The lines where arms are counted lie these many `armLineStep`s (frame
    /// widths) outside the item's box. At one and two steps a thumb or the
    /// item's own shadow crossed beside the arm: four scanned single items on
    /// the tuning sessions read two arms in most of their frames over the
    /// scanner; at two and four, one (an item held in both hands).
    static let armLineStep = 0.008
    static let armLines = [2, 4]
    /// Two crossings at least this far apart (frame widths) are two arms.
    static let armGap = 0.02
}
