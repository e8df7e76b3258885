import ArgumentParser
import Foundation

@main
struct LaneSight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lanesight",
        abstract: "Loss prevention at checkout lanes: video + POS in, exceptions with evidence out.",
        subcommands: [Analyze.self, Simulate.self, Evaluate.self, Inspect.self]
    )
}

/// Prints to standard error (progress, summaries of problems).
func warn(_ s: String) {
    FileHandle.standardError.write((s + "\n").data(using: .utf8)!)
}

/// A failure we explain ourselves: message on standard error, exit code 1.
struct Failed: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func fail(_ message: String) -> ExitCode {
    warn("lanesight: error: \(message)")
    return ExitCode.failure
}
