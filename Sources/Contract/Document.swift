import Foundation
import LaneCore
import Yams

// A parsed JSON or YAML document with the line and column of every value, so
// that readers can name the exact place of a problem. JSON goes through our own
// strict parser (JSONSerialization only reports byte offsets, and libyaml
// rejects JSON's surrogate-pair escapes); YAML goes through Yams' composer.

struct DocNode: Sendable {
    enum Value: Sendable {
        case object([Member])
        case array([DocNode])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    struct Member: Sendable {
        var key: String
        var keyLine: Int
        var keyColumn: Int
        var value: DocNode
    }

    var value: Value
    /// 1-based; columns count Unicode scalars, as libyaml does.
    var line: Int
    var column: Int
    /// YAML plain (unquoted) scalars keep their text, so `store: 0042` can still be read as the string "0042".
    var plainText: String? = nil

    var kindName: String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

enum DocumentParser {
    /// Parse `data` as JSON or YAML. Errors name `fileName` and the position.
    static func parse(data: Data, fileName: String, isYAML: Bool) throws(InputError) -> DocNode {
        if isYAML { return try parseYAML(data: data, fileName: fileName) }
        var parser = JSONParser(bytes: [UInt8](data), fileName: fileName)
        return try parser.parseDocument()
    }

    /// `.yaml`/`.yml` are YAML, `.json` is JSON; anything else is JSON when it starts with `{` or `[`.
    static func looksLikeYAML(url: URL, data: Data) -> Bool {
        switch url.pathExtension.lowercased() {
        case "yaml", "yml": return true
        case "json", "jsonl": return false
        default:
            for b in data where !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0xEF || b == 0xBB || b == 0xBF) {
                return !(b == UInt8(ascii: "{") || b == UInt8(ascii: "["))
            }
            return true
        }
    }

    /// Read a whole file, with a clear error when it is missing or unreadable.
    static func readFile(_ url: URL) throws(InputError) -> Data {
        let name = displayName(url)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw InputError(file: name, line: 0, message: "no such file")
        }
        if isDir.boolValue { throw InputError(file: name, line: 0, message: "is a directory, not a file") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw InputError(file: name, line: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// The path as the user gave it (relative stays relative).
    static func displayName(_ url: URL) -> String {
        url.isFileURL ? url.relativePath : url.absoluteString
    }

    // MARK: YAML

    static func parseYAML(data: Data, fileName: String) throws(InputError) -> DocNode {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8(bytes)
            throw InputError(file: fileName, line: line, column: column, message: "the file is not valid UTF-8 text")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, fileName: fileName)
        } catch {
            throw InputError(file: fileName, line: 0, message: "invalid YAML: \(error)")
        }
        guard let root else {
            throw InputError(file: fileName, line: 1, message: "the file is empty")
        }
        var budget = 1_000_000  // aliases are expanded; stop a "billion laughs" file
        return try convert(root, fileName: fileName, budget: &budget)
    }

    private static func yamlError(_ error: YamlError, fileName: String) -> InputError {
        func clean(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(clean(problem))"
            if let context { message += " (\(clean(context.text)) at line \(context.mark.line), column \(context.mark.column))" }
            return InputError(file: fileName, line: mark.line, column: mark.column, message: message)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return InputError(file: fileName, line: context.mark.line, column: context.mark.column,
                              message: "duplicate key \(keys) in the same mapping")
        case let .reader(problem, offset, _, yaml):
            var line = 0, column: Int? = nil
            if let offset {
                let prefix = yaml.prefix(offset)
                line = prefix.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
                column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
            }
            return InputError(file: fileName, line: line, column: column, message: "invalid YAML: \(clean(problem))")
        default:
            return InputError(file: fileName, line: 0, message: "invalid YAML: \(error)")
        }
    }

