import Foundation
import KoerierCore

// The provider-neutral part of the SMS provider codecs: the protocol every provider implements, the
// reference derivation required by CONTRACT.md ("Message identity"), the registry by `kind`, and the small
// pure helpers the codecs share (JSON writing, form encoding, Retry-After parsing, detail clipping).
//
// Everything here is pure: a codec builds an `HTTPRequestSpec` and classifies an `HTTPResponseSpec`;
// it never touches the network.

/// Turns one SMS into one provider HTTP request, and the provider's answer into an `SMSOutcome`.
public protocol SMSProviderCodec: Sendable {
    /// The configuration `kind` (`messagebird`, `cm`, `spryng`, `twilio`, `vonage`, `http`).
    var kind: String { get }
    /// Longest reference the provider keeps; longer action ids are mapped with `SMSReference.derive`.
    var maxReferenceLength: Int { get }
    /// The request that hands `message` to the provider. Throws only for settings that cannot work
    /// (for example Twilio without an Account SID); never for message content.
    func request(for message: OutgoingSMS, settings: SMSProviderSettings) throws(SMSProviderSettingsError) -> HTTPRequestSpec
    /// The class of the provider's answer to `request(for:settings:)`.
    func classify(_ response: HTTPResponseSpec) -> SMSOutcome
    /// A request that asks the provider whether it has a message with this reference (nil where the API has none).
    func lookupRequest(reference: String, settings: SMSProviderSettings) -> HTTPRequestSpec?
    /// The class of the provider's answer to `lookupRequest(reference:settings:)`.
    func classifyLookup(_ response: HTTPResponseSpec, reference actionID: String) -> SMSLookupOutcome
}

extension SMSProviderCodec {
    /// The reference this codec puts in the provider's reference field for `actionID`.
    public func reference(for actionID: String) -> String {
        SMSReference.derive(actionID, maxLength: maxReferenceLength)
    }
}

/// Maps an action id onto a provider's reference field (CONTRACT.md, "Message identity").
public enum SMSReference {
    /// The action id itself when it fits in `maxLength` UTF-8 bytes; otherwise a stable prefix of it, `-`,
    /// and the 16 hex digits of its 64-bit FNV-1a hash, exactly `maxLength` bytes long (only the hash,
    /// cut to `maxLength`, when `maxLength` < 17). The same input always gives the same output.
    public static func derive(_ actionID: String, maxLength: Int) -> String {
        guard maxLength > 0 else { return "" }
        if actionID.utf8.count <= maxLength { return actionID }
        let hash = hex64(fnv1a64(actionID))
        if maxLength < hash.count + 1 {
            return String(hash.prefix(maxLength))
        }
        let room = maxLength - hash.count - 1
        var prefix = ""
        var used = 0
        for scalar in actionID.unicodeScalars {
            let size = String(scalar).utf8.count
            if used + size > room { break }
            prefix.unicodeScalars.append(scalar)
            used += size
        }
        // Pad a prefix shortened by a multi-byte character so the result is still exactly maxLength.
        let result = prefix + "-" + hash
        let missing = maxLength - result.utf8.count
        return missing > 0 ? prefix + String(repeating: "-", count: missing + 1) + hash : result
    }

    /// 64-bit FNV-1a (see `StableHash`).
    public static func fnv1a64(_ text: String) -> UInt64 { StableHash.fnv1a64(text) }

    static func hex64(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for shift in stride(from: 60, through: 0, by: -4) {
            out.append(digits[Int((value >> UInt64(shift)) & 0xf)])
        }
        return out
    }
}

/// The codecs by configuration `kind`.
public enum SMSProviders {
    /// Every supported `kind`, in the order of the configuration documentation.
    public static let kinds: [String] = ["messagebird", "cm", "spryng", "twilio", "vonage", "http"]

    /// The codec for `kind` (case-insensitive), or nil for an unknown kind.
    public static func codec(kind: String) -> (any SMSProviderCodec)? {
        switch kind.lowercased() {
        case "messagebird": return MessageBirdProvider()
        case "cm": return CMProvider()
        case "spryng": return SpryngProvider()
        case "twilio": return TwilioProvider()
        case "vonage": return VonageProvider()
        case "http": return GenericHTTPProvider()
        default: return nil
        }
    }

    /// The codec for `kind` configured with `settings` where classification depends on them
    /// (the generic `http` provider's success statuses and id path); otherwise as `codec(kind:)`.
    public static func codec(kind: String, settings: SMSProviderSettings) -> (any SMSProviderCodec)? {
        if kind.lowercased() == "http" { return GenericHTTPProvider(settings: settings) }
        return codec(kind: kind)
    }

