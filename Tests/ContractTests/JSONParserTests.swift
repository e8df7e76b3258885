import Foundation
import Testing
@testable import Contract

/// SplitMix64, so the generated cases are the same on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func randomValue(_ g: inout SeededGenerator, depth: Int = 0) -> Any {
    let pick = depth > 3 ? Int.random(in: 0..<4, using: &g) : Int.random(in: 0..<6, using: &g)
    switch pick {
    case 0: return Double(Int.random(in: -1_000_000...1_000_000, using: &g)) / 1000
    case 1:
        let alphabet = Array("ab\"\\/\n\t\u{01}é😀 z,:{}[]")
        return String((0..<Int.random(in: 0..<8, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
    case 2: return Bool.random(using: &g)
    case 3: return NSNull()
    case 4: return (0..<Int.random(in: 0..<4, using: &g)).map { _ in randomValue(&g, depth: depth + 1) }
    default:
        var d: [String: Any] = [:]
        for k in 0..<Int.random(in: 0..<4, using: &g) { d["k\(k)\(["", "é", "\""].randomElement(using: &g)!)"] = randomValue(&g, depth: depth + 1) }
        return d
    }
}

/// Whether our tree says the same as Foundation's.
private func same(_ node: DocNode, _ value: Any) -> Bool {
    switch node.value {
    case .null: return value is NSNull
    case .string(let s): return (value as? String) == s
    case .bool(let b): return (value as? Bool) == b
    case .number(let d): return (value as? NSNumber)?.doubleValue == d
    case .array(let items):
        guard let a = value as? [Any], a.count == items.count else { return false }
        return zip(items, a).allSatisfy { same($0, $1) }
    case .object(let members):
        guard let o = value as? [String: Any], o.count == members.count else { return false }
        return members.allSatisfy { m in o[m.key].map { same(m.value, $0) } ?? false }
    }
}

private func parse(_ text: String) throws(InputError) -> DocNode {
    var p = JSONParser(bytes: Array(text.utf8), fileName: "t.json")
    return try p.parseDocument()
}

@Suite struct JSONParserTests {
    @Test func agreesWithFoundationOnGeneratedDocuments() throws {
        var g = SeededGenerator(state: 42)
        for _ in 0..<300 {
            let value = [randomValue(&g, depth: 1), randomValue(&g, depth: 2)]
            let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted])
            let node = try parse(String(decoding: data, as: UTF8.self))
            #expect(same(node, value))
        }
    }

    @Test func neverAcceptsWhatFoundationRejects() throws {
        var g = SeededGenerator(state: 7)
        for _ in 0..<300 {
            let value: [String: Any] = ["a": randomValue(&g, depth: 1), "b": [1, "x", NSNull()]]
            var bytes = Array(try JSONSerialization.data(withJSONObject: value))
            // Damage it: drop, duplicate or replace one byte.
            let k = Int.random(in: 0..<bytes.count, using: &g)
            switch Int.random(in: 0..<3, using: &g) {
            case 0: bytes.remove(at: k)
            case 1: bytes.insert(bytes[k], at: k)
            default: bytes[k] = Array(",:{}[]\"\\ 0-e".utf8).randomElement(using: &g)!
            }
            var p = JSONParser(bytes: bytes, fileName: "t.json")
            if let node = try? p.parseDocument() {
                let foundation = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                #expect(foundation != nil && same(node, foundation!), "accepted \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test func rejectsWhatRFC8259Rejects() {
        let bad = ["{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":NaN}",
                   "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}", "{a:1}", "{\"a\":1}}", "{\"a\":tru}", "",
                   "{" + (0..<20).map { "\"k\($0)\":1" }.joined(separator: ",") + ",\"k3\":2}",
                   "{\"a\":\"line\nbreak\"}", "{\"a\":1e999}", String(repeating: "[", count: 300) + String(repeating: "]", count: 300)]
        for text in bad {
            #expect(throws: InputError.self, "\(text.debugDescription)") { try parse(text) }
        }
    }

    @Test func positionsCountLinesAndUnicodeColumns() {
        let e = expectInputError { () throws(InputError) in try parse("{\n  \"é😀\": [1,\n    2 x]}") }
        #expect(e?.line == 3)
        #expect(e?.column == 7)
        let lineNode = try? parse("{\"a\":\n  {\"é\": \"ü\", \"b\": true}}")
        if case .object(let outer)? = lineNode?.value, case .object(let inner) = outer[0].value.value {
            #expect(outer[0].value.line == 2 && outer[0].value.column == 3)
            #expect(inner[1].keyLine == 2 && inner[1].keyColumn == 14)
        } else {
            Issue.record("unexpected tree")
        }
    }
}
