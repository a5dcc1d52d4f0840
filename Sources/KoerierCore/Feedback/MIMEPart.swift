import Foundation

/// A bounded reader of one MIME entity (RFC 2045/2046): header fields, body, and the parts of a multipart body.
/// Built for hostile input: header sections, field counts, part counts, nesting and line lengths are all capped, and
/// anything beyond a cap is cut off or refused, never followed.
public struct MIMEPart: Sendable {
    /// The caps that keep a hostile message cheap.
    public enum Limits {
        /// Bytes of a header section read at most.
        public static let headerBytes = 64 * 1024
        /// Header fields kept at most.
        public static let fields = 500
        /// Bytes of one (unfolded) field kept at most.
        public static let fieldBytes = 8 * 1024
        /// Parts of one multipart body read at most.
        public static let parts = 64
        /// Multipart nesting followed at most.
        public static let depth = 6
        /// The longest boundary RFC 2046 allows.
        public static let boundaryBytes = 70
    }

    /// Header fields in order, names lower-cased, values unfolded.
    public let fields: [(name: String, value: String)]
    /// The body bytes (not decoded).
    public let body: ArraySlice<UInt8>

    /// Splits `bytes` into header fields and body; a message without an empty line is all header.
    public init(_ bytes: ArraySlice<UInt8>) {
        var fields: [(name: String, value: String)] = []
        var index = bytes.startIndex
        var headerEnd = bytes.endIndex
        var bodyStart = bytes.endIndex
        var current: [UInt8] = []
        func flush() {
            defer { current.removeAll(keepingCapacity: true) }
            guard fields.count < Limits.fields, let colon = current.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return }
            let name = String(decoding: current[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty, !name.contains(" ") else { return }
            let value = String(decoding: current[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            fields.append((name, value))
        }
        while index < bytes.endIndex {
            guard index - bytes.startIndex < Limits.headerBytes else { headerEnd = index; bodyStart = bytes.endIndex; break }
            let lineEnd = bytes[index...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var line = bytes[index..<lineEnd]
            if line.last == 0x0D { line = line.dropLast() }
            let next = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
            if line.isEmpty {
                headerEnd = index
                bodyStart = next
                break
            }
            if line.first == 0x20 || line.first == 0x09 {
                if current.count < Limits.fieldBytes { current.append(0x20); current.append(contentsOf: line.drop { $0 == 0x20 || $0 == 0x09 }.prefix(Limits.fieldBytes)) }
            } else {
                flush()
                current.append(contentsOf: line.prefix(Limits.fieldBytes))
            }
            index = next
        }
        flush()
        _ = headerEnd
        self.fields = fields
        self.body = bytes[bodyStart...]
    }

    /// The first value of field `name` (lower-case).
    public func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// `Content-Type` as lower-case `type/subtype` and its parameters (names lower-case); `text/plain` when absent.
    public var contentType: (type: String, parameters: [String: String]) {
        Self.parseContentType(field("content-type") ?? "text/plain")
    }

    /// Parses a Content-Type value (quoted parameter values allowed).
    static func parseContentType(_ value: String) -> (type: String, parameters: [String: String]) {
        let pieces = Self.splitParameters(value)
        let type = (pieces.first ?? "text/plain").trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst().prefix(20) {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if raw.hasPrefix("\"") && raw.hasSuffix("\"") && raw.count >= 2 {
                raw = String(raw.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if parameters[name] == nil { parameters[name] = raw }
        }
        return (type, parameters)
    }

    /// Splits at `;` outside quotes.
    private static func splitParameters(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" && quoted { current.append(character); escaped = true; continue }
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        return pieces
    }

    /// The body decoded from its Content-Transfer-Encoding (base64 and quoted-printable; others as they are).
    public var decodedBody: [UInt8] {
        switch field("content-transfer-encoding")?.lowercased() {
        case "base64":
            return Data(base64Encoded: Data(body), options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
        case "quoted-printable":
            return Self.decodeQuotedPrintable(body)
        default:
            return Array(body)
        }
    }

    static func decodeQuotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                let a = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex - 1)
                let b = bytes.index(index, offsetBy: 2, limitedBy: bytes.endIndex - 1)
                if let a, let b, let high = hex(bytes[a]), let low = hex(bytes[b]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
                // A soft line break: "=" then CRLF or LF.
                var skip = index + 1
                if skip < bytes.endIndex && bytes[skip] == 0x0D { skip += 1 }
                if skip < bytes.endIndex && bytes[skip] == 0x0A { index = skip + 1; continue }
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    /// The parts of a multipart body, at most `Limits.parts`; empty when there is no usable boundary or when the
    /// closing part never starts.
    public var parts: [MIMEPart] {
        let type = contentType
        guard type.type.hasPrefix("multipart/"), let boundary = type.parameters["boundary"],
              !boundary.isEmpty, boundary.utf8.count <= Limits.boundaryBytes else { return [] }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [MIMEPart] = []
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let lineEnd = body[index...].firstIndex(of: 0x0A) ?? body.endIndex
            var line = body[index..<lineEnd]
            if line.last == 0x0D { line = line.dropLast() }
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let closing = rest.starts(with: [0x2D, 0x2D])
                if closing || rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    if let start = partStart {
                        // The line break before the delimiter belongs to the delimiter.
                        var end = index
                        if end > start && body[end - 1] == 0x0A { end -= 1 }
                        if end > start && body[end - 1] == 0x0D { end -= 1 }
                        parts.append(MIMEPart(body[start..<max(start, end)]))
                        if parts.count >= Limits.parts { return parts }
                    }
                    if closing { return parts }
                    partStart = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
                }
            }
            index = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
        }
        // No closing delimiter: keep the last part as it is (many real bounces are cut short).
        if let start = partStart, start < body.endIndex { parts.append(MIMEPart(body[start...])) }
        return parts
    }
}
