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