    /// The production base URL of `kind`, for configurations that leave `url` out (nil for `http`).
    public static func defaultBaseURL(kind: String) -> String? {
        switch kind.lowercased() {
        case "messagebird": return MessageBirdProvider.defaultBaseURL
        case "cm": return CMProvider.defaultBaseURL
        case "spryng": return SpryngProvider.defaultBaseURL
        case "twilio": return TwilioProvider.defaultBaseURL
        case "vonage": return VonageProvider.defaultBaseURL
        default: return nil
        }
    }
}

extension SMSOutcome {
    /// The same outcome with every occurrence of the given secrets in `detail` replaced by `[redacted]`.
    /// The codecs never copy request data into `detail`; this is a second line of defence for callers.
    public func redacting(_ secrets: [String]) -> SMSOutcome {
        let clean = { (text: String) in SMSCodecSupport.redact(text, secrets) }
        switch self {
        case .accepted(let id, let detail): return .accepted(messageID: id, detail: clean(detail))
        case .retryLater(let after, let detail): return .retryLater(retryAfter: after, detail: clean(detail))
        case .providerProblem(let detail): return .providerProblem(detail: clean(detail))
        case .permanent(let detail): return .permanent(detail: clean(detail))
        }
    }

    /// The `detail` text of any outcome.
    public var detailText: String {
        switch self {
        case .accepted(_, let detail), .retryLater(_, let detail), .providerProblem(let detail), .permanent(let detail):
            return detail
        }
    }
}

extension SMSLookupOutcome {
    /// The same outcome with every occurrence of the given secrets replaced by `[redacted]`.
    public func redacting(_ secrets: [String]) -> SMSLookupOutcome {
        switch self {
        case .found(let id, let status): return .found(messageID: id, status: SMSCodecSupport.redact(status, secrets))
        case .notFound: return .notFound
        case .unknown(let detail): return .unknown(detail: SMSCodecSupport.redact(detail, secrets))
        }
    }
}

// MARK: - Shared helpers (internal; namespaced so they cannot clash with other files of the module)

/// A JSON value written in a fixed key order, so request bodies are byte-for-byte reproducible.
enum SMSCodecJSON: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([SMSCodecJSON])
    case object([SMSCodecJSONMember])

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The JSON text as UTF-8, written straight into one buffer (no intermediate strings).
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

struct SMSCodecJSONMember: Sendable, Equatable {
    var key: String
    var value: SMSCodecJSON
    init(_ key: String, _ value: SMSCodecJSON) {
        self.key = key
        self.value = value
    }
}

enum SMSCodecSupport {
    /// Longest `detail` kept from a provider answer.
    static let detailLimit = 200

    // MARK: Encoding

    /// The inside of a JSON string literal for `text` (no surrounding quotes).
    static func jsonEscape(_ text: String) -> String {
        String(JSONText.quoted(text).dropFirst().dropLast())
    }

    /// RFC 3986 percent-encoding: everything except ALPHA / DIGIT / `-._~` is encoded (space as `%20`).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// An `application/x-www-form-urlencoded` body (or query string) from ordered pairs.
    static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// Decodes an `application/x-www-form-urlencoded` text (`+` is a space).
    static func formDecode(_ text: String) -> [(String, String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) -> String in
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }

    /// `base` without trailing slashes, then `path` (which starts with `/`).
    static func join(_ base: String, _ path: String) -> String {
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed + path
    }

