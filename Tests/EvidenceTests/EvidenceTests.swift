import Contract
import Foundation
import LaneCore
import MediaIO
import Testing
@testable import Evidence

func tempDirectory(_ name: String = #function) -> URL {
    let clean = name.filter { $0.isLetter || $0.isNumber }
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("lanesight-evidence-\(clean)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

let laneZones = [
    ZoneOverlay(name: "basket", role: .pickup, polygon: [.init(x: 0.02, y: 0.16), .init(x: 0.31, y: 0.16), .init(x: 0.31, y: 0.84), .init(x: 0.02, y: 0.84)]),
    ZoneOverlay(name: "scanner", role: .scan, polygon: [.init(x: 0.39, y: 0.24), .init(x: 0.61, y: 0.24), .init(x: 0.61, y: 0.72), .init(x: 0.39, y: 0.72)]),
    ZoneOverlay(name: "bag", role: .bagging, polygon: [.init(x: 0.69, y: 0.12), .init(x: 0.98, y: 0.12), .init(x: 0.98, y: 0.86), .init(x: 0.69, y: 0.86)]),
]

func pixel(_ img: RGBImage, _ x: Int, _ y: Int) -> (Int, Int, Int) {
    let i = 3 * (y * img.width + x)
    return (Int(img.pixels[i]), Int(img.pixels[i + 1]), Int(img.pixels[i + 2]))
}

@Suite struct KeyframeRendererTests {
    let grey = RGBImage(width: 640, height: 360, fill: (128, 128, 128))
    let annotation = KeyframeAnnotation(
        zones: laneZones,
        boxes: [BoxOverlay(rect: NormalizedRect(x: 0.45, y: 0.4, width: 0.1, height: 0.15), label: "item 1")],
        caption: "fake_scan 09:03:26.697 conf 0.91")

    @Test func jpegDecodesAtTheImageSize() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (w, h) in [(640, 360), (320, 180), (1280, 720), (101, 77)] {
            let img = RGBImage(width: w, height: h, fill: (30, 160, 90))
            let data = try OpenCVKeyframeRenderer().jpeg(img, annotation: annotation, quality: 80)
            #expect(data.starts(with: [0xFF, 0xD8, 0xFF]))
            let url = dir.appendingPathComponent("k\(w).jpg")
            try data.write(to: url)
            let back = try ImageFile.read(url)
            #expect(back.rgb.width == w && back.rgb.height == h)
        }
    }

    @Test func drawsZonesByRoleBoxesAndCaption() throws {
        let out = try OpenCVKeyframeRenderer().render(grey, annotation: annotation)
        // Inside the scan zone, away from its label and the box: tinted towards yellow.
        let scan = pixel(out, Int(0.42 * 640), Int(0.68 * 360))
        #expect(scan.0 > 128 && scan.1 > 128 && scan.2 < 128)
        // Inside the bagging zone: towards green.
        let bag = pixel(out, Int(0.85 * 640), Int(0.7 * 360))
        #expect(bag.1 > bag.0 && bag.1 > bag.2)
        // Pickup: towards blue.
        let pick = pixel(out, Int(0.15 * 640), Int(0.7 * 360))
        #expect(pick.2 > pick.0)
        // The box's left edge is red.
        let edge = pixel(out, Int((0.45 * 640).rounded()), Int(0.5 * 360))
        #expect(edge.0 > 180 && edge.1 < 120)
        // The caption banner darkens the top rows; outside every overlay nothing changes.
        #expect(pixel(out, 600, 4).0 < 80)
        #expect(pixel(out, 225, 345) == (128, 128, 128))
        // The input is untouched (value semantics).
        #expect(pixel(grey, 600, 4) == (128, 128, 128))
    }

    @Test func acceptsTextOpenCVCannotDraw() throws {
        let a = KeyframeAnnotation(zones: [], boxes: [BoxOverlay(rect: .init(x: 0.9, y: 0.9, width: 0.5, height: 0.5), label: "Crème brûlée ✓")],
                                   caption: "wrong_scan — café")
        let data = try OpenCVKeyframeRenderer().jpeg(grey, annotation: a, quality: 90)
        #expect(!data.isEmpty)
        #expect(Canvas.ascii("Crème ✓") == "Cr?me ?")
    }

    @Test func degenerateOverlaysDoNotFail() throws {
        let a = KeyframeAnnotation(
            zones: [ZoneOverlay(name: "line", role: .ignore, polygon: [.init(x: 0, y: 0), .init(x: 1, y: 1)]),
                    ZoneOverlay(name: "", role: .customer, polygon: []),
                    ZoneOverlay(name: "outside", role: .drawer, polygon: [.init(x: -1, y: -1), .init(x: 2, y: -1), .init(x: 2, y: 2)])],
            boxes: [BoxOverlay(rect: .init(x: 0, y: 0, width: 0, height: 0), label: "")], caption: "")
        _ = try OpenCVKeyframeRenderer().jpeg(RGBImage(width: 8, height: 8), annotation: a, quality: 50)
    }

    @Test func badQualityIsAnError() {
        #expect(throws: EvidenceError.self) { try OpenCVKeyframeRenderer().jpeg(grey, annotation: .init(), quality: 0) }
        #expect(throws: EvidenceError.self) { try OpenCVKeyframeRenderer().jpeg(grey, annotation: .init(), quality: 101) }
    }
}

struct FailingRenderer: KeyframeRenderer {
    struct Boom: Error {}
    func jpeg(_ image: RGBImage, annotation: KeyframeAnnotation, quality: Int) throws -> Data { throw Boom() }
}

@Suite struct EvidenceWriterTests {
    @Test func layout() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = EvidenceWriter(outputDirectory: dir)
        let id = "0042-sco-03-000017"
        let frames = (0..<3).map { i in
            (RGBImage(width: 320, height: 180, fill: (UInt8(50 * i), 100, 100)), KeyframeAnnotation(zones: laneZones, caption: "frame \(i)"))
        }
        let paths = try writer.writeKeyframes(incidentID: id, frames: frames)
        #expect(paths == ["evidence/\(id)/1.jpg", "evidence/\(id)/2.jpg", "evidence/\(id)/3.jpg"])
        for p in paths {
            let img = try ImageFile.read(dir.appendingPathComponent(p))
            #expect(img.rgb.width == 320 && img.rgb.height == 180)
        }
        let clip = writer.clipPath(incidentID: id)
        #expect(clip.relative == "evidence/\(id)/clip.mp4")
        #expect(clip.absolute.path == dir.appendingPathComponent("evidence/\(id)/clip.mp4").path)
        #expect(FileManager.default.fileExists(atPath: clip.absolute.deletingLastPathComponent().path))

        let incident = Incident(id: id, type: .fakeScan, store: "0042", lane: "sco-03", transaction: "T1001",
                                start: ISOTime.parseEpochSeconds("2026-11-02T09:03:26.697Z")!,
                                end: ISOTime.parseEpochSeconds("2026-11-02T09:03:28.123Z")!, confidence: 0.91,
                                details: IncidentDetails(scanned: [], itemsSeen: 1),
                                evidence: IncidentEvidence(keyframes: paths, clip: clip.relative))
        try writer.writeIncidents([incident])
        let json = dir.appendingPathComponent("incidents.json")
        let back = try IncidentsFile.decode(data: Data(contentsOf: json), fileName: "incidents.json")
        #expect(back.count == 1)
        #expect(back.first?.evidence.keyframes == paths)
        #expect(back.first?.evidence.clip == "evidence/\(id)/clip.mp4")
        #expect(back.first?.type == .fakeScan)
        let text = try String(contentsOf: json, encoding: .utf8)
        #expect(text.contains("\"start\"") && text.contains("2026-11-02T09:03:26.697Z"))
    }

    @Test func emptyIncidentsStillWriteTheFile() throws {
        let base = tempDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let dir = base.appendingPathComponent("not/yet/made")
        try EvidenceWriter(outputDirectory: dir).writeIncidents([])
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("incidents.json"))) as? [String: Any]
        #expect((object?["incidents"] as? [Any])?.isEmpty == true)
    }

    @Test func unsafeIDsAreRefused() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = EvidenceWriter(outputDirectory: dir)
        let frame = (RGBImage(width: 16, height: 16), KeyframeAnnotation())
        for bad in ["../escape", "a/b", "..", ""] {
            #expect(throws: EvidenceError.self) { try writer.writeKeyframes(incidentID: bad, frames: [frame]) }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().appendingPathComponent("escape").path))
        #expect(writer.clipPath(incidentID: "../x").relative == "evidence/.._x/clip.mp4")
    }

    @Test func rendererFailureNamesTheFile() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = EvidenceWriter(outputDirectory: dir, renderer: FailingRenderer())
        do {
            _ = try writer.writeKeyframes(incidentID: "inc-9", frames: [(RGBImage(width: 8, height: 8), KeyframeAnnotation())])
            Issue.record("no error")
        } catch let e as EvidenceError {
            #expect(e.path?.hasSuffix("evidence/inc-9/1.jpg") == true)
        }
    }
}
