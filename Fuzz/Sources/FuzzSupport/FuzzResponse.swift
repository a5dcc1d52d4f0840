import Foundation
import KoerierTransports

/// Turns fuzzer bytes into a provider's HTTP answer, in a text form that seeds can be written in by hand:
///
/// ```
/// 429                      the status: up to four leading digits (anything else: 0)
/// retry-after: 99999       header lines, `name: value` (names lower-cased, as the transport hands them over)
///                          an empty line
/// {"errors":[...]}         the body: every remaining byte
/// ```
public enum FuzzResponse {
    /// The answer encoded in `bytes`.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPResponseSpec {
        var index = 0
        var status = 0
        var digits = 0
        while index < bytes.count, digits < 4, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            status = status * 10 + Int(bytes[index] - 0x30)
            index += 1
            digits += 1
        }
        // The rest of the status line is ignored.
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
        if index < bytes.count { index += 1 }

        var headers: [String: String] = [:]
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            index = min(end + 1, bytes.count)
            if line.isEmpty || line == "\r" { break }
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                headers[name] = value
            }
        }
        let body = Array(UnsafeBufferPointer(rebasing: bytes[index..<bytes.count]))
        return HTTPResponseSpec(status: status, headers: headers, body: body)
    }

    /// Classifies `bytes` as an answer to a send and to a lookup with `codec`; the results are thrown away,
    /// only a trap or a sanitizer report matters.
    public static func exercise(_ codec: any SMSProviderCodec, _ data: UnsafePointer<UInt8>, _ size: Int) {
        let response = decode(UnsafeBufferPointer(start: data, count: size))
        let outcome = codec.classify(response)
        _ = outcome.redacting(["secret"])
        _ = codec.classifyLookup(response, reference: "act-2026.11_0001")
        _ = codec.classifyLookup(response, reference: String(repeating: "x", count: 128))
    }
}
