import Foundation

/// A rendered message, ready for its transport, with what the journal says about it.
enum PreparedMessage: Sendable {
    case email(EmailMessage, RenderedEmail)
    case sms(OutgoingSMS, RenderedSMS)

    var template: String {
        switch self {
        case .email(_, let r): return r.template
        case .sms(_, let r): return r.template
        }
    }

    var templateSHA256: String {
        switch self {
        case .email(_, let r): return r.templateSHA256
        case .sms(_, let r): return r.templateSHA256
        }
    }

    var variant: String? {
        switch self {
        case .email(_, let r): return r.variant
        case .sms(_, let r): return r.variant
        }
    }

    var messageID: String? {
        switch self {
        case .email(let m, _): return m.messageID
        case .sms: return nil
        }
    }
}

extension Dispatcher {
    /// Renders an action into the message its transport sends (pure but for reading attachments).
    func prepare(_ action: Action, runtime: Runtime, now: Date) -> Result<PreparedMessage, RenderError> {
        let configuration = runtime.configuration
        do {
            switch action.channel {
            case .email:
                let rendered = try runtime.renderer.renderEmail(action, now: now, notices: notices)
                let attachments = try MessageFactory.loadAttachments(action, root: configuration.attachments)
                let message = MessageFactory.email(action, rendered: rendered, configuration: configuration, now: now, attachments: attachments)
                return .success(.email(message, rendered))
            case .sms:
                let rendered = try runtime.renderer.renderSMS(action, now: now, notices: notices)
                return .success(.sms(MessageFactory.sms(action, rendered: rendered, configuration: configuration), rendered))
            }
        } catch {
            return .failure(error)
        }
    }

    /// A journal event for `action` with everything known about it filled in.
    func event(_ kind: JournalEvent.Kind, action: Action, item: WorkItem, prepared: PreparedMessage? = nil) -> JournalEvent {
        var e = JournalEvent(ts: now(), action: action.id, event: kind)
        e.channel = action.channel.rawValue
        e.stage = action.stage
        e.segment = action.segment
        e.tone = action.tone.rawValue
        e.debtor = action.debtor.id
        e.recipient = action.channel == .email ? action.recipient.email?.value : action.recipient.phone?.e164
        e.tags = action.tags.isEmpty ? nil : action.tags
        e.file = item.file
        if item.life.attempts > 0 { e.attempt = item.life.attempts }
        // An action whose last attempt went unanswered keeps the mark on every event (a deferral too), so a
        // restart knows the next attempt may repeat one that went through, and a cancel says it may be too late.
        if item.life.ambiguous { e.possibleRepeat = true }
        if let prepared {
            e.template = prepared.template
            e.templateSHA256 = prepared.templateSHA256
            e.variant = prepared.variant
            e.messageID = prepared.messageID
        } else if let variant = action.variant {
            e.variant = variant
        }
        return e
    }
}

/// Builds transport messages from rendered actions; shared by the dispatcher and `koerier render`.
public enum MessageFactory {
    /// The complete email for an action.
    public static func email(_ action: Action, rendered: RenderedEmail, configuration: Configuration, now: Date, attachments: [MailAttachment]) -> EmailMessage {
        let email = configuration.email
        var replyName: String?
        var replyAddress: String?
        if email.replyToSender {
            if let sender = action.sender, let address = sender.email {
                replyName = sender.name
                replyAddress = address.value
            } else if action.sender == nil, let address = configuration.defaultSender.email {
                replyName = configuration.defaultSender.name
                replyAddress = address
            }
        }
        let envelope = MIMEBuilder.Envelope(
            fromName: email.fromName, fromAddress: email.fromAddress.value,
            toName: action.recipient.name, toAddress: action.recipient.email?.value ?? "",
            replyToName: replyName, replyToAddress: replyAddress,
            actionID: action.id, messageIDDomain: email.messageIDDomain, date: now, timeZone: configuration.timeZone
        )
        var message = MIMEBuilder.build(envelope: envelope, subject: rendered.subject, text: rendered.text, html: rendered.html, attachments: attachments)
        if let bounce = email.bounce { message.envelopeFrom = bounce.envelopeSender(actionID: action.id) }
        return message
    }

    /// The SMS for an action.
    public static func sms(_ action: Action, rendered: RenderedSMS, configuration: Configuration) -> OutgoingSMS {
        OutgoingSMS(
            actionID: action.id, to: action.recipient.phone?.e164 ?? "", from: configuration.sms.sender,
            text: rendered.plan.text, unicode: rendered.plan.encoding == .ucs2, parts: rendered.plan.parts
        )
    }

    /// Reads the action's attachments from below `root`, refusing anything that resolves outside it.
    public static func loadAttachments(_ action: Action, root: String) throws(RenderError) -> [MailAttachment] {
        guard !action.attachments.isEmpty else { return [] }
        let realRoot = (root as NSString).resolvingSymlinksInPath
        var result: [MailAttachment] = []
        for (index, attachment) in action.attachments.enumerated() {
            let path = (realRoot as NSString).appendingPathComponent(attachment.path)
            let resolved = (path as NSString).resolvingSymlinksInPath
            guard resolved.hasPrefix(realRoot + "/") else {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" resolves outside the attachments root")
            }
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" does not exist under the attachments root \(root)")
            }
            if data.count > 10 << 20 {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" is \(data.count) bytes; at most 10 MiB")
            }
            if !data.starts(with: Array("%PDF-".utf8)) {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" is not a PDF (it does not start with %PDF-)")
            }
            result.append(MailAttachment(filename: attachment.filename, data: [UInt8](data)))
        }
        return result
    }
}
