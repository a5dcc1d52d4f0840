/// What ops configure about letters (`letters:` in the configuration): tone fallbacks and cost wording.
public struct LetterSettings: Sendable, Equatable {
    /// The tone whose template a stage uses when the action's own tone has none (`letters.tone_fallback`).
    public var toneFallback: [String: Action.Tone]
    /// The creditor cannot deduct VAT: collection costs may be the WIK amount plus 21 % btw, and letters say so.
    public var collectionCostsIncludeVAT: Bool

    /// The shipped fallbacks: legal stages fall back to `formeel`, the others to `zakelijk`.
    public static let defaultToneFallback: [String: Action.Tone] = [
        "vooraf": .zakelijk, "herinnering": .zakelijk, "aanmaning": .zakelijk, "tweede-aanmaning": .zakelijk,
        "ingebrekestelling": .formeel, "veertiendagenbrief": .formeel, "laatste-aanmaning": .formeel, "overdracht": .formeel,
        "betalingsregeling": .zakelijk, "termijnherinnering": .zakelijk, "bedankt": .zakelijk,
    ]

    /// Creates settings; the defaults are the shipped ones.
    public init(toneFallback: [String: Action.Tone] = LetterSettings.defaultToneFallback, collectionCostsIncludeVAT: Bool = false) {
        self.toneFallback = toneFallback
        self.collectionCostsIncludeVAT = collectionCostsIncludeVAT
    }

    /// The fallback tone of `stage`: configured, else `zakelijk`.
    public func fallbackTone(stage: String) -> Action.Tone {
        toneFallback[stage] ?? .zakelijk
    }
}
