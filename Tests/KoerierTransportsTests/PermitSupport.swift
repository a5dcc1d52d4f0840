import KoerierCore

extension SMSTransport {
    /// A send whose permit is always granted (the journal is not under test here).
    func send(_ sms: OutgoingSMS) async -> SMSResult {
        await send(sms, permit: { true })
    }
}

extension EmailTransport {
    /// A send whose permit is always granted (the journal is not under test here).
    func send(_ message: EmailMessage) async -> DeliveryOutcome {
        await send(message, permit: { true })
    }
}