    private static func convert(_ node: Node, fileName: String, budget: inout Int) throws(InputError) -> DocNode {
        budget -= 1
        let line = node.mark?.line ?? 0, column = node.mark?.column ?? 0
        if budget < 0 {
            throw InputError(file: fileName, line: line, column: column, message: "the document is too large (too many values or aliases)")
        }
        switch node {
        case .scalar(let s):
            let plain = s.style == .plain ? s.string : nil
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue:
                return DocNode(value: .null, line: line, column: column, plainText: plain)
            case Tag.Name.bool.rawValue:
                if let b = node.bool { return DocNode(value: .bool(b), line: line, column: column, plainText: plain) }
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue:
                // `.float` reads "0042" as 42 (decimal), where YAML 1.1 ints would make it octal 34.
                if let d = node.float { return DocNode(value: .number(d), line: line, column: column, plainText: plain) }
            default:
                break
            }
            // Strings, and tags we do not model (timestamps, binary…) as their text.
            return DocNode(value: .string(s.string), line: line, column: column, plainText: plain)
        case .sequence(let seq):
            var items: [DocNode] = []
            items.reserveCapacity(seq.count)
            for child in seq { items.append(try convert(child, fileName: fileName, budget: &budget)) }
            return DocNode(value: .array(items), line: line, column: column)
        case .mapping(let map):
            var members: [Member] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw InputError(file: fileName, line: k.mark?.line ?? line, column: k.mark?.column,
                                     message: "a mapping key must be a plain value, not a list or mapping")
                }
                members.append(Member(key: ks.string, keyLine: ks.mark?.line ?? line, keyColumn: ks.mark?.column ?? column,
                                      value: try convert(v, fileName: fileName, budget: &budget)))
            }
            return DocNode(value: .object(members), line: line, column: column)
        case .alias:
            throw InputError(file: fileName, line: line, column: column, message: "unresolved YAML alias")
        }
    }

    typealias Member = DocNode.Member

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (Int, Int) {
        // Validate line by line; report the first line that fails.
        var line = 1
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            if String(validating: bytes[start..<i], as: UTF8.self) == nil {
                var col = 1
                var j = start
                while j < i {
                    let n = utf8Length(bytes[j])
                    if n == 0 || j + n > i || String(validating: bytes[j..<(j + n)], as: UTF8.self) == nil { break }
                    j += n
                    col += 1
                }
                return (line, col)
            }
            line += 1
            start = i + 1
        }
        return (0, 0)
    }

    private static func utf8Length(_ b: UInt8) -> Int {
        switch b {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }
}

// MARK: - Strict JSON (RFC 8259)

struct JSONParser {
    let bytes: [UInt8]
    let fileName: String
    private var i = 0
    private var line: Int
    private var lineStart = 0
    // Cached (byte index, column) on the current line so columns cost O(n) overall.
    private var colCacheIndex = 0
    private var colCacheColumn = 1
    private var depth = 0
    private static let maxDepth = 256

    init(bytes: [UInt8], fileName: String, firstLine: Int = 1) {
        self.bytes = bytes
        self.fileName = fileName
        self.line = firstLine
    }

