import Foundation
import LaneCore
import Testing
@testable import Contract

@Suite struct CatalogReaderTests {
    @Test func readsItemsAndResolvesImages() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        try dir.write("shop/refs/4011.png", Data([0x89, 0x50]))
        try dir.write("shop/refs/0007.png", Data([0x89, 0x50]))
        let url = try dir.write("shop/catalog.json", """
        {"items":[
          {"sku":"4011","barcode":"4011","description":"Apple (each)","unit_price":0.55,"images":["refs/4011.png"],"colour":"red"},
          {"sku":"0007123456789","description":"Art print","unit_price":19.99,"weight_g":120,"images":["./refs/0007.png"]},
          {"sku":"99"}
        ]}
        """)
        let catalog = try CatalogReader.read(url: url)
        #expect(catalog.items.count == 3)
        let apple = try #require(catalog.item(sku: "4011"))
        #expect(apple.barcode == "4011")
        #expect(apple.description == "Apple (each)")
        #expect(apple.unitPrice == 0.55)
        #expect(apple.images == [dir.url.appendingPathComponent("shop/refs/4011.png").standardizedFileURL])
        let print = try #require(catalog.item(sku: "0007123456789"))
        #expect(print.weightGrams == 120)
        #expect(print.images.first?.path == dir.url.appendingPathComponent("shop/refs/0007.png").standardizedFileURL.path)
        #expect(catalog.item(sku: "99")?.images == [])
    }

    @Test func missingImageIsAnErrorNamingIt() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let url = try dir.write("catalog.json", "{\"items\":[\n  {\"sku\":\"4011\",\"images\":[\"refs/4011.png\"]}\n]}")
        let e = expectInputError { () throws(InputError) in try CatalogReader.read(url: url) }
        #expect(e?.line == 2)
        #expect(e?.column == 27)
        #expect(e?.field == "items[0].images[0]")
        #expect(e?.message.hasPrefix("image file 'refs/4011.png' not found (looked for ") == true)
        #expect(e?.message.hasSuffix("/refs/4011.png)") == true)
    }

    @Test func skuIsRequiredAndUnique() {
        let missing = expectInputError { () throws(InputError) in
            try CatalogReader.parse(data: Data("{\"items\":[\n{\"sku\":\"1\"},\n{\"barcode\":\"2\"}]}".utf8), fileName: "catalog.json", baseURL: nil)
        }
        #expect(missing?.description == "catalog.json:3:1: items[1].sku: required key 'sku' is missing")
        let dup = expectInputError { () throws(InputError) in
            try CatalogReader.parse(data: Data("{\"items\":[\n{\"sku\":\"1\"},\n{\"sku\":\"1\"}]}".utf8), fileName: "catalog.json", baseURL: nil)
        }
        #expect(dup?.description == "catalog.json:3:8: items[1].sku: sku '1' is already used by items[0]; skus must be unique")
        let items = expectInputError { () throws(InputError) in
            try CatalogReader.parse(data: Data("{\"products\":[]}".utf8), fileName: "catalog.json", baseURL: nil)
        }
        #expect(items?.field == "items")
    }
}

private let incidentA = Incident(
    id: "0042-sco-03-000017", type: .fakeScan, store: "0042", lane: "sco-03", transaction: "T1001",
    start: ISOTime.parseEpochSeconds("2026-11-02T09:03:26.697Z")!, end: ISOTime.parseEpochSeconds("2026-11-02T09:03:28.123Z")!,
    confidence: 0.91, details: IncidentDetails(scanned: [], itemsSeen: 1),
    evidence: IncidentEvidence(keyframes: ["evidence/0042-sco-03-000017/1.jpg"], clip: "evidence/0042-sco-03-000017/clip.mp4"))

