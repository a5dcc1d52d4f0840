import Foundation

/// The WIK rule (art. 6:96 BW): a consumer's 14-day letter must state the statutory collection costs exactly.
public enum WIKRule {
    /// The stage whose letter is the statutory 14-day letter.
    public static let stage = "veertiendagenbrief"

    /// True when the action is a 14-day letter to a consumer.
    public static func applies(to action: Action) -> Bool {
        action.stage == stage && action.debtor.type == .consumer
    }

    /// Stages after the 14-day letter's term, in which a consumer may owe the (statutory) collection costs.
    public static let stagesAfterTerm: Set<String> = ["laatste-aanmaning", "overdracht"]

    /// Why the action's stated costs are wrong, or `nil` when they are right (or absent: Koerier computes them).
    /// For a consumer, costs may only be charged after the term of the 14-day letter (art. 6:96 lid 6 BW), and never
    /// more than the statutory amount.
    public static func problem(_ action: Action, includeVAT: Bool = false) -> String? {
        guard action.debtor.type == .consumer, let stated = action.collectionCosts, stated > .zero || action.stage == stage else { return nil }
        let expected = LetterRules.statutoryCosts(principal: action.totalOpen, includeVAT: includeVAT)
        if action.stage != stage {
            guard stagesAfterTerm.contains(action.stage) else {
                return "collection_costs \(stated) for a consumer in stage \(action.stage): costs may only be charged after the term of the 14-day letter (art. 6:96 lid 6 BW), so only in \(stagesAfterTerm.sorted().joined(separator: " or "))"
            }
            guard stated <= expected else {
                return "collection_costs \(stated) exceed the statutory WIK amount \(expected) on the open principal \(action.totalOpen) (art. 6:96 BW)"
            }
            return nil
        }
        if stated == expected { return nil }
        return "collection_costs \(stated) differs from the statutory WIK amount \(expected) on the open principal \(action.totalOpen); leave it out and Koerier computes it"
    }
}
