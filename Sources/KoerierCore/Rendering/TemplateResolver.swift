/// Finds the template for a channel, stage, segment and tone, most specific first (docs/templates.md).
public enum TemplateResolver {
    /// A resolved template: its base name (`email/herinnering/consument.vriendelijk`) and the chosen variant.
    public struct Resolution: Sendable, Equatable {
        public var base: String
        public var variant: String?
        /// The name with the variant, as files are named.
        public var name: String { variant.map { "\(base).\($0)" } ?? base }
    }

    /// Why no template could be chosen.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The candidate base names in the order they are tried: the tone, then the stage's fallback tone, then tone-neutral.
    public static func candidates(channel: Action.Channel, stage: String, segment: String, tone: String, fallbackTone: String? = nil) -> [String] {
        let prefix = "\(channel.rawValue)/\(stage)/"
        var stems = ["\(segment).\(tone)", "standaard.\(tone)"]
        if let fallbackTone { stems += ["\(segment).\(fallbackTone)", "standaard.\(fallbackTone)"] }
        var names = (stems + [segment, "standaard"]).map { prefix + $0 }
        var seen = Set<String>()
        names.removeAll { !seen.insert($0).inserted }
        return names
    }

    /// The file suffixes a complete template of `channel` needs.
    public static func parts(_ channel: Action.Channel) -> [String] {
        channel == .email ? [".subject", ".text", ".html"] : [""]
    }

    /// Chooses the template and variant for an action, given the names in the store.
    public static func resolve(
        channel: Action.Channel, stage: String, segment: String, tone: String, fallbackTone: String? = nil,
        debtorID: String, forcedVariant: String?, available: Set<String>
    ) -> Result<Resolution, Failure> {
        resolve(channel: channel, stage: stage, segment: segment, tone: tone, fallbackTone: fallbackTone, debtorID: debtorID,
                forcedVariant: forcedVariant, available: available, variantIndex: variantIndex(available))
    }

    /// The variants of every base name, computed once per template set.
    public static func variantIndex(_ available: Set<String>) -> [String: [String]] {
        var index: [String: [String]] = [:]
        for channel in Action.Channel.allCases {
            let parts = parts(channel)
            let first = parts.first ?? ""
            for name in available where name.hasPrefix(channel.rawValue + "/") && name.hasSuffix(first) {
                let stem = name.dropLast(first.count)
                guard let dot = stem.lastIndex(of: ".") else { continue }
                let base = String(stem[..<dot])
                if index[base] == nil {
                    index[base] = variantsOf(base, parts: parts, available: available)
                }
            }
        }
        return index
    }

    /// `resolve` with a precomputed variant index (the hot path).
    public static func resolve(
        channel: Action.Channel, stage: String, segment: String, tone: String, fallbackTone: String? = nil,
        debtorID: String, forcedVariant: String?, available: Set<String>, variantIndex: [String: [String]]
    ) -> Result<Resolution, Failure> {
        let parts = parts(channel)
        let tried = candidates(channel: channel, stage: stage, segment: segment, tone: tone, fallbackTone: fallbackTone)
        for base in tried {
            let variants = variantIndex[base] ?? []
            let plain = parts.allSatisfy { available.contains(base + $0) }
            if !plain && variants.isEmpty { continue }
            if let forced = forcedVariant {
                guard variants.contains(forced) else {
                    return .failure(Failure(reason: "variant \"\(forced)\" does not exist for \(base) (variants: \(variants.isEmpty ? "none" : variants.joined(separator: ", ")))"))
                }
                return .success(Resolution(base: base, variant: forced))
            }
            if variants.isEmpty { return .success(Resolution(base: base, variant: nil)) }
            let index = Int(fnv1a("\(debtorID)|\(stage)") % UInt64(variants.count))
            return .success(Resolution(base: base, variant: variants[index]))
        }
        return .failure(Failure(reason: "no \(channel.rawValue) template for stage \"\(stage)\", segment \"\(segment)\", tone \"\(tone)\"; tried \(tried.map { $0 + (parts.first ?? "") }.joined(separator: ", "))"))
    }

    /// The variants (`A`, `B`, ...) that exist completely for `base`, sorted.
    static func variantsOf(_ base: String, parts: [String], available: Set<String>) -> [String] {
        let firstPart = parts.first ?? ""
        var found: [String] = []
        for name in available where name.hasPrefix(base + ".") && name.hasSuffix(firstPart) {
            let middle = name.dropFirst(base.count + 1).dropLast(firstPart.count)
            guard !middle.isEmpty, middle.allSatisfy({ $0.isUppercase || $0.isNumber }), !middle.contains(".") else { continue }
            let variant = String(middle)
            if parts.allSatisfy({ available.contains("\(base).\(variant)\($0)") }) { found.append(variant) }
        }
        return found.sorted()
    }

    /// 64-bit FNV-1a (see `StableHash`).
    public static func fnv1a(_ text: String) -> UInt64 { StableHash.fnv1a64(text) }
}
