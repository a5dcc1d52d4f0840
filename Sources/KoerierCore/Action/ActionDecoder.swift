import Foundation

/// Turns the bytes of an action file into a validated `Action`, or an `ActionError` naming field and reason.
public enum ActionDecoder {
    /// Action files larger than this are refused unread (CONTRACT section 2).
    public static let maximumSize = 1 << 20

    static let topLevelFields: Set<String> = [
        "version", "id", "channel", "stage", "segment", "tone", "not_before", "expires_at", "recipient", "sender",
        "debtor", "invoices", "currency", "payment", "collection_costs", "attachments", "data", "variant", "tags",
        "statutory_notice",
    ]

    /// Decodes and validates an action document.
    public static func decode(_ bytes: [UInt8]) throws(ActionError) -> Action {
        if bytes.count > maximumSize { throw ActionError(field: "", reason: "the file is \(bytes.count) bytes; an action file is at most 1 MiB") }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw ActionError(field: "", reason: "not valid JSON: \(error)")
        }
        let root = try ObjectReader(json, path: "", allowed: topLevelFields)

        let versionValue = try root.value("version")
        guard versionValue == .number("1") else {
            throw ActionError(field: "version", reason: "must be 1, found \(versionValue.kindName)")
        }
        // Never trimmed: the id is the idempotency key and must match the pattern exactly as written.
        let id = try root.string("id", maxLength: 200, trimming: false)
        guard isValidID(id) else {
            throw ActionError(field: "id", reason: "\"\(id)\" must be 1 to 128 characters of A-Z a-z 0-9 . _ - (no spaces, not even around it)")
        }
        let channelText = try root.string("channel")
        guard let channel = Action.Channel(rawValue: channelText) else {
            throw ActionError(field: "channel", reason: "\"\(channelText)\" must be \"email\" or \"sms\"")
        }
        let stage = try key(root, "stage", default: nil)
        let segment = try key(root, "segment", default: "standaard")
        let toneText = try root.optionalString("tone") ?? "zakelijk"
        guard let tone = Action.Tone(rawValue: toneText) else {
            throw ActionError(field: "tone", reason: "\"\(toneText)\" must be one of vriendelijk, zakelijk, dringend, formeel")
        }
        let notBefore = try instant(root, "not_before")
        let expiresAt = try instant(root, "expires_at")
        if let notBefore, let expiresAt, expiresAt <= notBefore {
            throw ActionError(field: "expires_at", reason: "is not after not_before, so the action could never be sent")
        }

        let recipient = try decodeRecipient(root.value("recipient"), channel: channel)
        let sender = root.has("sender") ? try decodeSender(root.value("sender")) : nil
        let debtor = try decodeDebtor(root.value("debtor"))
        let invoices = try decodeInvoices(root.value("invoices"))

