import Foundation

/// Reads and validates a lane file (`lane.json`, or YAML with the same keys).
public enum LaneReader {
    public static let topLevelKeys = ["store", "lane", "kind", "source", "zones", "rules"]
    public static let zoneKeys = ["name", "role", "polygon"]
    /// Coordinates may stray this far outside [0, 1] (rounding in tools that write them); they are clamped.
    public static let coordinateEpsilon = 1e-6
    /// Range of the optional-valued `clock_offset_s` rule.
    public static let clockOffsetRange: ClosedRange<Double> = -60...60

    public static func read(url: URL) throws(InputError) -> Lane {
        let data = try DocumentParser.readFile(url)
        var lane = try parse(data: data, fileName: DocumentParser.displayName(url),
                             isYAML: DocumentParser.looksLikeYAML(url: url, data: data))
        lane.fileURL = url.standardizedFileURL
        return lane
    }

    public static func parse(data: Data, fileName: String, isYAML: Bool) throws(InputError) -> Lane {
        let root = Field(node: try DocumentParser.parse(data: data, fileName: fileName, isYAML: isYAML), path: "", file: fileName)
        let obj = try root.object()
        try obj.rejectUnknown(topLevelKeys)

        let store = try obj.required("store").nonEmptyString()
        let laneID = try obj.required("lane").nonEmptyString()
        let kind = try obj.required("kind").enumValue(LaneKind.self)
        var source: String? = nil
        if let f = obj.optional("source") { source = try f.nonEmptyString() }

        let zonesField = try obj.required("zones")
        let zoneFields = try zonesField.array()
        if zoneFields.isEmpty { throw zonesField.fail("a lane needs at least one zone") }
        var zones: [Zone] = []
        var firstUse: [String: Int] = [:]
        for (index, zf) in zoneFields.enumerated() {
            let zobj = try zf.object()
            try zobj.rejectUnknown(zoneKeys)
            let nameField = try zobj.required("name")
            let name = try nameField.nonEmptyString()
            if let earlier = firstUse[name] {
                throw nameField.fail("zone name '\(name)' is already used by zones[\(earlier)]; names must be unique")
            }
            firstUse[name] = index
            let role = try zobj.required("role").enumValue(ZoneRole.self)
            let polygon = try readPolygon(try zobj.required("polygon"))
            zones.append(Zone(name: name, role: role, polygon: polygon))
        }
        if kind == .selfCheckout {
            for role in [ZoneRole.pickup, .scan, .bagging] where !zones.contains(where: { $0.role == role }) {
                throw zonesField.fail("a self_checkout lane needs at least one zone with role '\(role.rawValue)'")
            }
        }

        var rules = RuleSettings()
        if let rf = obj.optional("rules") {
            rules = try readRules(rf)
        }
        return Lane(store: store, lane: laneID, kind: kind, source: source, zones: zones, rules: rules)
    }

    static func readPolygon(_ field: Field) throws(InputError) -> [NormalizedPoint] {
        let pts = try field.array()
        guard pts.count >= 3 else {
            throw field.fail("a polygon needs at least 3 points, this one has \(pts.count)")
        }
        let lo = -coordinateEpsilon, hi = 1 + coordinateEpsilon
        var out: [NormalizedPoint] = []
        for pf in pts {
            let xy = try pf.array()
            guard xy.count == 2 else { throw pf.fail("a point is [x, y], this one has \(xy.count) values") }
            var p = NormalizedPoint(x: 0, y: 0)
            for (k, cf) in xy.enumerated() {
                let v = try cf.number()
                guard v >= lo, v <= hi else {
                    throw cf.fail("\(k == 0 ? "x" : "y") is \(Field.format(v)); coordinates are normalized to [0, 1] of the frame")
                }
                let clamped = min(1, max(0, v))
                if k == 0 { p.x = clamped } else { p.y = clamped }
            }
            out.append(p)
        }
        var twiceArea = 0.0
        for k in out.indices {
            let a = out[k], b = out[(k + 1) % out.count]
            twiceArea += a.x * b.y - b.x * a.y
        }
        if abs(twiceArea) / 2 <= 1e-9 {
            throw field.fail("the polygon has no area (its points are repeated or on one line)")
        }
        return out
    }

    static func readRules(_ field: Field) throws(InputError) -> RuleSettings {
        let obj = try field.object()
        try obj.rejectUnknown(RuleSettings.allKeyNames, what: "rule")
        var rules = RuleSettings()
        for key in RuleSettings.keys {
            guard let m = obj.member(key.name) else { continue }
            let f = field.child(key.name, m.value)
            key.set(&rules, try f.number(in: key.range))
        }
        if let f = obj.optional("clock_offset_s") {
            rules.clockOffset = try f.number(in: clockOffsetRange)
        }
        return rules
    }
}

extension Lane {
    /// `source` made usable: a relative path resolved against the lane file's
    /// folder, absolute paths and URLs (`rtsp://`, `http://`, `file://`…) unchanged.
    public func resolvedSource() -> String? {
        guard let source else { return nil }
        if source.contains("://") || source.hasPrefix("/") { return source }
        var path = source
        if path.hasPrefix("~") { path = (path as NSString).expandingTildeInPath }
        if path.hasPrefix("/") { return path }
        guard let fileURL else { return source }
        return fileURL.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
    }
}
