import Foundation
import LaneCore
import Testing
@testable import Contract

private let head = #""time":"2026-11-02T09:03:03.668Z","store":"0042","lane":"sco-03""#

private func posError(_ line: String, number: Int = 4) -> InputError? {
    expectInputError { () throws(InputError) in try POSLineParser(fileName: "pos.jsonl").parse(line: line, number: number) }
}

@Suite struct POSReaderTests {
    @Test func readsAJournalWithDuplicatesBlankLinesAndCRLF() throws {
        let text = [
            #"{"id":"e1","time":"2026-11-02T09:03:02.388Z","store":"0042","lane":"sco-03","type":"transaction_start","transaction":"T1001"}"#,
            #"{"id":"e2","time":"2026-11-02T09:03:03.668Z","store":"0042","lane":"sco-03","type":"item","transaction":"T1001","sku":"0007123456789","barcode":"0007123456789","description":"Art print","quantity":1,"unit_price":19.99,"entry":"scan","operator":"op7","future_field":{"x":1}}"#,
            "",
            #"{"id":"e2","time":"2026-11-02T09:03:03.668Z","store":"0042","lane":"sco-03","type":"item","transaction":"T1001","sku":"0007123456789","quantity":1}"#,
            "   ",
            // Out of order on purpose: the reader sorts by time, keeping file order for ties.
            #"{"id":"e4","time":"2026-11-02T09:03:40.002Z","store":"0042","lane":"sco-03","type":"transaction_end","transaction":"T1001","total":12.49,"tender":"card"}"#,
            #"{"id":"e3","time":"2026-11-02T10:03:09.120+01:00","store":"0042","lane":"sco-03","type":"void","transaction":"T1001","sku":"0007123456789","quantity":1,"unit_price":19.99}"#,
            #"{"time":"2026-11-02T09:03:40.002Z","store":"0042","lane":"sco-03","type":"no_sale","id":17}"#,
        ].joined(separator: "\r\n") + "\r\n"
        let dir = try TempDir()
        defer { dir.cleanup() }
        let url = try dir.write("pos.jsonl", text)
        let journal = try POSReader.readAll(url: url)
        #expect(journal.duplicates == 1)
        #expect(journal.events.map(\.type) == [.transactionStart, .item, .void, .transactionEnd, .noSale])
        #expect(journal.events.map(\.line) == [1, 2, 7, 6, 8])
        let item = journal.events[1]
        #expect(item.time == ISOTime.parseEpochSeconds("2026-11-02T09:03:03.668Z"))
        #expect(item.sku == "0007123456789")
        #expect(item.barcode == "0007123456789")
        #expect(item.description == "Art print")
        #expect(item.quantity == 1)
        #expect(item.unitPrice == 19.99)
        #expect(item.entry == .scan)
        #expect(item.operatorID == "op7")
        #expect(item.transaction == "T1001")
        #expect(journal.events[2].time == ISOTime.parseEpochSeconds("2026-11-02T09:03:09.120Z"))
        #expect(journal.events[3].total == 12.49)
        #expect(journal.events[3].tender == "card")
        #expect(journal.events[4].id == "17")
    }