        let currency = try root.optionalString("currency") ?? "EUR"
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ActionError(field: "currency", reason: "\"\(currency)\" must be a three-letter ISO 4217 code such as \"EUR\"")
        }
        let payment = root.has("payment") ? try decodePayment(root.value("payment")) : nil
        let costs = root.has("collection_costs") ? try root.money("collection_costs") : nil
        if let costs, costs < .zero { throw ActionError(field: "collection_costs", reason: "may not be negative") }

        let attachments = root.has("attachments") ? try decodeAttachments(root.value("attachments")) : []
        if channel == .sms && !attachments.isEmpty {
            throw ActionError(field: "attachments", reason: "an SMS cannot carry attachments")
        }
        var data: [String: JSONValue] = [:]
        if root.has("data") {
            guard case .object(let object) = try root.value("data") else {
                throw ActionError(field: "data", reason: "must be an object of extra template variables")
            }
            try checkText(.object(object), path: "data")
            data = object
        }
        let variant = try root.optionalString("variant", maxLength: 16)
        if let variant, !(variant.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
            throw ActionError(field: "variant", reason: "\"\(variant)\" must be a variant name like \"A\" or \"B\"")
        }
        let tags = root.has("tags") ? try decodeTags(root.value("tags")) : [:]
        let notice = root.has("statutory_notice") ? try decodeStatutoryNotice(root.value("statutory_notice")) : nil

        var action = Action(
            id: id, channel: channel, stage: stage, segment: segment, tone: tone,
            notBefore: notBefore, expiresAt: expiresAt, recipient: recipient, sender: sender, debtor: debtor,
            invoices: invoices, currency: currency, payment: payment, collectionCosts: costs,
            attachments: attachments, data: data, variant: variant, tags: tags
        )
        action.statutoryNotice = notice
        return action
    }

    /// `{action}` or `{date, channel}`: the consumer 14-day letter an action builds on.
    private static func decodeStatutoryNotice(_ value: JSONValue) throws(ActionError) -> Action.StatutoryNotice {
        let reader = try ObjectReader(value, path: "statutory_notice", allowed: ["action", "date", "channel"])
        if reader.has("action") {
            if reader.has("date") || reader.has("channel") {
                throw ActionError(field: "statutory_notice", reason: "give either action (a letter Koerier sent) or date and channel (one sent another way), not both")
            }
            let id = try reader.string("action", maxLength: 200)
            guard isValidID(id) else { throw ActionError(field: "statutory_notice.action", reason: "\"\(id)\" is not an action id") }
            return .action(id)
        }
        let date = try reader.date("date")
        let channel = try reader.string("channel", maxLength: 32)
        guard ["post", "aangetekend", "email", "sms", "portaal"].contains(channel) else {
            throw ActionError(field: "statutory_notice.channel", reason: "\"\(channel)\" must be post, aangetekend, email, sms or portaal")
        }
        return .external(date: date, channel: channel)
    }

    /// The `id` of a document, if it can be read at all, for journalling a file that is otherwise invalid.
    public static func peekID(_ bytes: [UInt8]) -> String? {
        guard bytes.count <= maximumSize, case .object(let object)? = try? JSONParser.parse(bytes),
              case .string(let id)? = object["id"], isValidID(id) else { return nil }
        return id
    }

    /// `[A-Za-z0-9._-]{1,128}`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45 }
            && id != "." && id != ".."
    }

    /// A template key (stage, segment): lower-case letters, digits and dashes, so it can name a file safely.
    private static func key(_ reader: ObjectReader, _ name: String, default value: String?) throws(ActionError) -> String {
        guard reader.has(name) || value == nil else { return value ?? "" }
        let text = try reader.string(name, maxLength: 64)
        guard text.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }), text.first != "-" else {
            throw ActionError(field: reader.field(name), reason: "\"\(text)\" must be lower-case letters, digits and dashes, like \"herinnering\"")
        }
        return text
    }

    private static func instant(_ reader: ObjectReader, _ name: String) throws(ActionError) -> Date? {
        guard let text = try reader.optionalString(name, maxLength: 64) else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw ActionError(field: name, reason: "\"\(text)\" is not an RFC 3339 time with offset, like \"2026-11-22T09:00:00+01:00\"")
        }
        return date
    }

    private static func email(_ reader: ObjectReader, _ name: String) throws(ActionError) -> EmailAddress {
        let value = try reader.value(name)
        guard case .string(let raw) = value else {
            throw ActionError(field: reader.field(name), reason: "must be a string, found \(value.kindName)")
        }
        switch EmailAddress.parse(raw) {
        case .success(let address): return address
        case .failure(let error): throw ActionError(field: reader.field(name), reason: "\"\(TextCheck.escaped(raw))\" \(error.reason)")
        }
    }

    private static func phone(_ reader: ObjectReader, _ name: String) throws(ActionError) -> PhoneNumber {
        let raw = try reader.string(name, maxLength: 40)
        do {
            return try PhoneNumber.parse(raw)
        } catch {
            throw ActionError(field: reader.field(name), reason: "\"\(raw)\" is not a valid phone number: \(error.reason)")
        }
    }

    private static func decodeRecipient(_ value: JSONValue, channel: Action.Channel) throws(ActionError) -> Action.Recipient {
        let reader = try ObjectReader(value, path: "recipient", allowed: ["name", "email", "phone"])
        let name = try reader.string("name", maxLength: 200)
        switch channel {
        case .email:
            return Action.Recipient(name: name, email: try email(reader, "email"), phone: reader.has("phone") ? try phone(reader, "phone") : nil)
        case .sms:
            return Action.Recipient(name: name, email: reader.has("email") ? try email(reader, "email") : nil, phone: try phone(reader, "phone"))
        }
    }

    private static func decodeSender(_ value: JSONValue) throws(ActionError) -> Action.Sender {
        let reader = try ObjectReader(value, path: "sender", allowed: ["name", "email", "phone", "title"])
        return Action.Sender(
            name: try reader.string("name", maxLength: 200),
            email: reader.has("email") ? try email(reader, "email") : nil,
            phone: reader.has("phone") ? try phone(reader, "phone") : nil,
            title: try reader.optionalString("title", maxLength: 200)
        )
    }

    private static func decodeDebtor(_ value: JSONValue) throws(ActionError) -> Action.Debtor {
        let reader = try ObjectReader(value, path: "debtor", allowed: ["id", "name", "type", "contact", "customer_number"])
        let typeText = try reader.string("type")
        guard let type = Action.Debtor.Kind(rawValue: typeText) else {
            throw ActionError(field: "debtor.type", reason: "\"\(typeText)\" must be \"consumer\" or \"business\"")
        }
        return Action.Debtor(
            id: try reader.string("id", maxLength: 128),
            name: try reader.string("name", maxLength: 200),
            type: type,
            contact: try reader.optionalString("contact", maxLength: 200),
            customerNumber: try reader.optionalString("customer_number", maxLength: 64)
        )
    }

    private static func decodeInvoices(_ value: JSONValue) throws(ActionError) -> [Action.Invoice] {
        guard case .array(let items) = value else {
            throw ActionError(field: "invoices", reason: "must be a list of invoices, found \(value.kindName)")
        }
        if items.isEmpty { throw ActionError(field: "invoices", reason: "must hold at least one invoice") }
        if items.count > 500 { throw ActionError(field: "invoices", reason: "holds \(items.count) invoices; at most 500 fit in one message") }
        var invoices: [Action.Invoice] = []
        for (index, item) in items.enumerated() {
            let reader = try ObjectReader(item, path: "invoices[\(index)]", allowed: ["number", "date", "due_date", "amount", "open"])
            let invoice = Action.Invoice(
                number: try reader.string("number", maxLength: 64),
                date: try reader.date("date"),
                dueDate: try reader.date("due_date"),
                amount: try reader.money("amount"),
                open: try reader.money("open")
            )
            if invoice.open > invoice.amount && invoice.amount >= .zero {
                throw ActionError(field: "invoices[\(index)].open", reason: "\(invoice.open) is more than the invoice amount \(invoice.amount)")
            }
            invoices.append(invoice)
        }
        return invoices
    }

    private static func decodePayment(_ value: JSONValue) throws(ActionError) -> Action.Payment {
        let reader = try ObjectReader(value, path: "payment", allowed: ["url", "reference", "iban"])
        let url = try reader.optionalString("url", maxLength: 500)
        if let url {
            guard url.hasPrefix("https://"), !url.contains(" "), url.count > 8 else {
                throw ActionError(field: "payment.url", reason: "\"\(url)\" must be an https:// link without spaces")
            }
        }
        let iban = try reader.optionalString("iban", maxLength: 42)
        if let iban, !DutchFormat.isValidIBAN(iban) {
            throw ActionError(field: "payment.iban", reason: "\"\(iban)\" is not a valid IBAN (check digits do not match)")
        }
        return Action.Payment(url: url, reference: try reader.optionalString("reference", maxLength: 140), iban: iban)
    }

    private static func decodeAttachments(_ value: JSONValue) throws(ActionError) -> [Action.Attachment] {
        guard case .array(let items) = value else {
            throw ActionError(field: "attachments", reason: "must be a list, found \(value.kindName)")
        }
        if items.count > 10 { throw ActionError(field: "attachments", reason: "holds \(items.count) files; at most 10 are allowed") }
        var attachments: [Action.Attachment] = []
        for (index, item) in items.enumerated() {
            let path = "attachments[\(index)]"
            let reader = try ObjectReader(item, path: path, allowed: ["path", "filename"])
            let relative = try reader.string("path", maxLength: 1000)
            if let problem = AttachmentPath.problem(relative) {
                throw ActionError(field: "\(path).path", reason: "\"\(relative)\" \(problem)")
            }
            let filename = try reader.optionalString("filename", maxLength: 200) ?? String(relative.split(separator: "/").last ?? "bijlage.pdf")
            if let problem = AttachmentPath.filenameProblem(filename) {
                throw ActionError(field: "\(path).filename", reason: "\"\(filename)\" \(problem)")
            }
            attachments.append(Action.Attachment(path: relative, filename: filename))
        }
        return attachments
    }

    private static func decodeTags(_ value: JSONValue) throws(ActionError) -> [String: String] {
        guard case .object(let object) = value else {
            throw ActionError(field: "tags", reason: "must be a flat object of strings, found \(value.kindName)")
        }
        if object.count > TagLimits.count {
            throw ActionError(field: "tags", reason: "holds \(object.count) tags; at most \(TagLimits.count) are allowed")
        }
        var tags: [String: String] = [:]
        for key in object.keys.sorted() {
            guard TagLimits.isValidKey(key) else {
                throw ActionError(field: "tags", reason: "the key \"\(TextCheck.escaped(String(key.prefix(80))))\" must be 1 to \(TagLimits.keyLength) characters of A-Z a-z 0-9 . _ -")
            }
            guard case .string(let text)? = object[key] else {
                throw ActionError(field: "tags.\(key)", reason: "must be a string, found \(object[key]?.kindName ?? "nothing")")
            }
            if text.utf8.count > TagLimits.valueBytes {
                throw ActionError(field: "tags.\(key)", reason: "is \(text.utf8.count) bytes; a tag value is at most \(TagLimits.valueBytes) bytes")
            }
            if let problem = TextCheck.problem(text) { throw ActionError(field: "tags.\(key)", reason: problem) }
            tags[key] = text
        }
        return tags
    }
}

