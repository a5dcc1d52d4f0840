import KoerierCore

extension SMSProviderSettings {
    /// The codec settings for a configured provider. The loader checked every value for its kind, so this
    /// only maps names: a provider that left `url` empty gets its production base URL.
    public init(_ config: Configuration.SMSProviderSettingsConfig) {
        let url = config.url.trimmingCharacters(in: .whitespaces)
        self.init(baseURL: url.isEmpty ? SMSProviders.defaultBaseURL(kind: config.kind) ?? "" : url, secret: config.secret ?? "")
        self.reportURL = config.reportURL
        switch config.options {
        case .messagebird, .cm:
            break
        case .spryng(let route):
            self.route = route
        case .twilio(let account, let statusCallback):
            self.account = account
            // An explicit status_callback wins; else the listener's report URL under http.public_url.
            self.statusCallbackURL = statusCallback ?? config.reportURL
        case .vonage(let account):
            self.account = account
        case .http(let generic):
            self.account = generic.account
            self.method = generic.method
            self.path = generic.path
            self.headers = generic.headers.map { HTTPHeader($0.name, $0.value) }
            self.bodyTemplate = generic.body
            self.bodyEncoding = generic.bodyEncoding == .form ? .form : .json
            self.successStatus = generic.successStatus
            self.idJSONPath = generic.idPath
        }
    }
}