    /// Throws unless `base` is an absolute http(s) URL.
    static func checkBaseURL(_ base: String, kind: String) throws(SMSProviderSettingsError) {
        let lower = base.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), base.count > "http://".count else {
            throw SMSProviderSettingsError("\(kind): url must be an absolute http:// or https:// URL, got '\(base)'")
        }
    }

    /// Throws when the secret is empty.
    static func checkSecret(_ settings: SMSProviderSettings, kind: String, name: String) throws(SMSProviderSettingsError) {
        if settings.secret.isEmpty {
            throw SMSProviderSettingsError("\(kind): the \(name) is empty (set token_env or token_file)")
        }
    }

    /// The ASCII digits of an E.164 number (`+31612345678` → `31612345678`).
    static func digits(_ number: String) -> String {
        String(number.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }.map(Character.init))
    }

    /// `user:password` as an HTTP Basic authorization value.
    static func basicAuth(user: String, password: String) -> String {
        "Basic " + Data((user + ":" + password).utf8).base64EncodedString()
    }

    // MARK: Responses

    /// The body parsed as JSON with the project's own strict parser (numbers stay the text the provider wrote, so
    /// a 64-bit id keeps every digit), or nil when the body is empty or not JSON.
    static func json(_ response: HTTPResponseSpec) -> JSONValue? {
        guard !response.body.isEmpty else { return nil }
        return try? JSONParser.parse(response.body)
    }

    /// A JSON scalar as text (strings as-is, numbers exactly as written); nil for null, objects, arrays.
    static func scalarString(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .number(let n)?: return n
        case .bool(let b)?: return b ? "true" : "false"
        default: return nil
        }
    }

    /// A JSON scalar as an integer (also from strings such as Vonage's `"status": "0"`); nil when it is not a
    /// whole number or does not fit in 32 bits, so no provider code, status or count can trap a conversion.
    static func scalarInt(_ value: JSONValue?) -> Int? {
        guard let text = scalarString(value)?.trimmingCharacters(in: .whitespaces), text.utf8.count <= 11,
              let number = Int32(text) else { return nil }
        return Int(number)
    }

    /// A provider's message id as it wrote it (string or number, every digit kept), or nil when it is empty,
    /// longer than `messageIDLimit` bytes or holds spaces or control characters: such an id could not be
    /// matched against a delivery report anyway, and is not copied into the journal.
    static func messageID(_ value: JSONValue?) -> String? {
        guard let text = scalarString(value), !text.isEmpty, text.utf8.count <= messageIDLimit,
              text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !$0.properties.isWhitespace
                  && $0.properties.generalCategory != .control && $0.properties.generalCategory != .format }) else { return nil }
        return text
    }

    /// Longest provider message id kept.
    static let messageIDLimit = 128

    /// The members of a JSON object, or nil.
    static func object(_ value: JSONValue?) -> [String: JSONValue]? {
        if case .object(let members)? = value { return members }
        return nil
    }

    /// The items of a JSON list, or nil.
    static func array(_ value: JSONValue?) -> [JSONValue]? {
        if case .array(let items)? = value { return items }
        return nil
    }

    /// The items of a JSON list that are objects (others are skipped); empty when `value` is not a list.
    static func objects(_ value: JSONValue?) -> [[String: JSONValue]] {
        (array(value) ?? []).compactMap { object($0) }
    }

    /// Follows a dotted path (`messages.0.id`) through objects and arrays.
    static func value(at path: String, in root: JSONValue?) -> JSONValue? {
        var current: JSONValue? = root
        for component in path.split(separator: ".", omittingEmptySubsequences: true) {
            switch current {
            case .object(let members)?:
                current = members[String(component)]
            case .array(let items)?:
                guard component.utf8.count <= 9, let index = Int(component), index >= 0, index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Seconds from a `Retry-After` header, within `RetryAfter.range`; nil when absent or not a valid value.
    static func retryAfter(_ response: HTTPResponseSpec, now: Date = Date()) -> Int? {
        guard let raw = response.headers["retry-after"] else { return nil }
        return RetryAfter.seconds(raw, now: now)
    }

    /// A provider text made fit for a journal line: one line, trimmed, at most `detailLimit` characters.
    static func clip(_ text: String) -> String {
        let oneLine = text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
        let collapsed = oneLine.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        if collapsed.count <= detailLimit { return collapsed }
        return String(collapsed.prefix(detailLimit - 1)) + "…"
    }

    /// `prefix: text` clipped, or just `prefix` when text is empty.
    static func detail(_ prefix: String, _ text: String?) -> String {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return clip(prefix) }
        return clip(prefix + ": " + text)
    }

    static func redact(_ text: String, _ secrets: [String]) -> String {
        var out = text
        for secret in secrets where !secret.isEmpty {
            out = out.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return out
    }

    /// The classification every provider shares for HTTP-level answers that carry no usable provider
    /// code: 429 and 5xx are temporary, 401/402/403 are the provider's (or our account's) problem,
    /// 408 is temporary, any other 4xx is permanent for this message. Nil for 1xx-3xx.
    static func httpFallback(_ response: HTTPResponseSpec, detail: String) -> SMSOutcome? {
        let status = response.status
        switch status {
        case 408, 425, 429:
            return .retryLater(retryAfter: retryAfter(response), detail: detail)
        case 500...599:
            return .retryLater(retryAfter: retryAfter(response), detail: detail)
        case 401, 402, 403, 407, 404, 405:
            // Credentials, balance, or a wrong URL or method in the configuration: no message can go out here.
            return .providerProblem(detail: detail)
        case 400...499:
            return .permanent(detail: detail)
        default:
            return nil
        }
    }

    /// `HTTP <status>` followed by a short provider text, if any.
    static func httpDetail(_ status: Int, _ text: String?) -> String {
        detail("HTTP \(status)", text)
    }

    /// For list-style lookups: classifies the items a provider returned for a reference filter.
    /// An empty list means the provider does not have the message; items that all carry `expected` mean it has it;
    /// an item with any other reference means the filter was not applied, so nothing can be concluded
    /// (never take another action's message for ours).
    static func classifyReferenceList(
        _ items: [[String: JSONValue]],
        expected: String,
        idKey: String,
        status: ([String: JSONValue]) -> String
    ) -> SMSLookupOutcome {
        guard !items.isEmpty else { return .notFound }
        guard items.allSatisfy({ scalarString($0["reference"]) == expected }), let first = items.first else {
            return .unknown(detail: "lookup returned messages with other references; the filter was not applied")
        }
        return .found(messageID: messageID(first[idKey]), status: clip(status(first)))
    }
}
