import Contract
import Foundation
import LaneCore

/// Counts and rates for one incident type (or for all types together).
public struct TypeScore: Sendable, Equatable {
    public var type: String
    public var truth: Int
    public var detected: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int

    /// TP / (TP + FP); nil when nothing was detected (0/0 is undefined, printed "-").
    public var precision: Double? { detected == 0 ? nil : Double(truePositives) / Double(detected) }
    /// TP / (TP + FN); nil when there was nothing to find.
    public var recall: Double? { truth == 0 ? nil : Double(truePositives) / Double(truth) }
}

/// A detected incident paired with a true one of the same type.
public struct EvaluationMatch: Sendable, Equatable {
    public var type: String
    public var truthIndex: Int
    public var incidentID: String
    /// Detected start − true start, seconds.
    public var startError: Double
    public var endError: Double
}

public struct EvaluationReport: Sendable {
    public var tolerance: Double
    public var passes: Int
    /// One per incident type, in `IncidentType.allCases` order, then any other type seen.
    public var perType: [TypeScore]
    public var overall: TypeScore
    /// True incidents overlapped (within tolerance) by a detection of any type.
    public var foundAnyType: Int
    public var matches: [EvaluationMatch]
    /// Ids of detections with no true incident of their type.
    public var falsePositiveIDs: [String]
    /// Indices into `truth.incidents` that no detection of their type matched.
    public var missedTruth: [Int]
    /// True incidents whose times could not be read; left out of every count.
    public var unreadableTruth: Int

    /// `foundAnyType / truth`; nil with no true incidents.
    public var anyTypeRecall: Double? { overall.truth == 0 ? nil : Double(foundAnyType) / Double(overall.truth) }
    /// False positives per 1,000 item passes; nil when the truth counts no passes.
    public var falseAlertsPer1000Passes: Double? {
        passes <= 0 ? nil : Double(overall.falsePositives) / Double(passes) * 1000
    }

    /// A readable table; undefined ratios print as "-".
    public var text: String {
        func ratio(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            s.count >= n ? s : (left ? s + String(repeating: " ", count: n - s.count) : String(repeating: " ", count: n - s.count) + s)
        }
        var lines: [String] = []
        let header = [pad("type", 12, left: true), pad("truth", 6), pad("found", 6), pad("TP", 5), pad("FP", 5), pad("FN", 5),
                      pad("precision", 10), pad("recall", 8)]
        lines.append(header.joined(separator: " "))
        func row(_ s: TypeScore) -> String {
            [pad(s.type, 12, left: true), pad("\(s.truth)", 6), pad("\(s.detected)", 6), pad("\(s.truePositives)", 5),
             pad("\(s.falsePositives)", 5), pad("\(s.falseNegatives)", 5), pad(ratio(s.precision), 10), pad(ratio(s.recall), 8)]
                .joined(separator: " ")
        }
        for s in perType { lines.append(row(s)) }
        lines.append(String(repeating: "-", count: header.joined(separator: " ").count))
        lines.append(row(overall))
        lines.append("")
        lines.append("any-type recall: \(ratio(anyTypeRecall)) (\(foundAnyType) of \(overall.truth) true incidents overlapped by a detection of any type)")
        let fa = falseAlertsPer1000Passes.map { String(format: "%.2f", $0) } ?? "-"
        let fp = overall.falsePositives == 1 ? "1 false positive" : "\(overall.falsePositives) false positives"
        lines.append("false alerts per 1,000 passes: \(fa) (\(fp), \(passes) passes)")
        lines.append("tolerance: \(Self.number(tolerance)) s")
        if unreadableTruth > 0 { lines.append("warning: \(unreadableTruth) true incidents had unreadable times and were skipped") }
        return lines.joined(separator: "\n") + "\n"
    }

    public func jsonData() -> Data { json.data() }

