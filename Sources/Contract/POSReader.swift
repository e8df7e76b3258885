import Foundation

/// A POS journal read from a file: events stable-sorted by time.
public struct POSJournal: Sendable {
    public var events: [POSEvent]
    /// Events skipped because their `id` had already been accepted.
    public var duplicates: Int

    public init(events: [POSEvent], duplicates: Int) {
        self.events = events
        self.duplicates = duplicates
    }
}

/// Parses one line (or one object) of POS JSON into a `POSEvent`. Shared by the
/// file reader and the live service. Unknown keys are ignored (forward compatible).
public struct POSLineParser: Sendable {
    public var fileName: String

    public init(fileName: String) { self.fileName = fileName }

    /// nil for a blank line.
    public func parse(line: String, number: Int) throws(InputError) -> POSEvent? {
        try parse(bytes: Array(line.utf8), number: number)
    }

    /// nil for a blank line. `number` is the 1-based line in the file.
    public func parse(bytes: [UInt8], number: Int) throws(InputError) -> POSEvent? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) { return nil }
        var parser = JSONParser(bytes: bytes, fileName: fileName, firstLine: number)
        let node = try parser.parseDocument()
        return try event(from: Field(node: node, path: "", file: fileName), line: number)
    }

    /// The body of `POST /api/v1/pos/events`: one event object or an array of them.
    /// Stops at the first bad event; the ones before it are returned with its index.
    public func parseBatch(data: Data) -> (events: [POSEvent], failure: (index: Int, error: InputError)?) {
        let node: DocNode
        do {
            var parser = JSONParser(bytes: [UInt8](data), fileName: fileName)
            node = try parser.parseDocument()
        } catch {
            return ([], (0, error))
        }
        let root = Field(node: node, path: "", file: fileName)
        var events: [POSEvent] = []
        if case .array(let items) = node.value {
            for (k, item) in items.enumerated() {
                do {
                    events.append(try event(from: root.element(k, item), line: item.line))
                } catch {
                    return (events, (k, error))
                }
            }
            return (events, nil)
        }
        do {
            return ([try event(from: root, line: node.line)], nil)
        } catch {
            return ([], (0, error))
        }
    }

    func event(from root: Field, line: Int) throws(InputError) -> POSEvent {
        guard case .object = root.node.value else {
            throw root.fail("each POS event must be a JSON object, got \(root.node.kindName)")
        }
        let obj = try root.object()
        let time = try obj.required("time").time()
        let type = try obj.required("type").enumValue(POSEventType.self)
        let store = try obj.required("store").nonEmptyString()
        let lane = try obj.required("lane").nonEmptyString()
        var e = POSEvent(time: time, store: store, lane: lane, type: type, line: line)
        e.transaction = try identifier(obj, "transaction")
        e.sku = try code(obj, "sku")
        e.barcode = try code(obj, "barcode")
        e.description = try obj.optionalString("description")
        e.quantity = try obj.optionalNumber("quantity")
        e.unitPrice = try obj.optionalNumber("unit_price")
        e.total = try obj.optionalNumber("total")
        e.tender = try obj.optionalString("tender")
        e.operatorID = try identifier(obj, "operator")
        e.id = try identifier(obj, "id")
        if let f = obj.optional("entry") { e.entry = try f.enumValue(ItemEntry.self) }
        if type == .item, e.sku == nil, e.barcode == nil {
            throw InputError(file: root.file, line: root.node.line, column: root.node.column, field: "sku",
                             message: "an item event needs 'sku' or 'barcode'")
        }
        return e
    }

    /// Ids may be numbers in some POS exports; whole numbers are taken as their text.
    private func identifier(_ obj: ObjectField, _ key: String) throws(InputError) -> String? {
        guard let f = obj.optional(key) else { return nil }
        if case .number = f.node.value, f.node.plainText == nil {
            return String(try f.integer())
        }
        return try f.nonEmptyString()
    }

    /// SKUs and barcodes must be strings: as numbers they would lose leading zeros.
    private func code(_ obj: ObjectField, _ key: String) throws(InputError) -> String? {
        guard let f = obj.optional(key) else { return nil }
        if case .number = f.node.value {
            throw f.fail("expected a string (write codes in quotes: as a number a code loses its leading zeros)")
        }
        return try f.nonEmptyString()
    }
}

/// Reads a POS journal (`pos.jsonl`), one JSON object a line, streaming the file.
public enum POSReader {
    public static func readAll(url: URL) throws(InputError) -> POSJournal {
        let name = DocumentParser.displayName(url)
        let parser = POSLineParser(fileName: name)
        var events: [POSEvent] = []
        var seen = Set<String>()
        var duplicates = 0
        try forEachLine(url: url) { (bytes, number) throws(InputError) in
            guard let e = try parser.parse(bytes: bytes, number: number) else { return }
            if let id = e.id, !seen.insert(id).inserted {
                duplicates += 1
                return
            }
            events.append(e)
        }
        // Stable: events with the same time keep their file order.
        let sorted = events.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        return POSJournal(events: sorted, duplicates: duplicates)
    }

    /// Calls `body` with each line (without its line break) and its 1-based number,
    /// reading the file in chunks so a large journal is never one string.
    public static func forEachLine(url: URL, chunkSize: Int = 1 << 20,
                                   _ body: ([UInt8], Int) throws(InputError) -> Void) throws(InputError) {
        let name = DocumentParser.displayName(url)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw InputError(file: name, line: 0, message: "no such file")
        }
        if isDir.boolValue { throw InputError(file: name, line: 0, message: "is a directory, not a file") }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw InputError(file: name, line: 0, message: "cannot open the file: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 0
        var bomChecked = false
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw InputError(file: name, line: number, message: "cannot read the file: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            pending.append(contentsOf: chunk)
            var start = 0
            if !bomChecked {
                if pending.count < 3 { continue }
                if pending.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
                bomChecked = true
            }
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                number += 1
                var end = nl
                if end > start, pending[end - 1] == 0x0D { end -= 1 }
                try body(Array(pending[start..<end]), number)
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        if !bomChecked, pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
        if !pending.isEmpty {
            number += 1
            if pending.last == 0x0D { pending.removeLast() }
            try body(pending, number)
        }
    }
}
