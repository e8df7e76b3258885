import Foundation
import Testing
@testable import Contract

/// A fresh folder under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lanesight-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The InputError thrown by `body`, or nil (and a recorded failure) when none was thrown.
func expectInputError<T>(_ body: () throws(InputError) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> InputError? {
    do {
        let value = try body()
        Issue.record("expected an InputError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
