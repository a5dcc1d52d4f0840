import Foundation

/// Reads one YAML mapping strictly: unknown keys are errors, every error names the full key path.
///
/// Every number and duration is range-checked here, before it is converted to anything else, so no later
/// conversion (to `Int`, `Duration`, a `Date` offset) can trap.
///
/// With a shared `ConfigProblems` a reader records each problem and carries on with the default, so one
/// load reports every bad key; without one it throws the first problem, as its signatures say.
struct ConfigReader {
    let file: String
    let path: String
    let map: [String: Any]
    let baseDirectory: String
    /// Where problems go when the reader carries on (nil: throw the first one).
    let problems: ConfigProblems?

    init(
        _ value: Any?, file: String, path: String, baseDirectory: String, allowed: Set<String>, problems: ConfigProblems? = nil
    ) throws(ConfigError) {
        self.file = file
        self.path = path
        self.baseDirectory = baseDirectory
        self.problems = problems
        if value == nil || value is NSNull {
            self.map = [:]
            return
        }
        guard let map = value as? [String: Any] else {
            self.map = [:]
            try report(ConfigError(file: file, key: path, reason: "must be a mapping of keys to values"))
            return
        }
        let unknown = map.keys.filter { !allowed.contains($0) }.sorted()
        self.map = unknown.isEmpty ? map : map.filter { allowed.contains($0.key) }
        let known = allowed.sorted().joined(separator: ", ")
        for name in unknown {
            try report(ConfigError(file: file, key: path.isEmpty ? name : "\(path).\(name)", reason: "is not a known setting (known here: \(known))"))
        }
    }