    /// The report as JSON (`jsonData()`), to embed in a larger document.
    public var json: OrderedJSON {
        func score(_ s: TypeScore) -> OrderedJSON {
            .object([
                ("type", .string(s.type)),
                ("truth", .int(s.truth)),
                ("detected", .int(s.detected)),
                ("true_positives", .int(s.truePositives)),
                ("false_positives", .int(s.falsePositives)),
                ("false_negatives", .int(s.falseNegatives)),
                ("precision", .optional(s.precision)),
                ("recall", .optional(s.recall)),
            ])
        }
        return OrderedJSON.object([
            ("tolerance_s", .number(tolerance)),
            ("passes", .int(passes)),
            ("overall", score(overall)),
            ("any_type_recall", .optional(anyTypeRecall)),
            ("any_type_found", .int(foundAnyType)),
            ("false_alerts_per_1000_passes", .optional(falseAlertsPer1000Passes)),
            ("per_type", .array(perType.map(score))),
            ("matches", .array(matches.map { m in
                .object([("type", .string(m.type)), ("truth_index", .int(m.truthIndex)), ("incident", .string(m.incidentID)),
                         ("start_error_s", .number(m.startError)), ("end_error_s", .number(m.endError))])
            })),
            ("false_positives", .array(falsePositiveIDs.map { .string($0) })),
            ("missed_truth", .array(missedTruth.map { .int($0) })),
            ("unreadable_truth", .int(unreadableTruth)),
        ])
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}

public enum Evaluator {
    /// Same-type, one-to-one matching that maximizes the number of matches. A
    /// detection and a true incident can match when
    /// `det.start <= truth.end + tolerance && det.end >= truth.start - tolerance`.
    public static func evaluate(truth: TruthFile, incidents: [Incident], tolerance: Double = 2.0) -> EvaluationReport {
        struct Span { var index: Int; var type: String; var start: Double; var end: Double }
        var truthSpans: [Span] = []
        var unreadable = 0
        for (k, t) in truth.incidents.enumerated() {
            guard let s = ISOTime.parseEpochSeconds(t.start), let e = ISOTime.parseEpochSeconds(t.end) else {
                unreadable += 1
                continue
            }
            truthSpans.append(Span(index: k, type: t.type, start: min(s, e), end: max(s, e)))
        }
        func overlaps(_ d: Incident, _ t: Span) -> Bool {
            d.start <= t.end + tolerance && d.end >= t.start - tolerance
        }

        var types = IncidentType.allCases.map(\.rawValue)
        for t in truthSpans.map(\.type) + incidents.map(\.type.rawValue) where !types.contains(t) { types.append(t) }

        var perType: [TypeScore] = []
        var matches: [EvaluationMatch] = []
        var falsePositiveIDs: [String] = []
        var missed: [Int] = []
        for type in types {
            let ts = truthSpans.filter { $0.type == type }
            let ds = incidents.filter { $0.type.rawValue == type }
            // Candidates per detection, closest first, so the augmenting search prefers sensible pairs.
            let candidates: [[Int]] = ds.map { d in
                ts.indices.filter { overlaps(d, ts[$0]) }.sorted { a, b in
                    let ca = abs(d.start - ts[a].start) + abs(d.end - ts[a].end)
                    let cb = abs(d.start - ts[b].start) + abs(d.end - ts[b].end)
                    return ca != cb ? ca < cb : a < b
                }
            }
            let truthOf = maximumMatching(candidates: candidates, rightCount: ts.count)
            var matchedTruth = Set<Int>()
            for (di, ti) in truthOf.enumerated() {
                if let ti {
                    matchedTruth.insert(ti)
                    matches.append(EvaluationMatch(type: type, truthIndex: ts[ti].index, incidentID: ds[di].id,
                                                   startError: ds[di].start - ts[ti].start, endError: ds[di].end - ts[ti].end))
                } else {
                    falsePositiveIDs.append(ds[di].id)
                }
            }
            for (k, t) in ts.enumerated() where !matchedTruth.contains(k) { missed.append(t.index) }
            let tp = matchedTruth.count
            perType.append(TypeScore(type: type, truth: ts.count, detected: ds.count, truePositives: tp,
                                     falsePositives: ds.count - tp, falseNegatives: ts.count - tp))
        }

        let found = truthSpans.filter { t in incidents.contains { overlaps($0, t) } }.count
        let overall = TypeScore(type: "all", truth: perType.reduce(0) { $0 + $1.truth },
                                detected: perType.reduce(0) { $0 + $1.detected },
                                truePositives: perType.reduce(0) { $0 + $1.truePositives },
                                falsePositives: perType.reduce(0) { $0 + $1.falsePositives },
                                falseNegatives: perType.reduce(0) { $0 + $1.falseNegatives })
        return EvaluationReport(tolerance: tolerance, passes: truth.passes, perType: perType, overall: overall,
                                foundAnyType: found, matches: matches.sorted { ($0.truthIndex, $0.incidentID) < ($1.truthIndex, $1.incidentID) },
                                falsePositiveIDs: falsePositiveIDs, missedTruth: missed.sorted(), unreadableTruth: unreadable)
    }