private let incidentB = Incident(
    id: "0042-sco-03-000016", type: .occlusion, store: "0042", lane: "sco-03", transaction: nil,
    start: ISOTime.parseEpochSeconds("2026-11-02T09:03:01.000Z")!, end: ISOTime.parseEpochSeconds("2026-11-02T09:03:05.500Z")!,
    confidence: 0.75, details: IncidentDetails(blocked: "scan_zone", coverage: 0.82, clockOffsetS: -1.25))

@Suite struct IncidentsFileTests {
    @Test func encodesTheContractsKeysInOrderSortedByStart() {
        let text = String(decoding: IncidentsFile.encode([incidentA, incidentB]), as: UTF8.self)
        let expected = """
        {
          "incidents": [
            {
              "id": "0042-sco-03-000016",
              "type": "occlusion",
              "store": "0042",
              "lane": "sco-03",
              "transaction": null,
              "start": "2026-11-02T09:03:01.000Z",
              "end": "2026-11-02T09:03:05.500Z",
              "confidence": 0.75,
              "details": {
                "scanned": [],
                "blocked": "scan_zone",
                "coverage": 0.82,
                "clock_offset_s": -1.25
              },
              "evidence": {
                "keyframes": [],
                "clip": null
              }
            },
            {
              "id": "0042-sco-03-000017",
              "type": "fake_scan",
              "store": "0042",
              "lane": "sco-03",
              "transaction": "T1001",
              "start": "2026-11-02T09:03:26.697Z",
              "end": "2026-11-02T09:03:28.123Z",
              "confidence": 0.91,
              "details": {
                "scanned": [],
                "items_seen": 1
              },
              "evidence": {
                "keyframes": ["evidence/0042-sco-03-000017/1.jpg"],
                "clip": "evidence/0042-sco-03-000017/clip.mp4"
              }
            }
          ]
        }

        """
        #expect(text == expected)
        #expect(String(decoding: IncidentsFile.encode([]), as: UTF8.self) == "{\n  \"incidents\": []\n}\n")
    }

    @Test func outputIsValidJSONForFoundation() throws {
        var odd = incidentA
        odd.details = IncidentDetails(scanned: ["a\"b\\c\n\u{01}é"], path: "over_scanner", dwellS: 1e-7,
                                      seenLike: "4011", similarityScanned: 0.2, similaritySeen: 0.9)
        let data = IncidentsFile.encode([odd])
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let first = (object?["incidents"] as? [[String: Any]])?.first
        #expect((first?["details"] as? [String: Any])?["scanned"] as? [String] == ["a\"b\\c\n\u{01}é"])
        #expect((first?["details"] as? [String: Any])?["dwell_s"] as? Double == 1e-7)
    }

    @Test func roundTrips() throws {
        var full = incidentA
        full.details = IncidentDetails(scanned: ["4011", "0007123456789"], itemsSeen: 2, path: "around_scanner", dwellS: 0.4,
                                       seenLike: "0007123456789", similarityScanned: 0.31, similaritySeen: 0.88,
                                       blocked: nil, coverage: nil, clockOffsetS: 1.5)
        let decoded = try IncidentsFile.decode(data: IncidentsFile.encode([full, incidentB]), fileName: "incidents.json")
        #expect(decoded == [incidentB, full])
    }

    @Test func decodeErrorsNameLineAndField() {
        let text = String(decoding: IncidentsFile.encode([incidentA]), as: UTF8.self)
            .replacingOccurrences(of: "\"fake_scan\"", with: "\"fakescan\"")
        let e = expectInputError { () throws(InputError) in try IncidentsFile.decode(data: Data(text.utf8), fileName: "incidents.json") }
        #expect(e?.line == 5)
        #expect(e?.field == "incidents[0].type")
        #expect(e?.message.hasPrefix("'fakescan' is not one of missed_scan, fake_scan,") == true)

        let time = String(decoding: IncidentsFile.encode([incidentA]), as: UTF8.self)
            .replacingOccurrences(of: "\"2026-11-02T09:03:28.123Z\"", with: "\"09:03:28\"")
        let t = expectInputError { () throws(InputError) in try IncidentsFile.decode(data: Data(time.utf8), fileName: "incidents.json") }
        #expect(t?.line == 10)
        #expect(t?.field == "incidents[0].end")
    }
}

