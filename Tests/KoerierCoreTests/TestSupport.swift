import Foundation
import Testing
@testable import KoerierCore

/// Shared helpers for the KoerierCore tests: repository paths, temporary folders, JSON building.
enum TestSupport {
    /// The package root (this file lives in `Tests/KoerierCoreTests/`).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The shipped template tree.
    static var templatesRoot: String { packageRoot + "/Templates" }

    /// The demo configuration.
    static var demoConfigPath: String { packageRoot + "/Config/demo.yaml" }

    /// A fresh, empty folder under the system temporary folder; the caller removes it.
    static func makeTemporaryFolder(_ label: String = "koerier-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (path as NSString).standardizingPath
    }

    /// Writes `text` to `root/relative`, creating folders as needed.
    static func write(_ text: String, to relative: String, under root: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The demo configuration, loaded with an empty environment.
    static func demoConfiguration() throws -> Configuration {
        do {
            return try Configuration.load(file: demoConfigPath, environment: [:])
        } catch {
            Issue.record("Config/demo.yaml does not load: \(error)")
            throw error
        }
    }

    /// The shipped templates.
    static func shippedStore() throws -> TemplateStore {
        do {
            return try TemplateStore(root: templatesRoot)
        } catch {
            Issue.record("Templates do not load: \(error)")
            throw error
        }
    }
}

// MARK: - Building JSON documents

extension JSONValue {
    /// Serialises the value as compact JSON; number literals are written exactly as kept.
    var jsonText: String {
        switch self {
        case .string(let s): return Self.quote(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { Self.quote($0) + ":" + object[$0]!.jsonText }.joined(separator: ",") + "}"
        }
    }

    var jsonBytes: [UInt8] { Array(jsonText.utf8) }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }

    /// A copy with the value at `path` replaced (or removed when `value` is nil).
    /// Path elements are object keys, or decimal indices for lists.
    func setting(_ path: [String], to value: JSONValue?) -> JSONValue {
        guard let first = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch self {
        case .object(var object):
            if rest.isEmpty {
                object[first] = value
            } else {
                object[first] = (object[first] ?? .object([:])).setting(rest, to: value)
            }
            return .object(object)
        case .array(var items):
            guard let index = Int(first), items.indices.contains(index) else { return self }
            if rest.isEmpty {
                if let value { items[index] = value } else { items.remove(at: index) }
            } else {
                items[index] = items[index].setting(rest, to: value)
            }
            return .array(items)
        default:
            return self
        }
    }

    /// `setting` with a dotted path, e.g. `"invoices.0.amount"`.
    func setting(_ dotted: String, _ value: JSONValue?) -> JSONValue {
        setting(dotted.split(separator: ".").map(String.init), to: value)
    }
}

/// Sample action documents.
enum SampleActions {
    /// A complete, valid email action using every field.
    static let fullEmail: JSONValue = .object([
        "version": .number("1"),
        "id": .string("act-2026.11_0001"),
        "channel": .string("email"),
        "stage": .string("tweede-aanmaning"),
        "segment": .string("hoog-risico"),
        "tone": .string("dringend"),
        "not_before": .string("2026-11-22T09:00:00+01:00"),
        "expires_at": .string("2026-11-29T17:30:00.500Z"),
        "recipient": .object([
            "name": .string("Joëlle de Vries"),
            "email": .string("joelle.devries@example.nl"),
            "phone": .string("06-12345678"),
        ]),
        "sender": .object([
            "name": .string("Sanne Bakker"),
            "email": .string("sanne.bakker@voorbeeld.nl"),
            "phone": .string("+31 20 123 4567"),
            "title": .string("Accountmanager"),
        ]),
        "debtor": .object([
            "id": .string("D-10042"),
            "name": .string("De Vries Installatie B.V."),
            "type": .string("business"),
            "contact": .string("mevrouw De Vries"),
            "customer_number": .string("K-10042"),
        ]),
        "invoices": .array([
            .object([
                "number": .string("F2026-0815"),
                "date": .string("2026-10-01"),
                "due_date": .string("2026-10-31"),
                "amount": .string("1234.56"),
                "open": .string("1000.5"),
            ]),
            .object([
                "number": .string("F2026-0816"),
                "date": .string("2026-10-02"),
                "due_date": .string("2026-11-01"),
                "amount": .string("-50.00"),
                "open": .string("-50"),
            ]),
        ]),
        "currency": .string("EUR"),
        "payment": .object([
            "url": .string("https://betalen.voorbeeld.nl/p/F2026-0815"),
            "reference": .string("F2026-0815"),
            "iban": .string("NL91 ABNA 0417 1643 00"),
        ]),
        "collection_costs": .string("40.00"),
        "attachments": .array([
            .object(["path": .string("facturen/F2026-0815.pdf")]),
            .object(["path": .string("aanmaning/brief.PDF"), "filename": .string("Aanmaning oktober.pdf")]),
        ]),
        "data": .object(["dossier": .string("X-77"), "kansen": .number("3"), "vip": .bool(true)]),
        "variant": .string("B"),
        "tags": .object(["campaign": .string("najaar-2026"), "batch": .string("7")]),
    ])