    /// A reader for `value` at `path` (a list entry, a map value) that shares this reader's problems.
    func reader(for value: Any?, path: String, allowed: Set<String>) throws(ConfigError) -> ConfigReader {
        try ConfigReader(value, file: file, path: path, baseDirectory: baseDirectory, allowed: allowed, problems: problems)
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func fail(_ name: String, _ reason: String) -> ConfigError { ConfigError(file: file, key: key(name), reason: reason) }

    /// Records a problem with `name` and carries on, or throws it when this reader collects nothing.
    func report(_ name: String, _ reason: String) throws(ConfigError) {
        try report(fail(name, reason))
    }

    /// Records `error` and carries on, or throws it when this reader collects nothing.
    func report(_ error: ConfigError) throws(ConfigError) {
        guard let problems else { throw error }
        problems.record(error)
    }

    func has(_ name: String) -> Bool { map[name] != nil && !(map[name] is NSNull) }

    func child(_ name: String, allowed: Set<String>) throws(ConfigError) -> ConfigReader {
        try reader(for: map[name], path: key(name), allowed: allowed)
    }

    func list(_ name: String) throws(ConfigError) -> [Any] {
        guard has(name) else { return [] }
        guard let list = map[name] as? [Any] else {
            try report(name, "must be a list")
            return []
        }
        return list
    }

    func string(_ name: String) throws(ConfigError) -> String? {
        guard has(name) else { return nil }
        switch map[name] {
        case let s as String: return s
        case let i as Int: return String(i)
        default:
            try report(name, "must be text")
            return nil
        }
    }

    func string(_ name: String, default value: String) throws(ConfigError) -> String {
        try string(name) ?? value
    }

    /// The text at `name`; when it is missing or empty, records "is required" and returns "".
    func requiredString(_ name: String) throws(ConfigError) -> String {
        let problemsBefore = problems?.all.count
        guard let value = try string(name), !value.isEmpty else {
            // A value of the wrong type was reported already; "is required" would only repeat it.
            if problemsBefore == nil || problems?.all.count == problemsBefore { try report(name, "is required") }
            return ""
        }
        return value
    }

    func bool(_ name: String, default value: Bool) throws(ConfigError) -> Bool {
        guard has(name) else { return value }
        guard let b = map[name] as? Bool else {
            try report(name, "must be true or false")
            return value
        }
        return b
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard has(name) else { return value }
        let bounds = "between \(range.lowerBound) and \(range.upperBound)"
        guard let i = map[name] as? Int, !(map[name] is Bool) else {
            try report(name, "must be a whole number \(bounds)")
            return value
        }
        guard range.contains(i) else {
            try report(name, "is \(i); it must be \(bounds)")
            return value
        }
        return i
    }

    func double(_ name: String, default value: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard has(name) else { return value }
        let bounds = "between \(Self.number(range.lowerBound)) and \(Self.number(range.upperBound))"
        let d: Double
        if let i = map[name] as? Int, !(map[name] is Bool) { d = Double(i) } else if let x = map[name] as? Double { d = x } else {
            try report(name, "must be a number \(bounds)")
            return value
        }
        guard d.isFinite, range.contains(d) else {
            try report(name, "is \(d); it must be \(bounds)")
            return value
        }
        return d
    }

    /// The widest duration any key accepts when its caller names no range: one year.
    static let anyDuration: ClosedRange<TimeInterval> = 0...(366 * 86_400)

    /// A duration such as `300`, `300s`, `5m`, `2h` or `2d`, in seconds, within `range`.
    ///
    /// Infinite, not-a-number and out-of-range values are refused here, before any conversion, with the key
    /// path and the allowed range in the message.
    func duration(_ name: String, default value: TimeInterval, range: ClosedRange<TimeInterval> = anyDuration) throws(ConfigError) -> TimeInterval {
        guard has(name) else { return value }
        let bounds = "between \(Self.durationText(range.lowerBound)) and \(Self.durationText(range.upperBound))"
        let seconds: Double
        let written: String
        switch map[name] {
        case let b as Bool:
            try report(name, "is \(b); it must be a duration such as 300s, 5m, 2h or 2d, \(bounds)")
            return value
        case let i as Int:
            seconds = Double(i)
            written = String(i)
        case let d as Double:
            seconds = d
            written = "\(d)"
        case let text as String:
            guard let parsed = Self.parseSignedDuration(text) else {
                try report(name, "\"\(text.debugEscaped)\" must be a duration such as 300s, 5m, 2h or 2d, \(bounds)")
                return value
            }
            seconds = parsed
            written = text
        default:
            try report(name, "must be a duration such as 300s, 5m, 2h or 2d, \(bounds)")
            return value
        }
        guard seconds.isFinite, range.contains(seconds) else {
            let negative = seconds < 0 ? "a duration cannot be negative; " : ""
            try report(name, "is \(written.debugEscaped); \(negative)it must be \(bounds)")
            return value
        }
        return seconds
    }

    /// A non-negative duration text (`300`, `300s`, `5m`, `1.5h`, `2d`) in seconds, or nil.
    static func parseDuration(_ text: String) -> TimeInterval? {
        guard let seconds = parseSignedDuration(text), seconds >= 0 else { return nil }
        return seconds
    }

    /// Digits with an optional fraction and sign, then an optional unit s, m, h or d; nil for anything else
    /// (exponents, `inf`, `nan`, spaces inside). The result may be infinite for absurdly many digits.
    static func parseSignedDuration(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var unit = 1.0
        if let last = number.last, let factor = units[last] {
            unit = factor
            number = number.dropLast()
        }
        let digits = number.hasPrefix("-") ? number.dropFirst() : number
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !parts.isEmpty, !parts[0].isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              let n = Double(number) else { return nil }
        return n * unit
    }

    /// `90` as `90s`, `3600` as `1h`, `1209600` as `14d`: the largest unit that divides evenly.
    static func durationText(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds > 0, seconds == seconds.rounded() else { return "\(number(seconds))s" }
        for (unit, size) in [("d", 86_400.0), ("h", 3600), ("m", 60)] where seconds.truncatingRemainder(dividingBy: size) == 0 {
            return "\(number(seconds / size))\(unit)"
        }
        return "\(number(seconds))s"
    }

    /// `5` rather than `5.0`; other values as Swift prints them.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// A path, made absolute against the folder of the configuration file.
    func path(_ name: String, default value: String?) throws(ConfigError) -> String? {
        guard let raw = try string(name) ?? value else { return nil }
        if raw.hasPrefix("/") { return (raw as NSString).standardizingPath }
        return ((baseDirectory as NSString).appendingPathComponent(raw) as NSString).standardizingPath
    }

    /// A secret given as `<name>_env` (an environment variable) or `<name>_file` (a file holding it).
    /// A key `<name>` itself is refused: secrets are never written in the configuration file.
    func secret(_ name: String, environment: [String: String]) throws(ConfigError) -> String? {
        if has(name) {
            try report(name, "secrets may not be written in the configuration; use \(name)_env (an environment variable) or \(name)_file (a file)")
        }
        if let variable = try string("\(name)_env") {
            guard let value = environment[variable], !value.isEmpty else {
                try report("\(name)_env", "names the environment variable \(variable), which is not set or empty")
                return nil
            }
            return value
        }
        if let file = try path("\(name)_file", default: nil) {
            guard let data = FileManager.default.contents(atPath: file) else {
                try report("\(name)_file", "names \(file), which cannot be read")
                return nil
            }
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                try report("\(name)_file", "names \(file), which is empty")
                return nil
            }
            return value
        }
        return nil
    }

    /// A wall-clock time `HH:MM`, in minutes after midnight.
    func clockTime(_ name: String, default value: Int) throws(ConfigError) -> Int {
        guard let text = try string(name) else { return value }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else {
            try report(name, "\"\(text.debugEscaped)\" must be a time like 07:00")
            return value
        }
        return h * 60 + m
    }
}

private extension Character {
    /// 0-9 only (not other scripts' digits, which `Double` would not read anyway).
    var isASCIIDigit: Bool { isASCII && isNumber }
}