    @Test func linesAreSplitTheSameWhateverTheChunkSize() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let lines = (1...50).map { "line \($0) " + String(repeating: "é", count: $0 % 7) }
        let url = try dir.write("x.jsonl", "\u{FEFF}" + lines.joined(separator: "\n"))  // BOM, no final newline
        for chunk in [1, 2, 3, 7, 64, 1 << 20] {
            var got: [String] = []
            var numbers: [Int] = []
            try POSReader.forEachLine(url: url, chunkSize: chunk) { (bytes, n) throws(InputError) in
                got.append(String(decoding: bytes, as: UTF8.self))
                numbers.append(n)
            }
            #expect(got == lines)
            #expect(numbers == Array(1...50))
        }
    }

    @Test func badLineInAFileNamesItsLine() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let url = try dir.write("pos.jsonl", "{\(head),\"type\":\"no_sale\"}\n\n{\(head),\"type\":\"item\"\n")
        let e = expectInputError { () throws(InputError) in try POSReader.readAll(url: url) }
        #expect(e?.file == url.path)
        #expect(e?.line == 3)
        #expect(e?.message == "invalid JSON: expected ',' or '}' after the value of 'type', found end of file")
    }

    @Test func notJSON() {
        let e = posError("time=09:03 item 4011")
        #expect(e?.description == "pos.jsonl:4:1: invalid JSON: expected a value, found 't'")
    }

    @Test func notAnObject() {
        let e = posError(#"["item", "4011"]"#)
        #expect(e?.line == 4)
        #expect(e?.message == "each POS event must be a JSON object, got an array")
    }

    @Test func timeIsRequiredAndNeedsAZone() {
        let missing = posError(#"{"store":"0042","lane":"sco-03","type":"no_sale"}"#)
        #expect(missing?.field == "time")
        #expect(missing?.line == 4)
        #expect(missing?.message == "required key 'time' is missing")
        let noZone = posError(#"{"time":"2026-11-02T09:03:03.668","store":"0042","lane":"sco-03","type":"no_sale"}"#)
        #expect(noZone?.description == "pos.jsonl:4:9: time: '2026-11-02T09:03:03.668' is not an ISO 8601 time with a zone (like 2026-11-02T09:03:02.388Z)")
    }

    @Test func typeIsRequiredAndKnown() {
        let missing = posError("{\(head)}")
        #expect(missing?.field == "type")
        let unknown = posError("{\(head),\"type\":\"scan\"}")
        #expect(unknown?.field == "type")
        #expect(unknown?.message == "'scan' is not one of transaction_start, item, void, transaction_end, transaction_cancel, refund, no_sale, price_override")
    }

    @Test func storeAndLaneAreRequiredStrings() {
        let e = posError(#"{"time":"2026-11-02T09:03:03.668Z","lane":"sco-03","type":"no_sale"}"#)
        #expect(e?.field == "store")
        #expect(e?.message == "required key 'store' is missing")
        let n = posError(#"{"time":"2026-11-02T09:03:03.668Z","store":42,"lane":"sco-03","type":"no_sale"}"#)
        #expect(n?.field == "store")
        #expect(n?.message == "expected a string, got a number")
    }

    @Test func itemNeedsSkuOrBarcode() {
        let e = posError("{\(head),\"type\":\"item\",\"quantity\":1}")
        #expect(e?.line == 4)
        #expect(e?.message == "an item event needs 'sku' or 'barcode'")
        let numeric = posError("{\(head),\"type\":\"item\",\"sku\":4011}")
        #expect(numeric?.field == "sku")
        #expect(numeric?.message.hasPrefix("expected a string") == true)
    }

    @Test func numbersMustBeNumbers() {
        let q = posError("{\(head),\"type\":\"item\",\"sku\":\"4011\",\"quantity\":\"2\"}")
        #expect(q?.field == "quantity")
        #expect(q?.message == "expected a number, got a string")
        let p = posError("{\(head),\"type\":\"item\",\"sku\":\"4011\",\"unit_price\":true}")
        #expect(p?.field == "unit_price")
        let t = posError("{\(head),\"type\":\"transaction_end\",\"total\":\"12.49\"}")
        #expect(t?.field == "total")
    }

    @Test func entryMustBeKnown() {
        let e = posError("{\(head),\"type\":\"item\",\"sku\":\"4011\",\"entry\":\"manual\"}")
        #expect(e?.field == "entry")
        #expect(e?.message == "'manual' is not one of scan, plu, keyed, weighed")
    }

    @Test func blankLinesAndNullsAreFine() throws {
        let parser = POSLineParser(fileName: "pos.jsonl")
        #expect(try parser.parse(line: "  \t ", number: 1) == nil)
        let e = try parser.parse(line: "{\(head),\"type\":\"item\",\"sku\":\"4011\",\"barcode\":null,\"entry\":\"plu\",\"quantity\":0.532}", number: 9)
        #expect(e?.barcode == nil)
        #expect(e?.entry == .plu)
        #expect(e?.quantity == 0.532)
        #expect(e?.line == 9)
    }

    @Test func batchReportsTheFirstBadIndex() {
        let parser = POSLineParser(fileName: "request")
        let body = "[{\(head),\"type\":\"no_sale\"},{\(head),\"type\":\"item\"},{\(head),\"type\":\"no_sale\"}]"
        let result = parser.parseBatch(data: Data(body.utf8))
        #expect(result.events.count == 1)
        #expect(result.failure?.index == 1)
        #expect(result.failure?.error.message == "an item event needs 'sku' or 'barcode'")
        let single = parser.parseBatch(data: Data("{\(head),\"type\":\"no_sale\"}".utf8))
        #expect(single.events.count == 1)
        #expect(single.failure == nil)
        let bad = parser.parseBatch(data: Data("{\(head),\"type\":\"void\"},".utf8))
        #expect(bad.failure?.index == 0)
        #expect(bad.failure?.error.message.hasPrefix("invalid JSON") == true)
        let typed = parser.parseBatch(data: Data("[{\(head),\"type\":\"void\",\"quantity\":\"x\"}]".utf8))
        #expect(typed.failure?.error.field == "[0].quantity")
    }
}