/// Checks an attachment path before it is ever opened: relative, no `..`, no hidden tricks.
enum AttachmentPath {
    /// Why `relative` is not acceptable, or `nil`.
    static func problem(_ relative: String) -> String? {
        if relative.hasPrefix("/") { return "is an absolute path; give a path relative to the attachments root" }
        if relative.contains("\\") || relative.contains("\0") { return "contains a backslash or NUL" }
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains(where: { $0 == ".." }) { return "leaves the attachments root with '..'" }
        if components.contains(where: { $0.isEmpty || $0 == "." }) { return "has an empty or '.' path component" }
        if !relative.lowercased().hasSuffix(".pdf") { return "is not a PDF file (.pdf)" }
        return nil
    }

    /// Why `filename` (the name the debtor sees) is not acceptable, or `nil`: it must end in `.pdf` after at least
    /// one other character and hold no `/`, `\\` or `"` (control and invisible characters are refused before).
    static func filenameProblem(_ filename: String) -> String? {
        if filename.contains("/") || filename.contains("\\") || filename.contains("\"") { return "may not contain / \\ or \"" }
        if !filename.lowercased().hasSuffix(".pdf") || filename.utf8.count <= 4 { return "must end in .pdf, like \"factuur.pdf\"" }
        return nil
    }
}

extension String {
    /// The string with CR, LF and other control characters shown as escapes, safe for a one-line message.
    public var debugEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

extension ActionDecoder {
    /// The free `data` object is printed in letters too: its keys and strings follow the text rule (`TextCheck`),
    /// except that a line break is allowed in a value (a note over several lines).
    static func checkText(_ value: JSONValue, path: String) throws(ActionError) {
        switch value {
        case .string(let text):
            if let bad = text.unicodeScalars.first(where: { $0 != "\n" && TextCheck.isRefused($0) }) {
                throw ActionError(field: path, reason: "contains \(TextCheck.describe(bad)); remove it")
            }
        case .array(let items):
            for (index, item) in items.enumerated() { try checkText(item, path: "\(path)[\(index)]") }
        case .object(let fields):
            for (key, item) in fields.sorted(by: { $0.key < $1.key }) {
                if let problem = TextCheck.problem(key) { throw ActionError(field: path, reason: "a key \(problem)") }
                try checkText(item, path: "\(path).\(key)")
            }
        case .number, .bool, .null:
            break
        }
    }
}
