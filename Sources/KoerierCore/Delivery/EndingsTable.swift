/// How finished actions ended, by the 64-bit hash of their id: an open-addressing table of two flat arrays (hash,
/// and terminal kind with 56 bits of the file name's hash), 16 bytes a slot, filled to at most 7/8 before it
/// doubles. A `Dictionary<UInt64, Ending>` took 24 bytes a slot at most 3/4 full: 100,000 finished actions in one
/// run cost 6 MiB there (after its last doubling) and 2 MiB here.
struct EndingsTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: 0, count: 1024)
        values = [UInt64](repeating: 0, count: 1024)
    }

    /// The ending recorded for `hash`, if any.
    subscript(hash: UInt64) -> JournalIndex.Ending? {
        get {
            let key = Self.key(hash)
            var slot = Int(truncatingIfNeeded: key) & (keys.count - 1)
            while keys[slot] != 0 {
                if keys[slot] == key { return Self.ending(values[slot]) }
                slot = (slot + 1) & (keys.count - 1)
            }
            return nil
        }
        set {
            guard let newValue else { return }  // endings are never forgotten within a run
            if (count + 1) * 8 > keys.count * 7 { grow() }
            insert(Self.key(hash), Self.pack(newValue))
        }
    }

    private mutating func insert(_ key: UInt64, _ value: UInt64) {
        var slot = Int(truncatingIfNeeded: key) & (keys.count - 1)
        while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & (keys.count - 1) }
        if keys[slot] == 0 { count += 1 }
        keys[slot] = key
        values[slot] = value
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [UInt64](repeating: 0, count: oldKeys.count * 2)
        count = 0
        for index in oldKeys.indices where oldKeys[index] != 0 { insert(oldKeys[index], oldValues[index]) }
    }

    /// 0 marks an empty slot, so a hash of 0 is stored as 1; the bits are mixed so that linear probing spreads.
    private static func key(_ hash: UInt64) -> UInt64 {
        var mixed = hash ^ (hash >> 33)
        mixed = mixed &* 0xff51afd7ed558ccd
        mixed ^= mixed >> 33
        return mixed == 0 ? 1 : mixed
    }

    private static let kinds = JournalEvent.Kind.allCases

    private static func pack(_ ending: JournalIndex.Ending) -> UInt64 {
        let kind = UInt64(kinds.firstIndex(of: ending.kind) ?? 0)
        return kind << 56 | (ending.file & 0x00FF_FFFF_FFFF_FFFF)
    }

    private static func ending(_ value: UInt64) -> JournalIndex.Ending {
        JournalIndex.Ending(kind: kinds[Int(value >> 56)], file: value & 0x00FF_FFFF_FFFF_FFFF)
    }
}