    /// Maximum bipartite matching (Kuhn's augmenting paths); returns, per left
    /// node, the matched right node. Sizes are small (incidents of one session).
    static func maximumMatching(candidates: [[Int]], rightCount: Int) -> [Int?] {
        var leftOf = [Int?](repeating: nil, count: rightCount)
        func augment(_ l: Int, _ visited: inout [Bool]) -> Bool {
            for r in candidates[l] where !visited[r] {
                visited[r] = true
                if leftOf[r] == nil || augment(leftOf[r]!, &visited) {
                    leftOf[r] = l
                    return true
                }
            }
            return false
        }
        for l in candidates.indices {
            var visited = [Bool](repeating: false, count: rightCount)
            _ = augment(l, &visited)
        }
        var rightOf = [Int?](repeating: nil, count: candidates.count)
        for (r, l) in leftOf.enumerated() { if let l { rightOf[l] = r } }
        return rightOf
    }
}

extension EvaluationReport {
    /// Several sessions' reports as one: counts summed per type. Per-session
    /// details (matches, false-positive ids, missed truth) stay in the parts.
    public static func combined(_ reports: [EvaluationReport]) -> EvaluationReport {
        var order: [String] = IncidentType.allCases.map(\.rawValue)
        var byType: [String: TypeScore] = [:]
        func add(_ a: inout TypeScore, _ b: TypeScore) {
            a.truth += b.truth; a.detected += b.detected; a.truePositives += b.truePositives
            a.falsePositives += b.falsePositives; a.falseNegatives += b.falseNegatives
        }
        var overall = TypeScore(type: "all", truth: 0, detected: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0)
        for r in reports {
            for s in r.perType {
                if !order.contains(s.type) { order.append(s.type) }
                var t = byType[s.type] ?? TypeScore(type: s.type, truth: 0, detected: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0)
                add(&t, s)
                byType[s.type] = t
            }
            add(&overall, r.overall)
        }
        return EvaluationReport(tolerance: reports.first?.tolerance ?? 2, passes: reports.reduce(0) { $0 + $1.passes },
                                perType: order.compactMap { byType[$0] }, overall: overall,
                                foundAnyType: reports.reduce(0) { $0 + $1.foundAnyType }, matches: [], falsePositiveIDs: [],
                                missedTruth: [], unreadableTruth: reports.reduce(0) { $0 + $1.unreadableTruth })
    }

    /// The overall scores on one line, for a list of sessions.
    public var oneLine: String {
        let o = overall
        func f(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "-" }
        return "truth \(o.truth) found \(o.detected) TP \(o.truePositives) FP \(o.falsePositives) FN \(o.falseNegatives) " +
            "P \(f(o.precision)) R \(f(o.recall)) any-type R \(f(anyTypeRecall)) passes \(passes)"
    }
}
