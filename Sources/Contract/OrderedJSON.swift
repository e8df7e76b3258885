import Foundation

/// A JSON value whose object keys keep the order they were given in, so the files
/// we write follow the contract's key order and are byte-for-byte deterministic.
public indirect enum OrderedJSON: Sendable {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    /// Whole numbers without a fraction, others in Swift's shortest round-trip form; NaN and infinities become null.
    case number(Double)
    case int(Int)
    case bool(Bool)
    case null

    public static func optional(_ s: String?) -> OrderedJSON { s.map { .string($0) } ?? .null }
    public static func optional(_ d: Double?) -> OrderedJSON { d.map { .number($0) } ?? .null }
    public static func optional(_ i: Int?) -> OrderedJSON { i.map { .int($0) } ?? .null }

    /// Two-space indentation; arrays of plain values stay on one line. Ends with a newline.
    public func serialized() -> String {
        var out = ""
        write(into: &out, indent: 0)
        out += "\n"
        return out
    }

    public func data() -> Data { Data(serialized().utf8) }

    private var isContainer: Bool {
        switch self {
        case .object(let m): return !m.isEmpty
        case .array(let a): return !a.isEmpty
        default: return false
        }
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            let pad = String(repeating: "  ", count: indent + 1)
            out += "{\n"
            for (k, (key, value)) in members.enumerated() {
                out += pad
                Self.writeString(key, into: &out)
                out += ": "
                value.write(into: &out, indent: indent + 1)
                out += k == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if !items.contains(where: \.isContainer) {
                out += "["
                for (k, v) in items.enumerated() {
                    if k > 0 { out += ", " }
                    v.write(into: &out, indent: indent)
                }
                out += "]"
                return
            }
            let pad = String(repeating: "  ", count: indent + 1)
            out += "[\n"
            for (k, v) in items.enumerated() {
                out += pad
                v.write(into: &out, indent: indent + 1)
                out += k == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .string(let s):
            Self.writeString(s, into: &out)
        case .number(let d):
            if !d.isFinite {
                out += "null"
            } else if d == d.rounded(), abs(d) < 1e15 {
                out += String(Int64(d))  // 2, not 2.0; also turns -0 into 0
            } else {
                out += "\(d)"
            }
        case .int(let i):
            out += String(i)
        case .bool(let b):
            out += b ? "true" : "false"
        case .null:
            out += "null"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
