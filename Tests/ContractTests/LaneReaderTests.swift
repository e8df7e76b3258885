import Foundation
import Testing
@testable import Contract

/// The contract's example lane, one key per line so tests can name lines.
private let baseLines = [
    "{",                                                                                                           // 1
    "  \"store\": \"0042\",",                                                                                      // 2
    "  \"lane\": \"sco-03\",",                                                                                     // 3
    "  \"kind\": \"self_checkout\",",                                                                              // 4
    "  \"source\": \"videos/sco-03.mp4\",",                                                                        // 5
    "  \"zones\": [",                                                                                              // 6
    "    {\"name\": \"basket\",  \"role\": \"pickup\",  \"polygon\": [[0.02,0.16],[0.31,0.16],[0.31,0.84],[0.02,0.84]]},",  // 7
    "    {\"name\": \"scanner\", \"role\": \"scan\",    \"polygon\": [[0.39,0.24],[0.61,0.24],[0.61,0.72],[0.39,0.72]]},",  // 8
    "    {\"name\": \"bag\",     \"role\": \"bagging\", \"polygon\": [[0.69,0.12],[0.98,0.12],[0.98,0.86],[0.69,0.86]]}",   // 9
    "  ],",                                                                                                        // 10
    "  \"rules\": {\"scan_window_s\": 2.5, \"clock_offset_s\": -1.5}",                                             // 11
    "}",                                                                                                           // 12
]

private func laneJSON(_ replacements: [Int: String] = [:]) -> Data {
    var lines = baseLines
    for (n, text) in replacements { lines[n - 1] = text }
    return Data(lines.joined(separator: "\n").utf8)
}

private func parseJSON(_ replacements: [Int: String]) -> InputError? {
    expectInputError { () throws(InputError) in try LaneReader.parse(data: laneJSON(replacements), fileName: "lane.json", isYAML: false) }
}

private func parseYAML(_ text: String) -> InputError? {
    expectInputError { () throws(InputError) in try LaneReader.parse(data: Data(text.utf8), fileName: "lane.yaml", isYAML: true) }
}

private let goodYAML = """
# Lane 3, self-checkout
store: 0042
lane: sco-03
kind: self_checkout
source: rtsp://127.0.0.1:8554/sco-03
zones:
  - name: basket
    role: pickup
    polygon: [[0.02, 0.16], [0.31, 0.16], [0.31, 0.84], [0.02, 0.84]]
  - name: scanner
    role: scan
    polygon:
      - [0.39, 0.24]
      - [0.61, 0.24]
      - [0.61, 0.72]
      - [0.39, 0.72]
  - {name: bag, role: bagging, polygon: [[0.69,0.12],[0.98,0.12],[0.98,0.86],[0.69,0.86]]}
rules:
  occlusion_min_s: 4
  clock_offset_s: null

"""

@Suite struct LaneReaderTests {
    @Test func readsTheContractExampleAsJSON() throws {
        let lane = try LaneReader.parse(data: laneJSON(), fileName: "lane.json", isYAML: false)
        #expect(lane.store == "0042")
        #expect(lane.lane == "sco-03")
        #expect(lane.kind == .selfCheckout)
        #expect(lane.source == "videos/sco-03.mp4")
        #expect(lane.zones.map(\.name) == ["basket", "scanner", "bag"])
        #expect(lane.zones.map(\.role) == [.pickup, .scan, .bagging])
        #expect(lane.zones[1].polygon[2] == NormalizedPoint(x: 0.61, y: 0.72))
        #expect(lane.rules.scanWindow == 2.5)
        #expect(lane.rules.clockOffset == -1.5)
        #expect(lane.rules.occlusionMin == RuleSettings().occlusionMin)
    }

