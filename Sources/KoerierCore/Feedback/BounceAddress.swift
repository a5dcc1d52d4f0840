import Crypto
import Foundation

/// The VERP envelope sender `bounce+<token>@<domain>` that names an action and proves Koerier made it.
///
/// The token is lower-case only (MTAs may lower-case local parts) and fits the 64-octet local part (RFC 5321):
/// - `a<base32 of the id's UTF-8 bytes>-<mac>` when the id is at most `maximumInlineIDBytes` bytes;
/// - `h<16 hex digits of the id's FNV-1a hash>-<mac>` for a longer id (the daemon finds the id by that hash in the
///   journal window it keeps, then checks the mac against the whole id).
///
/// `mac` is the first 80 bits of HMAC-SHA256(secret, "koerier-verp-1:" + id) in hex. A token that does not carry
/// the right mac for the id names nothing.
public struct BounceAddress: Sendable, Equatable {
    /// What the token names.
    public enum Name: Sendable, Equatable {
        /// The action id itself.
        case id(String)
        /// The FNV-1a hash of a long action id (see `StableHash`).
        case hash(UInt64)
    }

    /// The local-part prefix before the token.
    public static let prefix = "bounce+"
    /// Longest action id (UTF-8 bytes) carried in the token itself: 7 + 1 + 34 + 1 + 20 = 63 octets.
    public static let maximumInlineIDBytes = 21
    static let macHexDigits = 20

    /// What the token names.
    public let name: Name
    /// The mac as written in the token (lower-case hex).
    public let mac: String

    /// The envelope sender for `actionID`.
    public static func address(actionID: String, domain: String, secret: String) -> String {
        "\(prefix)\(token(actionID: actionID, secret: secret))@\(domain)"
    }

    /// The token for `actionID`.
    public static func token(actionID: String, secret: String) -> String {
        let bytes = Array(actionID.utf8)
        let name = bytes.count <= maximumInlineIDBytes
            ? "a" + Base32.encode(bytes)
            : "h" + Hex.encode(withUnsafeBytes(of: StableHash.fnv1a64(actionID).bigEndian) { Array($0) })
        return name + "-" + mac(actionID: actionID, secret: secret)
    }

    /// The mac of `actionID` under `secret`.
    static func mac(actionID: String, secret: String) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: Array("koerier-verp-1:\(actionID)".utf8), using: key)
        return String(Hex.encode(code).prefix(macHexDigits))
    }

    /// Reads the token out of an address such as `Bounce+ABC-123@Bounces.Example.nl` (case does not matter, angle
    /// brackets allowed); nil when it is not one of ours in form. The mac is not checked here: see `verify`.
    public init?(address raw: String, domain: String) {
        var text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("<") && text.hasSuffix(">") { text = String(text.dropFirst().dropLast()) }
        guard text.utf8.count <= 320, let at = text.lastIndex(of: "@"), text[text.index(after: at)...] == domain.lowercased() else { return nil }
        let local = text[..<at]
        guard local.hasPrefix(Self.prefix) else { return nil }
        let token = local.dropFirst(Self.prefix.count)
        guard let dash = token.lastIndex(of: "-") else { return nil }
        let body = token[..<dash]
        let mac = String(token[token.index(after: dash)...])
        guard mac.utf8.count == Self.macHexDigits, mac.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let kind = body.first else { return nil }
        let rest = body.dropFirst()
        switch kind {
        case "a":
            guard let bytes = Base32.decode(String(rest)), !bytes.isEmpty, bytes.count <= Self.maximumInlineIDBytes,
                  let id = String(validating: bytes, as: UTF8.self) else { return nil }
            name = .id(id)
        case "h":
            guard rest.utf8.count == 16, let value = UInt64(rest, radix: 16) else { return nil }
            name = .hash(value)
        default:
            return nil
        }
        self.mac = mac
    }

    /// True when this token was made by Koerier with `secret` for `actionID` (constant-time comparison).
    public func verify(actionID: String, secret: String) -> Bool {
        switch name {
        case .id(let id): guard id == actionID else { return false }
        case .hash(let hash): guard hash == StableHash.fnv1a64(actionID) else { return false }
        }
        let expected = Array(Self.mac(actionID: actionID, secret: secret).utf8)
        let given = Array(mac.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }
}

/// RFC 4648 base32 in lower case without padding (valid in a local part, safe when an MTA lower-cases it).
enum Base32 {
    private static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil for a character outside the alphabet or a length no encoding has, or non-zero padding bits.
    static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 1024 else { return nil }
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            let value: UInt8
            switch character {
            case 0x61...0x7A: value = character - 0x61
            case 0x32...0x37: value = character - 0x32 + 26
            default: return nil
            }
            buffer = ((buffer << 5) | UInt32(value)) & 0xFFFF
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        // A canonical encoding leaves fewer than 5 bits, all zero.
        guard bits < 5, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
