import Testing
@testable import KoerierCore

@Suite("Endings table")
struct EndingsTableTests {
    @Test("200,000 endings: each found with its kind and file, absent ids not found, a later ending replaces an earlier")
    func manyEndings() {
        var table = EndingsTable()
        var generator = SystemRandomNumberGenerator()
        let kinds: [JournalEvent.Kind] = [.sent, .failed, .rejected, .cancelled, .expired]
        var expected: [UInt64: JournalIndex.Ending] = [:]
        for index in 0..<200_000 {
            // Hash 0 and neighbouring values as well as random ones.
            let hash = index < 16 ? UInt64(index) : UInt64.random(in: .min ... .max, using: &generator)
            let ending = JournalIndex.Ending(kind: kinds[index % kinds.count], fileName: "file-\(index).json")
            table[hash] = ending
            expected[hash] = ending
        }
        #expect(table.count == expected.count)
        for (hash, ending) in expected { #expect(table[hash] == ending) }
        var absent = 0
        for _ in 0..<10_000 {
            let hash = UInt64.random(in: .min ... .max, using: &generator)
            if expected[hash] == nil, table[hash] != nil { absent += 1 }
        }
        #expect(absent == 0)
        table[5] = JournalIndex.Ending(kind: .expired, fileName: "other.json")
        #expect(table[5] == JournalIndex.Ending(kind: .expired, fileName: "other.json"))
        #expect(table[5]?.ended(under: "other.json") == true)
        #expect(table[5]?.ended(under: "file-5.json") == false)
        #expect(table.count == expected.count)
    }
}
