import Foundation

/// Removes SMTP login credentials from a relay's reply lines before anything keeps them (journal, logs, reason
/// files). A relay that echoes the AUTH exchange would otherwise hand back the base64 login, password included.
///
/// Every line goes through four rules, each replacing text with `[redacted]`:
/// 1. the text of a `334` reply (an AUTH challenge, or an echo of our answer to it);
/// 2. everything after the word `AUTH` (`535 5.7.8 Error: AUTH PLAIN [redacted]`);
/// 3. any run of base64 that decodes to bytes holding the username or password (PLAIN's `\0user\0pass`, LOGIN's
///    separate user and password);
/// 4. any occurrence of the username or password as written, as base64 on its own, in the PLAIN forms, and the
///    part of its base64 form that is the same at every byte offset, so a blob that embeds it is cut too.
public struct SMTPCredentialRedactor: Sendable {
    /// The replacement text.
    public static let marker = "[redacted]"

    private let secrets: [[UInt8]]
    /// Literal forms to cut out, longest first.
    private let needles: [String]

    /// A redactor for this login; with neither a username nor a password it only applies rules 1 and 2.
    public init(username: String?, password: String?) {
        let secrets = [username, password].compactMap { $0 }.filter { !$0.isEmpty }
        self.secrets = secrets.map { Array($0.utf8) }
        var needles = Set<String>()
        for secret in secrets {
            let bytes = Array(secret.utf8)
            needles.insert(secret)
            needles.insert(Data(bytes).base64EncodedString())
            for core in Self.base64Cores(bytes) where core.count >= 4 { needles.insert(core) }
        }
        if let username, let password {
            for plain in ["\0\(username)\0\(password)", "\(username)\0\(username)\0\(password)"] {
                needles.insert(Data(plain.utf8).base64EncodedString())
            }
        }
        self.needles = needles.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// `lines` with every credential removed.
    public func redact(lines: [String]) -> [String] {
        lines.map(redact)
    }

    /// `line` with every credential removed.
    public func redact(_ line: String) -> String {
        var text = line
        // 1. An AUTH challenge or an echo of the answer to it: keep the code only.
        if text.hasPrefix("334") {
            let rest = text.dropFirst(3)
            if rest.isEmpty { return text }
            return "334" + String(rest.prefix(1)) + Self.marker
        }
        // 2. Whatever follows the word AUTH.
        if let range = Self.authWord(in: text) {
            text = String(text[..<range.upperBound]) + " " + Self.marker
        }
        // 3. Runs of base64 that decode to something holding a secret.
        if !secrets.isEmpty { text = redactEncodedRuns(text) }
        // 4. The literal forms.
        for needle in needles where text.contains(needle) {
            text = text.replacingOccurrences(of: needle, with: Self.marker)
        }
        return text
    }

    /// The range of the first whole word `AUTH` (any case), or nil.
    static func authWord(in text: String) -> Range<String.Index>? {
        var search = text.startIndex..<text.endIndex
        while let range = text.range(of: "auth", options: .caseInsensitive, range: search) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let isWordEdge = { (c: Character?) in c.map { !($0.isLetter || $0.isNumber) } ?? true }
            if isWordEdge(before) && isWordEdge(after) { return range }
            search = range.upperBound..<text.endIndex
        }
        return nil
    }

    /// `text` with every maximal run of base64 characters (standard or URL-safe alphabet) that decodes to bytes
    /// holding a secret replaced by the marker. Each run is decoded from its first four characters in turn, so a
    /// run glued to up to three other characters is still recognised.
    private func redactEncodedRuns(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard Self.sextet(scalars[index]) != nil else {
                out.append(scalars[index])
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, Self.sextet(scalars[end]) != nil { end += 1 }
            while end < scalars.count, scalars[end] == "=" { end += 1 }  // padding ends a run
            let run = Array(scalars[index..<end])
            if run.count >= 4, (0..<min(4, run.count)).contains(where: { holdsSecret(Self.decode(run.dropFirst($0))) }) {
                out.append(contentsOf: Self.marker.unicodeScalars)
            } else {
                out.append(contentsOf: run)
            }
            index = end
        }
        return String(out)
    }

    private func holdsSecret(_ bytes: [UInt8]) -> Bool {
        secrets.contains { Self.contains(bytes, $0) }
    }

    /// The six bits a base64 character stands for (both alphabets), or nil.
    private static func sextet(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x41...0x5A: return UInt8(scalar.value - 0x41)
        case 0x61...0x7A: return UInt8(scalar.value - 0x61 + 26)
        case 0x30...0x39: return UInt8(scalar.value - 0x30 + 52)
        case 0x2B, 0x2D: return 62  // + -
        case 0x2F, 0x5F: return 63  // / _
        default: return nil
        }
    }

    /// Lenient base64 decoding: stops at `=`, ignores trailing bits that make no whole byte.
    private static func decode(_ run: ArraySlice<Unicode.Scalar>) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for scalar in run {
            guard let value = sextet(scalar) else { break }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return bytes
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// For each of the three byte offsets at which `secret` can sit inside a longer base64 blob, the run of base64
    /// characters that depends on the secret's bytes alone (so it appears in the blob whatever surrounds the secret).
    static func base64Cores(_ secret: [UInt8]) -> [String] {
        (0..<3).compactMap { offset -> String? in
            let encoded = Array(Data([UInt8](repeating: 0, count: offset) + secret).base64EncodedString())
            let firstBit = 8 * offset
            let endBit = 8 * (offset + secret.count)
            let first = (firstBit + 5) / 6
            let end = endBit / 6
            guard end > first, end <= encoded.count else { return nil }
            return String(encoded[first..<end])
        }
    }
}