    @Test func readsTheSameLaneFromYAML() throws {
        let lane = try LaneReader.parse(data: Data(goodYAML.utf8), fileName: "lane.yaml", isYAML: true)
        #expect(lane.store == "0042")  // unquoted, still the string with its zeros
        #expect(lane.source == "rtsp://127.0.0.1:8554/sco-03")
        #expect(lane.zones.map(\.name) == ["basket", "scanner", "bag"])
        #expect(lane.zones[1].polygon == [NormalizedPoint(x: 0.39, y: 0.24), NormalizedPoint(x: 0.61, y: 0.24),
                                          NormalizedPoint(x: 0.61, y: 0.72), NormalizedPoint(x: 0.39, y: 0.72)])
        #expect(lane.rules.occlusionMin == 4)
        #expect(lane.rules.clockOffset == nil)
    }

    @Test func readsFilesByExtensionAndResolvesSource() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let jsonURL = try dir.write("lanes/sco-03.json", laneJSON())
        let lane = try LaneReader.read(url: jsonURL)
        #expect(lane.fileURL == jsonURL.standardizedFileURL)
        #expect(lane.resolvedSource() == dir.url.appendingPathComponent("lanes/videos/sco-03.mp4").standardizedFileURL.path)

        let yamlURL = try dir.write("lanes/sco-03.yml", goodYAML)
        let yamlLane = try LaneReader.read(url: yamlURL)
        #expect(yamlLane.resolvedSource() == "rtsp://127.0.0.1:8554/sco-03")

        var absolute = lane
        absolute.source = "/data/video.mp4"
        #expect(absolute.resolvedSource() == "/data/video.mp4")
        absolute.fileURL = nil
        absolute.source = "video.mp4"
        #expect(absolute.resolvedSource() == "video.mp4")
    }

    @Test func jsonTabsAndSurrogatePairsAreFine() throws {
        let text = "{\n\t\"store\":\t\"0042\",\n\t\"lane\": \"sco-\\ud83d\\ude00\", \"kind\": \"cashier\",\n\t\"zones\": [{\"name\":\"s\",\"role\":\"scan\",\"polygon\":[[0,0],[1,0],[1,1]]}]\n}"
        let lane = try LaneReader.parse(data: Data(text.utf8), fileName: "lane.json", isYAML: false)
        #expect(lane.lane == "sco-😀")
        #expect(lane.kind == .cashier)
    }

    @Test func missingFile() {
        let e = expectInputError { () throws(InputError) in try LaneReader.read(url: URL(fileURLWithPath: "/nonexistent/lane.json")) }
        #expect(e?.description == "/nonexistent/lane.json: no such file")
    }

    @Test func jsonSyntaxErrorHasLineAndColumn() {
        let e = parseJSON([3: "  \"lane\": \"sco-03\""])  // missing comma
        #expect(e?.line == 4)
        #expect(e?.column == 3)
        #expect(e?.description == "lane.json:4:3: invalid JSON: expected ',' or '}' after the value of 'lane', found '\"'")
    }

    @Test func jsonDuplicateKey() {
        let e = parseJSON([3: "  \"store\": \"0043\","])
        #expect(e?.line == 3)
        #expect(e?.message == "invalid JSON: duplicate key 'store'")
    }

    @Test func yamlSyntaxErrorHasLine() {
        let e = parseYAML("store: \"0042\"\nlane: [sco-03\nkind: cashier\n")
        #expect(e?.file == "lane.yaml")
        #expect((e?.line ?? 0) >= 2)
        #expect(e?.message.hasPrefix("invalid YAML:") == true)
    }

    @Test func missingRequiredKey() {
        let e = parseJSON([2: ""])
        #expect(e?.description == "lane.json:1:1: store: required key 'store' is missing")
        let z = parseYAML("store: '1'\nlane: a\nkind: cashier\n")
        #expect(z?.field == "zones")
        #expect(z?.line == 1)
    }

    @Test func wrongTypes() {
        let e = parseJSON([6: "  \"zones\": {\"basket\": [", 9: "    {}]", 10: "  },"])
        #expect(e?.field == "zones")
        #expect(e?.line == 6)
        #expect(e?.column == 12)
        #expect(e?.message == "expected an array, got an object")

        let s = parseJSON([2: "  \"store\": 42,"])
        #expect(s?.field == "store")
        #expect(s?.message == "expected a string, got a number")

        let p = parseJSON([8: "    {\"name\": \"scanner\", \"role\": \"scan\", \"polygon\": [[0.39,0.24],\"0.61,0.24\",[0.61,0.72]]},"])
        #expect(p?.field == "zones[1].polygon[1]")
        #expect(p?.line == 8)
        #expect(p?.message == "expected an array, got a string")
    }

    @Test func kindMustBeKnown() {
        let e = parseJSON([4: "  \"kind\": \"self-checkout\","])
        #expect(e?.description == "lane.json:4:11: kind: 'self-checkout' is not one of self_checkout, cashier")
    }

    @Test func unknownTopLevelKey() {
        let e = parseJSON([5: "  \"sorce\": \"x.mp4\","])
        #expect(e?.line == 5)
        #expect(e?.field == "sorce")
        #expect(e?.message == "unknown key 'sorce'; valid keys: store, lane, kind, source, zones, rules")
    }

    @Test func unknownZoneKey() {
        let e = parseJSON([7: "    {\"name\": \"basket\", \"role\": \"pickup\", \"colour\": 1, \"polygon\": [[0,0],[1,0],[1,1]]},"])
        #expect(e?.field == "zones[0].colour")
        #expect(e?.line == 7)
    }

    @Test func zoneRoleMustBeKnown() {
        let e = parseJSON([8: "    {\"name\": \"scanner\", \"role\": \"scanner\", \"polygon\": [[0.39,0.24],[0.61,0.24],[0.61,0.72]]},"])
        #expect(e?.field == "zones[1].role")
        #expect(e?.line == 8)
        #expect(e?.message == "'scanner' is not one of pickup, scan, bagging, customer, cashier, drawer, ignore")
    }

    @Test func polygonNeedsThreePoints() {
        let e = parseJSON([8: "    {\"name\": \"scanner\", \"role\": \"scan\", \"polygon\": [[0.39,0.24],[0.61,0.24]]},"])
        #expect(e?.description == "lane.json:8:52: zones[1].polygon: a polygon needs at least 3 points, this one has 2")
    }

    @Test func pointsAreNormalized() {
        let e = parseJSON([9: "    {\"name\": \"bag\", \"role\": \"bagging\", \"polygon\": [[0.69,0.12],[1.2,0.12],[0.98,0.86]]}"])
        #expect(e?.field == "zones[2].polygon[1][0]")
        #expect(e?.line == 9)
        #expect(e?.message == "x is 1.2; coordinates are normalized to [0, 1] of the frame")

        let three = parseJSON([9: "    {\"name\": \"bag\", \"role\": \"bagging\", \"polygon\": [[0.69,0.12,0],[0.98,0.12],[0.98,0.86]]}"])
        #expect(three?.field == "zones[2].polygon[0]")
        #expect(three?.message == "a point is [x, y], this one has 3 values")

        let text = parseJSON([9: "    {\"name\": \"bag\", \"role\": \"bagging\", \"polygon\": [[0.69,0.12],[0.98,\"top\"],[0.98,0.86]]}"])
        #expect(text?.field == "zones[2].polygon[1][1]")
        #expect(text?.message == "expected a number, got a string")
    }

    @Test func tinyOverflowIsClamped() throws {
        let data = laneJSON([9: "    {\"name\": \"bag\", \"role\": \"bagging\", \"polygon\": [[0.69,-0.0000005],[1.0000005,0.12],[0.98,0.86]]}"])
        let lane = try LaneReader.parse(data: data, fileName: "lane.json", isYAML: false)
        #expect(lane.zones[2].polygon[0].y == 0)
        #expect(lane.zones[2].polygon[1].x == 1)
    }

    @Test func degeneratePolygon() {
        let e = parseJSON([8: "    {\"name\": \"scanner\", \"role\": \"scan\", \"polygon\": [[0.1,0.1],[0.2,0.2],[0.3,0.3]]},"])
        #expect(e?.field == "zones[1].polygon")
        #expect(e?.message == "the polygon has no area (its points are repeated or on one line)")
    }

    @Test func zoneNamesAreUnique() {
        let e = parseJSON([9: "    {\"name\": \"basket\", \"role\": \"bagging\", \"polygon\": [[0.69,0.12],[0.98,0.12],[0.98,0.86]]}"])
        #expect(e?.description == "lane.json:9:14: zones[2].name: zone name 'basket' is already used by zones[0]; names must be unique")
    }

    @Test func selfCheckoutNeedsPickupScanAndBagging() {
        let e = parseJSON([9: "    {\"name\": \"bag\", \"role\": \"customer\", \"polygon\": [[0.69,0.12],[0.98,0.12],[0.98,0.86]]}"])
        #expect(e?.field == "zones")
        #expect(e?.line == 6)
        #expect(e?.message == "a self_checkout lane needs at least one zone with role 'bagging'")
    }

    @Test func unknownRuleListsTheValidOnes() {
        let e = parseJSON([11: "  \"rules\": {\"scan_windw_s\": 2.5}"])
        #expect(e?.line == 11)
        #expect(e?.column == 13)
        #expect(e?.field == "rules.scan_windw_s")
        #expect(e?.message == "unknown rule 'scan_windw_s'; valid rules: " + RuleSettings.allKeyNames.joined(separator: ", "))
        #expect(e?.message.contains("clock_offset_s") == true)
    }

    @Test func ruleValuesAreNumbersInRange() {
        let e = parseJSON([11: "  \"rules\": {\"scan_window_s\": 45}"])
        #expect(e?.description == "lane.json:11:30: rules.scan_window_s: must be between 0.1 and 30, got 45")
        let s = parseJSON([11: "  \"rules\": {\"min_confidence\": \"high\"}"])
        #expect(s?.field == "rules.min_confidence")
        #expect(s?.message == "expected a number, got a string")
        let o = parseYAML(goodYAML.replacingOccurrences(of: "clock_offset_s: null", with: "clock_offset_s: 90"))
        #expect(o?.field == "rules.clock_offset_s")
        #expect(o?.line == 20)
        #expect(o?.message == "must be between -60 and 60, got 90")
    }

    @Test func yamlErrorsNameLines() {
        let e = parseYAML(goodYAML.replacingOccurrences(of: "role: scan\n", with: "role: scam\n"))
        #expect(e?.description == "lane.yaml:11:11: zones[1].role: 'scam' is not one of pickup, scan, bagging, customer, cashier, drawer, ignore")
        let p = parseYAML(goodYAML.replacingOccurrences(of: "      - [0.61, 0.72]\n", with: "      - [0.61, 7.2]\n"))
        #expect(p?.field == "zones[1].polygon[2][1]")
        #expect(p?.line == 15)
        let dup = parseYAML(goodYAML.replacingOccurrences(of: "lane: sco-03\n", with: "lane: sco-03\nlane: sco-04\n"))
        #expect(dup?.message.contains("duplicate key 'lane'") == true)
        #expect(dup?.line ?? 0 > 0)
    }

    @Test func notUTF8() {
        var bytes = Array("store: a\nlane: b\n".utf8)
        bytes.insert(0xFF, at: 11)
        let e = expectInputError { () throws(InputError) in try LaneReader.parse(data: Data(bytes), fileName: "lane.yaml", isYAML: true) }
        #expect(e?.line == 2)
        #expect(e?.message == "the file is not valid UTF-8 text")
    }

    @Test func errorDescriptionFormat() {
        let e = InputError(file: "lane.json", line: 7, column: 12, field: "zones[1].polygon", message: "bad")
        #expect(e.description == "lane.json:7:12: zones[1].polygon: bad")
        #expect(InputError(file: "x.json", line: 0, message: "no such file").description == "x.json: no such file")
    }
}