private let truthJSON = """
{
  "format": "lanesight-truth/1",
  "store": "0042",
  "lane": "sco-03",
  "video_start": "2026-11-02T09:00:00.000Z",
  "clock_offset_s": 1.7,
  "passes": 120,
  "transactions": 9,
  "incidents": [
    {"type": "missed_scan", "start": "2026-11-02T09:01:00.000Z", "end": "2026-11-02T09:01:02.500Z", "transaction": "T1", "note": "around the scanner"},
    {"type": "occlusion", "start": "2026-11-02T09:05:00.000Z", "end": "2026-11-02T09:05:04.000Z"}
  ],
  "events": [
    {"kind": "pass", "start": "2026-11-02T09:00:10.000Z", "end": "2026-11-02T09:00:12.000Z", "items": 1, "skus": ["4011"], "scanned": ["4011"], "path": "over_scanner"},
    {"kind": "empty_hand", "start": "2026-11-02T09:00:20.000Z", "end": "2026-11-02T09:00:21.000Z"}
  ]
}
"""

@Suite struct TruthReaderTests {
    @Test func readsEveryField() throws {
        let t = try TruthReader.parse(data: Data(truthJSON.utf8), fileName: "truth.json")
        #expect(t.format == "lanesight-truth/1")
        #expect(t.store == "0042")
        #expect(t.videoStart == "2026-11-02T09:00:00.000Z")
        #expect(t.clockOffsetS == 1.7)
        #expect(t.passes == 120)
        #expect(t.transactions == 9)
        #expect(t.incidents == [
            TruthIncident(type: "missed_scan", start: "2026-11-02T09:01:00.000Z", end: "2026-11-02T09:01:02.500Z", transaction: "T1", note: "around the scanner"),
            TruthIncident(type: "occlusion", start: "2026-11-02T09:05:00.000Z", end: "2026-11-02T09:05:04.000Z"),
        ])
        #expect(t.events[0] == TruthEvent(kind: "pass", start: "2026-11-02T09:00:10.000Z", end: "2026-11-02T09:00:12.000Z",
                                          items: 1, skus: ["4011"], scanned: ["4011"], path: "over_scanner"))
        #expect(t.events[1].items == nil)
        // Agrees with the Codable path.
        #expect(try JSONDecoder().decode(TruthFile.self, from: Data(truthJSON.utf8)) == t)
    }

    @Test func errorsNameLineAndField() {
        func err(_ from: String, _ to: String) -> InputError? {
            expectInputError { () throws(InputError) in
                try TruthReader.parse(data: Data(truthJSON.replacingOccurrences(of: from, with: to).utf8), fileName: "truth.json")
            }
        }
        let passes = err("\"passes\": 120,", "")
        #expect(passes?.field == "passes")
        #expect(passes?.message == "required key 'passes' is missing")
        let frac = err("\"passes\": 120", "\"passes\": 12.5")
        #expect(frac?.description == "truth.json:7:13: passes: expected a whole number, got 12.5")
        let type = err("\"occlusion\"", "\"blocked\"")
        #expect(type?.line == 11)
        #expect(type?.field == "incidents[1].type")
        let order = err("\"end\": \"2026-11-02T09:05:04.000Z\"", "\"end\": \"2026-11-02T09:04:04.000Z\"")
        #expect(order?.field == "incidents[1].end")
        #expect(order?.message == "the end is before the start")
        let format = err("lanesight-truth/1", "lanesight-truth/9")
        #expect(format?.line == 2)
        #expect(format?.message == "unsupported format 'lanesight-truth/9'; this version reads 'lanesight-truth/1'")
    }

    @Test func readsFromAFile() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let url = try dir.write("truth.json", truthJSON)
        #expect(try TruthReader.read(url: url).passes == 120)
    }
}