    mutating func parseDocument() throws(InputError) -> DocNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3; colCacheIndex = 3 }
        skipWhitespace()
        if i >= bytes.count { throw error("the file is empty") }
        let node = try parseValue()
        skipWhitespace()
        if i < bytes.count { throw error("unexpected \(describeHere()) after the end of the JSON value") }
        return node
    }

    // MARK: positions

    private mutating func column(at index: Int) -> Int {
        if index < colCacheIndex || colCacheIndex < lineStart {
            colCacheIndex = lineStart
            colCacheColumn = 1
        }
        var c = colCacheColumn
        var k = colCacheIndex
        while k < index {
            if bytes[k] & 0xC0 != 0x80 { c += 1 }  // count scalars, not UTF-8 continuation bytes
            k += 1
        }
        colCacheIndex = index
        colCacheColumn = c
        return c
    }

    private mutating func error(_ message: String) -> InputError {
        let col = column(at: min(i, bytes.count))
        return InputError(file: fileName, line: line, column: col, message: "invalid JSON: " + message)
    }

    private func describeHere() -> String {
        guard i < bytes.count else { return "end of file" }
        let b = bytes[i]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b == 0x0A || b == 0x0D { return "end of line" }
        return String(format: "byte 0x%02X", b)
    }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A:
                i += 1
                line += 1
                lineStart = i
            default: return
            }
        }
    }

    // MARK: values

    private mutating func parseValue() throws(InputError) -> DocNode {
        guard i < bytes.count else { throw error("expected a value, found end of file") }
        let startLine = line
        let startColumn = column(at: i)
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject(line: startLine, column: startColumn)
        case UInt8(ascii: "["): return try parseArray(line: startLine, column: startColumn)
        case UInt8(ascii: "\""):
            return DocNode(value: .string(try parseString()), line: startLine, column: startColumn)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return DocNode(value: .number(try parseNumber()), line: startLine, column: startColumn)
        case UInt8(ascii: "t"):
            try literal("true")
            return DocNode(value: .bool(true), line: startLine, column: startColumn)
        case UInt8(ascii: "f"):
            try literal("false")
            return DocNode(value: .bool(false), line: startLine, column: startColumn)
        case UInt8(ascii: "n"):
            try literal("null")
            return DocNode(value: .null, line: startLine, column: startColumn)
        default:
            throw error("expected a value, found \(describeHere())")
        }
    }

    private mutating func literal(_ word: String) throws(InputError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else {
            throw error("expected a value, found \(describeHere())")
        }
        i += w.count
    }

    private mutating func enter() throws(InputError) {
        depth += 1
        if depth > Self.maxDepth { throw error("values are nested too deeply") }
    }

    private mutating func parseObject(line startLine: Int, column startColumn: Int) throws(InputError) -> DocNode {
        try enter()
        i += 1
        var members: [DocNode.Member] = []
        var seen: Set<String>? = nil  // only for large objects; a linear scan is cheaper for a POS line's dozen keys
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return DocNode(value: .object(members), line: startLine, column: startColumn)
        }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw error("expected a quoted key, found \(describeHere())")
            }
            let keyLine = line
            let keyColumn = column(at: i)
            let key = try parseString()
            let duplicate: Bool
            if members.count < 16 {
                duplicate = members.contains { $0.key == key }
            } else {
                if seen == nil { seen = Set(members.map(\.key)) }
                duplicate = !seen!.insert(key).inserted
            }
            if duplicate {
                throw InputError(file: fileName, line: keyLine, column: keyColumn, message: "invalid JSON: duplicate key '\(key)'")
            }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key '\(key)', found \(describeHere())")
            }
            i += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(DocNode.Member(key: key, keyLine: keyLine, keyColumn: keyColumn, value: value))
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipWhitespace()
                continue
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                depth -= 1
                return DocNode(value: .object(members), line: startLine, column: startColumn)
            }
            throw error("expected ',' or '}' after the value of '\(key)', found \(describeHere())")
        }
    }

    private mutating func parseArray(line startLine: Int, column startColumn: Int) throws(InputError) -> DocNode {
        try enter()
        i += 1
        var items: [DocNode] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return DocNode(value: .array(items), line: startLine, column: startColumn)
        }
        while true {
            items.append(try parseValue())
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipWhitespace()
                continue
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                depth -= 1
                return DocNode(value: .array(items), line: startLine, column: startColumn)
            }
            throw error("expected ',' or ']' in an array, found \(describeHere())")
        }
    }

    private mutating func parseNumber() throws(InputError) -> Double {
        let start = i
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw error("expected a digit, found \(describeHere())") }
        if bytes[i] == 0x30 {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) { throw error("numbers must not have leading zeros") }
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("expected a digit after '.', found \(describeHere())") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("expected a digit in the exponent, found \(describeHere())") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            i = start
            throw error("the number \(text) is out of range")
        }
        return d
    }

    private mutating func parseString() throws(InputError) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                guard let s = Self.string(bytes, start, i) else {
                    i = start
                    throw error("a string is not valid UTF-8")
                }
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("a control character (such as a line break) must be escaped inside a string") }
            i += 1
        }
        guard i < bytes.count else { throw error("a string is not closed (missing '\"')") }
        var out: [UInt8] = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                guard let s = String(validating: out, as: UTF8.self) else {
                    i = start
                    throw error("a string is not valid UTF-8")
                }
                i += 1
                return s
            }
            if b < 0x20 { throw error("a control character (such as a line break) must be escaped inside a string") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw error("a \\u escape has a high surrogate without its low surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("a \\u escape has a high surrogate without its low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("a \\u escape is a lone low surrogate")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                i -= 2
                throw error("invalid escape sequence in a string")
            }
        }
        throw error("a string is not closed (missing '\"')")
    }

    /// Validating UTF-8 through a buffer pointer takes the standard library's fast path; a slice does not.
    private static func string(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String? {
        bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    private mutating func hex4() throws(InputError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("a \\u escape needs 4 hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("a \\u escape needs 4 hex digits")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}

// MARK: - Typed access with paths

/// A value in a document and where it is, for error messages.
struct Field {
    let node: DocNode
    /// `zones[1].polygon`, empty for the root.
    let path: String
    let file: String

    var line: Int { node.line }

    func fail(_ message: String) -> InputError {
        InputError(file: file, line: node.line, column: node.column > 0 ? node.column : nil,
                   field: path.isEmpty ? nil : path, message: message)
    }

    func child(_ key: String, _ node: DocNode) -> Field {
        Field(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    func element(_ index: Int, _ node: DocNode) -> Field {
        Field(node: node, path: "\(path)[\(index)]", file: file)
    }

    var isNull: Bool { if case .null = node.value { return true } else { return false } }

    func object() throws(InputError) -> ObjectField {
        guard case .object(let members) = node.value else { throw fail("expected an object, got \(node.kindName)") }
        return ObjectField(field: self, members: members)
    }

    func array() throws(InputError) -> [Field] {
        guard case .array(let items) = node.value else { throw fail("expected an array, got \(node.kindName)") }
        return items.enumerated().map { element($0.offset, $0.element) }
    }

    func string() throws(InputError) -> String {
        switch node.value {
        case .string(let s): return s
        case .number where node.plainText != nil: return node.plainText!
        default: throw fail("expected a string, got \(node.kindName)")
        }
    }

    func nonEmptyString() throws(InputError) -> String {
        let s = try string()
        // Not Foundation's trimmingCharacters: it dominated the cost of reading a POS journal.
        if !s.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { throw fail("must not be empty") }
        return s
    }

    func number() throws(InputError) -> Double {
        guard case .number(let d) = node.value else { throw fail("expected a number, got \(node.kindName)") }
        guard d.isFinite else { throw fail("expected a finite number") }
        return d
    }

    func number(in range: ClosedRange<Double>) throws(InputError) -> Double {
        let d = try number()
        guard range.contains(d) else {
            throw fail("must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(Self.format(d))")
        }
        return d
    }

    func integer(min: Int = .min) throws(InputError) -> Int {
        let d = try number()
        guard d == d.rounded(), abs(d) < 9e15 else { throw fail("expected a whole number, got \(Self.format(d))") }
        let v = Int(d)
        guard v >= min else { throw fail("must be at least \(min), got \(v)") }
        return v
    }

    func time() throws(InputError) -> Double {
        let s = try string()
        guard let t = ISOTime.parseEpochSeconds(s) else {
            throw fail("'\(s)' is not an ISO 8601 time with a zone (like 2026-11-02T09:03:02.388Z)")
        }
        return t
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(InputError) -> E where E.RawValue == String {
        let s = try string()
        guard let v = E(rawValue: s) else {
            throw fail("'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }
}

struct ObjectField {
    let field: Field
    let members: [DocNode.Member]

    func member(_ key: String) -> DocNode.Member? { members.first { $0.key == key } }

    /// The value, or an error naming the missing key at the object's position.
    func required(_ key: String) throws(InputError) -> Field {
        guard let m = member(key) else {
            throw InputError(file: field.file, line: field.node.line, column: field.node.column > 0 ? field.node.column : nil,
                             field: field.path.isEmpty ? key : "\(field.path).\(key)",
                             message: "required key '\(key)' is missing")
        }
        return field.child(key, m.value)
    }

    /// The value, or nil when absent or null.
    func optional(_ key: String) -> Field? {
        guard let m = member(key) else { return nil }
        let f = field.child(key, m.value)
        return f.isNull ? nil : f
    }

    func optionalString(_ key: String) throws(InputError) -> String? {
        guard let f = optional(key) else { return nil }
        return try f.string()
    }

    func optionalNumber(_ key: String) throws(InputError) -> Double? {
        guard let f = optional(key) else { return nil }
        return try f.number()
    }

    /// Reject keys not in `allowed`, naming the first unknown one and the valid ones.
    func rejectUnknown(_ allowed: [String], what: String = "key") throws(InputError) {
        for m in members where !allowed.contains(m.key) {
            throw InputError(file: field.file, line: m.keyLine, column: m.keyColumn > 0 ? m.keyColumn : nil,
                             field: field.path.isEmpty ? m.key : "\(field.path).\(m.key)",
                             message: "unknown \(what) '\(m.key)'; valid \(what)s: \(allowed.joined(separator: ", "))")
        }
    }
}
