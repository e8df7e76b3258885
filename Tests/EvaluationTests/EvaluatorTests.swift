import Contract
import Foundation
import LaneCore
import Testing
@testable import Evaluation

private let base = ISOTime.parseEpochSeconds("2026-11-02T09:00:00.000Z")!

private func iso(_ s: Double) -> String { ISOTime.format(epochSeconds: base + s) }

private func truthIncident(_ type: IncidentType, _ start: Double, _ end: Double) -> TruthIncident {
    TruthIncident(type: type.rawValue, start: iso(start), end: iso(end))
}

private func detection(_ id: String, _ type: IncidentType, _ start: Double, _ end: Double) -> Incident {
    Incident(id: id, type: type, store: "0042", lane: "sco-03", transaction: nil, start: base + start, end: base + end,
             confidence: 0.9, details: IncidentDetails())
}

private let truth = TruthFile(store: "0042", lane: "sco-03", videoStart: iso(0), clockOffsetS: 1, passes: 200, transactions: 10,
                              incidents: [
                                  truthIncident(.missedScan, 10, 12),    // 0
                                  truthIncident(.missedScan, 30, 31),    // 1
                                  truthIncident(.fakeScan, 50, 51),      // 2
                                  truthIncident(.multiItem, 70, 71.5),   // 3
                                  truthIncident(.occlusion, 100, 104),   // 4
                              ])

private let detections = [
    detection("D1", .missedScan, 10.5, 12.5),  // truth 0
    detection("D2", .missedScan, 33.0, 33.5),  // truth 1, exactly at the tolerance edge
    detection("D3", .missedScan, 11, 11.5),    // truth 0 again: one-to-one, so a false positive
    detection("D4", .wrongScan, 50.2, 51),     // wrong type for truth 2: FP, but found by any-type recall
    detection("D5", .multiItem, 90, 91),       // nothing there
    detection("D6", .occlusion, 99, 105),      // truth 4
]

