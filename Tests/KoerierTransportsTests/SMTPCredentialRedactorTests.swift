import Foundation
import Testing
@testable import KoerierTransports

// What a careless relay may echo of the AUTH exchange, and that none of it survives the redactor in any form.

private let username = "koerier-relay"
private let password = "Geheim-Wachtwoord-42!"

private func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

/// Every form in which the login could be read back from a kept line.
let credentialForms: [String] = {
    var forms = [username, password, base64(username), base64(password), base64("\0\(username)\0\(password)"),
                 base64("\(username)\0\(username)\0\(password)")]
    // The password's base64 at every byte offset inside a longer blob.
    forms += SMTPCredentialRedactor.base64Cores(Array(password.utf8))
    return forms
}()

/// True when `text` holds the login in any form, including base64 that decodes to it.
func holdsCredential(_ text: String) -> Bool {
    if credentialForms.contains(where: { text.contains($0) }) { return true }
    // Any base64-looking run that decodes to text holding the password.
    let runs = text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0))) }
    return runs.contains { run in
        (0..<4).contains { skip in
            var body = String(run.dropFirst(skip)).replacingOccurrences(of: "=", with: "")
            body = String(body.prefix(body.count - body.count % 4))
            guard let data = Data(base64Encoded: body) else { return false }
            return String(decoding: data, as: UTF8.self).contains(password)
        }
    }
}

@Suite("SMTP credential redaction")
struct SMTPCredentialRedactorTests {
    private let redactor = SMTPCredentialRedactor(username: username, password: password)

    @Test("echoed AUTH lines keep no credential in any form", arguments: [
        "334 \(base64("Password:")) (username was \(base64(username)) = \(username))",
        "334 \(base64("\0\(username)\0\(password)"))",
        "535 5.7.8 Authentication failed: AUTH PLAIN \(base64("\0\(username)\0\(password)"))",
        "535 5.7.8 Authentication failed: AUTH LOGIN \(base64(username)) \(base64(password)) (\(username)/\(password))",
        "235 2.7.0 Authentication successful: auth plain \(base64("\0\(username)\0\(password)"))",
        "250 2.0.0 Ok: queued as Q000001 for \(base64("\0\(username)\0\(password)"))",
        "250 2.0.0 Ok: queued as Q000001 for:\(base64("\0\(username)\0\(password)")).",
        "250 2.0.0 Ok: queued as Q000001 (\(base64("xx\0\(username)\0\(password)yy")))",
        "550 5.7.1 rejected for \(username) using password \(password)",
        "550 5.7.1 blob=\(base64("x" + password)) other=\(base64("xy" + password))",
        "550 5.7.1 urlsafe=\(base64("\0\(username)\0\(password)").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))",
    ])
    func echoesAreRedacted(_ line: String) {
        #expect(holdsCredential(line), "the case itself must carry the credential")
        let clean = redactor.redact(line)
        #expect(!holdsCredential(clean), "\(clean)")
        #expect(clean.contains(SMTPCredentialRedactor.marker))
        #expect(clean.prefix(3) == line.prefix(3), "the reply code stays")
    }

    @Test("ordinary replies pass unchanged", arguments: [
        "250 2.0.0 Ok: queued as 4Xb2kQ3z",
        "550 5.1.1 <kees@example.nl>: Recipient address rejected: User unknown in virtual mailbox table",
        "451 4.3.0 try later",
        "535 5.7.8 Authentication credentials invalid",
        "221 2.0.0 Bye",
    ])
    func ordinaryRepliesStay(_ line: String) {
        #expect(redactor.redact(line) == line)
    }

    @Test("the capability line keeps its code; the mechanisms after AUTH go")
    func capabilityLine() {
        #expect(redactor.redact("250-AUTH PLAIN LOGIN") == "250-AUTH [redacted]")
        #expect(redactor.redact("334 ") == "334 [redacted]")
        #expect(redactor.redact("334") == "334")
    }

    @Test("the base64 cores of a secret appear in its encoding at every byte offset")
    func coresAreOffsetIndependent() {
        let secret = Array(password.utf8)
        let cores = SMTPCredentialRedactor.base64Cores(secret)
        #expect(cores.count == 3)
        for prefix in ["", "a", "ab", "abc", "\0koerier\0"] {
            for suffix in ["", "z", "zz"] {
                let encoded = Data(Array(prefix.utf8) + secret + Array(suffix.utf8)).base64EncodedString()
                #expect(cores.contains { encoded.contains($0) }, "prefix \(prefix.count) suffix \(suffix.count)")
            }
        }
    }

    @Test("without a login only the AUTH exchange itself is cut")
    func noLogin() {
        let none = SMTPCredentialRedactor(username: nil, password: nil)
        #expect(none.redact("250 2.0.0 Ok: queued as Q1") == "250 2.0.0 Ok: queued as Q1")
        #expect(none.redact("535 5.7.8 Error: AUTH PLAIN AGtvZXJpZXIAc2VjcmV0") == "535 5.7.8 Error: AUTH [redacted]")
    }
}
