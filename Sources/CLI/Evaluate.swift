import ArgumentParser
import Contract
import Evaluation
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare incidents with the truth: per-type precision and recall, false alerts per 1,000 passes.")

    @Option(help: "truth.json") var truth: String
    @Option(help: "incidents.json") var incidents: String
    @Option(help: "Seconds of slack when matching spans.") var tolerance: Double = 2.0
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let t: TruthFile
        let found: [Incident]
        do {
            t = try TruthReader.read(url: URL(fileURLWithPath: truth))
            let url = URL(fileURLWithPath: incidents)
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw InputError(file: url.lastPathComponent, line: 0, message: "cannot read: \(error.localizedDescription)")
            }
            found = try IncidentsFile.decode(data: data, fileName: url.lastPathComponent)
        } catch let e as InputError {
            throw fail(e.description)
        }
        let report = Evaluator.evaluate(truth: t, incidents: found, tolerance: tolerance)
        if json {
            print(String(decoding: report.jsonData(), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
