import Foundation

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

    /// Reads the action's attachments from below `root` (see `AttachmentLoader`).
    public static func loadAttachments(_ action: Action, root: String) throws(RenderError) -> [MailAttachment] {
        try AttachmentLoader.load(action, root: root)
    }
}
