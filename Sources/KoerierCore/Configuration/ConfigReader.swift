import Foundation

/// Reads one YAML mapping strictly: unknown keys are errors, every error names the full key path.
struct ConfigReader {
    let file: String
    let path: String
    let map: [String: Any]
    let baseDirectory: String

    init(_ value: Any?, file: String, path: String, baseDirectory: String, allowed: Set<String>) throws(ConfigError) {
        self.file = file
        self.path = path
        self.baseDirectory = baseDirectory
        if value == nil || value is NSNull {
            self.map = [:]
            return
        }
        guard let map = value as? [String: Any] else {
            throw ConfigError(file: file, key: path, reason: "must be a mapping of keys to values")
        }
        if let unknown = map.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw ConfigError(file: file, key: path.isEmpty ? unknown : "\(path).\(unknown)", reason: "is not a known setting (known here: \(allowed.sorted().joined(separator: ", ")))")
        }
        self.map = map
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func fail(_ name: String, _ reason: String) -> ConfigError { ConfigError(file: file, key: key(name), reason: reason) }

    func has(_ name: String) -> Bool { map[name] != nil && !(map[name] is NSNull) }

    func child(_ name: String, allowed: Set<String>) throws(ConfigError) -> ConfigReader {
        try ConfigReader(map[name], file: file, path: key(name), baseDirectory: baseDirectory, allowed: allowed)
    }

    func list(_ name: String) throws(ConfigError) -> [Any] {
        guard has(name) else { return [] }
        guard let list = map[name] as? [Any] else { throw fail(name, "must be a list") }
        return list
    }

    func string(_ name: String) throws(ConfigError) -> String? {
        guard has(name) else { return nil }
        switch map[name] {
        case let s as String: return s
        case let i as Int: return String(i)
        default: throw fail(name, "must be text")
        }
    }

    func string(_ name: String, default value: String) throws(ConfigError) -> String {
        try string(name) ?? value
    }

    func requiredString(_ name: String) throws(ConfigError) -> String {
        guard let value = try string(name), !value.isEmpty else { throw fail(name, "is required") }
        return value
    }

    func bool(_ name: String, default value: Bool) throws(ConfigError) -> Bool {
        guard has(name) else { return value }
        guard let b = map[name] as? Bool else { throw fail(name, "must be true or false") }
        return b
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard has(name) else { return value }
        guard let i = map[name] as? Int, !(map[name] is Bool) else { throw fail(name, "must be a whole number") }
        guard range.contains(i) else { throw fail(name, "is \(i); it must be between \(range.lowerBound) and \(range.upperBound)") }
        return i
    }

    func double(_ name: String, default value: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard has(name) else { return value }
        let d: Double
        if let i = map[name] as? Int, !(map[name] is Bool) { d = Double(i) } else if let x = map[name] as? Double { d = x } else {
            throw fail(name, "must be a number")
        }
        guard range.contains(d) else { throw fail(name, "is \(d); it must be between \(range.lowerBound) and \(range.upperBound)") }
        return d
    }

    /// A duration such as `300`, `300s`, `5m`, `2h` or `2d`, in seconds.
    func duration(_ name: String, default value: TimeInterval) throws(ConfigError) -> TimeInterval {
        guard has(name) else { return value }
        if let i = map[name] as? Int, !(map[name] is Bool) {
            guard i >= 0 else { throw fail(name, "is \(i); a duration cannot be negative") }
            return TimeInterval(i)
        }
        guard let text = map[name] as? String, let seconds = Self.parseDuration(text) else {
            throw fail(name, "must be a duration such as 300s, 5m, 2h or 2d")
        }
        return seconds
    }

    static func parseDuration(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let last = text.last else { return nil }
        if let unit = units[last], let n = Double(text.dropLast()), n >= 0 { return n * unit }
        if let n = Double(text), n >= 0 { return n }
        return nil
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
            throw fail(name, "secrets may not be written in the configuration; use \(name)_env (an environment variable) or \(name)_file (a file)")
        }
        if let variable = try string("\(name)_env") {
            guard let value = environment[variable], !value.isEmpty else {
                throw fail("\(name)_env", "names the environment variable \(variable), which is not set or empty")
            }
            return value
        }
        if let file = try path("\(name)_file", default: nil) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw fail("\(name)_file", "names \(file), which cannot be read")
            }
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw fail("\(name)_file", "names \(file), which is empty") }
            return value
        }
        return nil
    }

    /// A wall-clock time `HH:MM`, in minutes after midnight.
    func clockTime(_ name: String, default value: Int) throws(ConfigError) -> Int {
        guard let text = try string(name) else { return value }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else {
            throw fail(name, "\"\(text)\" must be a time like 07:00")
        }
        return h * 60 + m
    }
}
