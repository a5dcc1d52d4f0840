/// Everything a reload can replace at once: configuration, templates and transports.
public struct Runtime: Sendable {
    public var configuration: Configuration
    public var renderer: Renderer
    public var email: (any EmailTransport)?
    public var sms: (any SMSTransport)?

    public init(configuration: Configuration, renderer: Renderer, email: (any EmailTransport)?, sms: (any SMSTransport)?) {
        self.configuration = configuration
        self.renderer = renderer
        self.email = email
        self.sms = sms
    }
}
