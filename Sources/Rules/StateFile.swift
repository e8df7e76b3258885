import Contract
import Foundation

/// Reading and writing the JSON files a lane keeps between runs (the
/// appearance memory, the learned sizes), with errors that name the file,
/// the line when JSON syntax is at fault, and the field.
enum StateFile {
    /// `what` names the file's kind in messages ("appearance memory").
    static func read<T: Decodable>(_ type: T.Type, from url: URL, what: String) throws -> T {
        let name = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(file: name, line: 0, message: "cannot read the \(what): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.dataCorrupted(ctx) {
            throw InputError(file: name, line: line(of: ctx, in: data), field: path(ctx.codingPath),
                             message: "not valid JSON: \(ctx.debugDescription)")
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw InputError(file: name, line: 0, field: path(ctx.codingPath + [key]), message: "missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw InputError(file: name, line: 0, field: path(ctx.codingPath), message: ctx.debugDescription)
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw InputError(file: name, line: 0, field: path(ctx.codingPath), message: "must not be null")
        } catch {
            let article = what.first.map { "aeiou".contains($0) } == true ? "an" : "a"
            throw InputError(file: name, line: 0, message: "not \(article) \(what): \(error)")
        }
    }

    /// Writes `value` as JSON with sorted keys, atomically.
    static func write<T: Encodable>(_ value: T, to url: URL, what: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        do {
            try enc.encode(value).write(to: url, options: .atomic)
        } catch {
            throw InputError(file: url.path, line: 0, message: "cannot write the \(what): \(error.localizedDescription)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String? {
        guard !keys.isEmpty else { return nil }
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
        }
        return s
    }

    /// The 1-based line of a JSON syntax error, when Foundation says where it is.
    static func line(of ctx: DecodingError.Context, in data: Data) -> Int {
        guard let ns = ctx.underlyingError as NSError?,
              let index = ns.userInfo["NSJSONSerializationErrorIndex"] as? Int else { return 0 }
        return 1 + data.prefix(max(0, index)).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