@Suite struct EvaluatorTests {
    @Test func countsOnAHandMadeSession() throws {
        let r = Evaluator.evaluate(truth: truth, incidents: detections, tolerance: 2.0)
        func score(_ t: IncidentType) -> TypeScore? { r.perType.first { $0.type == t.rawValue } }
        #expect(r.perType.map(\.type) == IncidentType.allCases.map(\.rawValue))

        let missed = try #require(score(.missedScan))
        #expect((missed.truth, missed.detected, missed.truePositives, missed.falsePositives, missed.falseNegatives) == (2, 3, 2, 1, 0))
        #expect(missed.precision == 2.0 / 3.0)
        #expect(missed.recall == 1)

        let fake = try #require(score(.fakeScan))
        #expect((fake.truePositives, fake.falsePositives, fake.falseNegatives) == (0, 0, 1))
        #expect(fake.precision == nil)  // nothing detected: 0/0
        #expect(fake.recall == 0)

        let multi = try #require(score(.multiItem))
        #expect((multi.truePositives, multi.falsePositives, multi.falseNegatives) == (0, 1, 1))
        #expect(multi.precision == 0)

        let wrong = try #require(score(.wrongScan))
        #expect((wrong.truth, wrong.falsePositives) == (0, 1))
        #expect(wrong.recall == nil)  // nothing to find: 0/0

        let occ = try #require(score(.occlusion))
        #expect((occ.truePositives, occ.falsePositives, occ.falseNegatives) == (1, 0, 0))

        #expect((r.overall.truth, r.overall.detected, r.overall.truePositives, r.overall.falsePositives, r.overall.falseNegatives)
                == (5, 6, 3, 3, 2))
        #expect(r.overall.precision == 0.5)
        #expect(r.overall.recall == 0.6)
        #expect(r.foundAnyType == 4)
        #expect(r.anyTypeRecall == 0.8)
        #expect(r.falseAlertsPer1000Passes == 15)
        #expect(Set(r.falsePositiveIDs) == ["D3", "D4", "D5"])
        #expect(r.missedTruth == [2, 3])
        #expect(r.matches.map(\.incidentID) == ["D1", "D2", "D6"])
        #expect(r.matches[1].startError == 3)
    }

    @Test func sessionsCombineBySummingCounts() throws {
        let a = Evaluator.evaluate(truth: truth, incidents: detections, tolerance: 2.0)
        // A second session: the same truth, only the occlusion found.
        let b = Evaluator.evaluate(truth: truth, incidents: [detections[5]], tolerance: 2.0)
        let t = EvaluationReport.combined([a, b])
        #expect(t.passes == 400)
        #expect((t.overall.truth, t.overall.detected, t.overall.truePositives, t.overall.falsePositives, t.overall.falseNegatives)
                == (10, 7, 4, 3, 6))
        #expect(t.foundAnyType == a.foundAnyType + 1)
        let occ = try #require(t.perType.first { $0.type == IncidentType.occlusion.rawValue })
        #expect((occ.truth, occ.truePositives, occ.recall) == (2, 2, 1))
        let missed = try #require(t.perType.first { $0.type == IncidentType.missedScan.rawValue })
        #expect((missed.truth, missed.truePositives, missed.falsePositives) == (4, 2, 1))
        #expect(t.perType.map(\.type) == IncidentType.allCases.map(\.rawValue))
        // Which detection matched what stays with each session.
        #expect(t.matches.isEmpty && t.missedTruth.isEmpty)
        #expect(EvaluationReport.combined([a]).overall == a.overall)
        #expect(t.oneLine.hasPrefix("truth 10 found 7 TP 4 FP 3 FN 6 P 0.57 R 0.40"))
    }

    @Test func toleranceIsTheEdge() {
        let tight = Evaluator.evaluate(truth: truth, incidents: detections, tolerance: 1.9)
        #expect(tight.perType.first { $0.type == "missed_scan" }?.truePositives == 1)
    }

    @Test func matchingMaximizesTheNumberOfPairs() {
        // X is closest to A, but only X can take B: a greedy pass would leave Y unmatched.
        let t = TruthFile(store: "", lane: "", videoStart: "", clockOffsetS: 0, passes: 10, transactions: 1,
                          incidents: [truthIncident(.fakeScan, 0, 1), truthIncident(.fakeScan, 3, 4)])
        let r = Evaluator.evaluate(truth: t, incidents: [detection("X", .fakeScan, 1.5, 2), detection("Y", .fakeScan, -0.5, 0.5)])
        #expect(r.overall.truePositives == 2)
        #expect(r.overall.falsePositives == 0)
        #expect(Set(r.matches.map { "\($0.incidentID)->\($0.truthIndex)" }) == ["X->1", "Y->0"])
    }

    @Test func emptyCasesAreUndefinedNotZero() {
        let t = TruthFile(store: "", lane: "", videoStart: "", clockOffsetS: 0, passes: 0, transactions: 0, incidents: [])
        let r = Evaluator.evaluate(truth: t, incidents: [])
        #expect(r.overall.precision == nil)
        #expect(r.overall.recall == nil)
        #expect(r.anyTypeRecall == nil)
        #expect(r.falseAlertsPer1000Passes == nil)
        #expect(r.text.contains("false alerts per 1,000 passes: - (0 false positives, 0 passes)"))
    }

    @Test func textTable() {
        let text = Evaluator.evaluate(truth: truth, incidents: detections).text
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "type          truth  found    TP    FP    FN  precision   recall")
        #expect(lines[1] == "missed_scan       2      3     2     1     0      0.667    1.000")
        #expect(lines[2] == "fake_scan         1      0     0     0     1          -    0.000")
        #expect(lines[4] == "wrong_scan        0      1     0     1     0      0.000        -")
        #expect(lines[7] == "all               5      6     3     3     2      0.500    0.600")
        #expect(text.contains("any-type recall: 0.800 (4 of 5 true incidents overlapped by a detection of any type)"))
        #expect(text.contains("false alerts per 1,000 passes: 15.00 (3 false positives, 200 passes)"))
        #expect(text.contains("tolerance: 2 s"))
    }

    @Test func jsonReport() throws {
        let data = Evaluator.evaluate(truth: truth, incidents: detections).jsonData()
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(o["passes"] as? Int == 200)
        #expect(o["false_alerts_per_1000_passes"] as? Double == 15)
        #expect(o["any_type_recall"] as? Double == 0.8)
        let overall = try #require(o["overall"] as? [String: Any])
        #expect(overall["true_positives"] as? Int == 3)
        #expect(overall["precision"] as? Double == 0.5)
        let fake = try #require((o["per_type"] as? [[String: Any]])?.first { $0["type"] as? String == "fake_scan" })
        #expect(fake["precision"] is NSNull)
        #expect((o["false_positives"] as? [String])?.count == 3)
    }
}
