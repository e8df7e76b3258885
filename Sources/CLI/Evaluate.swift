import ArgumentParser
import Contract
import Evaluation
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare incidents with the truth: per-type precision and recall, false alerts per 1,000 passes.",
        discussion: """
            Give --truth and --incidents once for one session, or as pairs, in the same order, \
            for several: each session is scored on its own, then the counts are summed \
            (a pilot over many recordings, a set of test sessions).
            """)

    @Option(help: "truth.json (repeat, paired in order with --incidents, for several sessions)") var truth: [String]
    @Option(help: "incidents.json (one per --truth)") var incidents: [String]
    @Option(help: "Seconds of slack when matching spans.") var tolerance: Double = 2.0
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard truth.count == incidents.count else {
            throw ValidationError("--truth is given \(truth.count) times and --incidents \(incidents.count): give them in pairs, one of each per session")
        }
    }

    func run() throws {
        // Every file is read before anything is printed: one bad file fails the whole run.
        var reports: [EvaluationReport] = []
        for (truthPath, incidentsPath) in zip(truth, incidents) {
            let t: TruthFile
            let found: [Incident]
            do {
                t = try TruthReader.read(url: URL(fileURLWithPath: truthPath))
                let url = URL(fileURLWithPath: incidentsPath)
                let data: Data
                do { data = try Data(contentsOf: url) } catch {
                    throw InputError(file: url.lastPathComponent, line: 0, message: "cannot read: \(error.localizedDescription)")
                }
                found = try IncidentsFile.decode(data: data, fileName: url.lastPathComponent)
            } catch let e as InputError {
                // Several sessions' files share their names: say which pair.
                throw fail(truth.count > 1 ? "session \(reports.count + 1) (\(truthPath), \(incidentsPath)): \(e.description)" : e.description)
            }
            reports.append(Evaluator.evaluate(truth: t, incidents: found, tolerance: tolerance))
        }
        if reports.count == 1 {
            print(json ? String(decoding: reports[0].jsonData(), as: UTF8.self) : reports[0].text)
            return
        }
        let total = EvaluationReport.combined(reports)
        if json {
            let sessions: [OrderedJSON] = zip(zip(truth, incidents), reports).map { pair, r in
                .object([("truth", .string(pair.0)), ("incidents", .string(pair.1)), ("report", r.json)])
            }
            print(OrderedJSON.object([("sessions", .array(sessions)), ("total", total.json)]).serialized())
        } else {
            for (path, r) in zip(incidents, reports) { print("\(path): \(r.oneLine)") }
            print("\ntotal over \(reports.count) sessions:\n" + total.text)
        }
    }
}