    /// A minimal valid email action.
    static let minimalEmail: JSONValue = .object([
        "version": .number("1"),
        "id": .string("min-1"),
        "channel": .string("email"),
        "stage": .string("herinnering"),
        "recipient": .object(["name": .string("Kees Smit"), "email": .string("kees.smit@example.nl")]),
        "debtor": .object(["id": .string("D-1"), "name": .string("Kees Smit"), "type": .string("consumer")]),
        "invoices": .array([
            .object([
                "number": .string("F1"), "date": .string("2026-10-05"), "due_date": .string("2026-11-04"),
                "amount": .string("99.95"), "open": .string("99.95"),
            ]),
        ]),
    ])

    /// A minimal valid SMS action.
    static let minimalSMS: JSONValue = minimalEmail
        .setting("channel", .string("sms"))
        .setting("recipient", .object(["name": .string("Kees Smit"), "phone": .string("06-12345678")]))
}

/// Builds `Action` values directly, for rendering tests.
enum ActionFactory {
    static func invoice(_ number: String, amount: String, open: String? = nil,
                        date: CalendarDate = CalendarDate(year: 2026, month: 10, day: 1),
                        due: CalendarDate = CalendarDate(year: 2026, month: 10, day: 31)) -> Action.Invoice {
        Action.Invoice(number: number, date: date, dueDate: due, amount: Money(amount) ?? .zero, open: Money(open ?? amount) ?? .zero)
    }

    static func action(
        id: String = "render-test-0001", channel: Action.Channel = .email, stage: String, segment: String,
        tone: Action.Tone, debtorType: Action.Debtor.Kind, invoices: [Action.Invoice],
        collectionCosts: Money? = nil, variant: String? = nil, debtorID: String = "D-10042", paymentURL: String? = nil
    ) -> Action {
        Action(
            id: id, channel: channel, stage: stage, segment: segment, tone: tone,
            notBefore: nil, expiresAt: nil,
            recipient: Action.Recipient(
                name: "Joëlle de Vries",
                email: try? EmailAddress.parse("joelle.devries@example.nl").get(),
                phone: try? PhoneNumber.parse("06-12345678")
            ),
            sender: nil,
            debtor: Action.Debtor(id: debtorID, name: debtorType == .business ? "De Vries Installatie B.V." : "Joëlle de Vries",
                                  type: debtorType, contact: nil, customerNumber: "K-10042"),
            invoices: invoices, currency: "EUR",
            payment: paymentURL.map { Action.Payment(url: $0, reference: nil, iban: nil) },
            collectionCosts: collectionCosts, attachments: [], data: [:], variant: variant, tags: [:]
        )
    }
}
