import Foundation

extension TemplateLinter {
    /// One cell of the matrix: which file a channel, stage, segment and tone is rendered from, or why it is rejected.
    public struct MatrixCell: Sendable, Equatable {
        /// The channel.
        public var channel: Action.Channel
        /// The stage key.
        public var stage: String
        /// The segment key.
        public var segment: String
        /// The action's tone.
        public var tone: Action.Tone
        /// The template base name used, or `nil` when the combination is rejected.
        public var template: String?
        /// True when the stage's fallback tone served this tone.
        public var usesFallbackTone: Bool
        /// Why a combination is rejected (resolution or a sample render), for `check`.
        public var problem: String?
        /// True for an SMS stage that has no SMS templates at all (by design: that stage goes by email).
        public var notOfferedBySMS: Bool

        /// The finding `check` reports for this cell, if any.
        public var finding: Finding? {
            guard let problem else { return nil }
            let path = "\(channel.rawValue)/\(stage)/\(segment).\(tone.rawValue)"
            if notOfferedBySMS {
                guard segment == "standaard", tone == .zakelijk else { return nil }
                return Finding(file: "sms/\(stage)", line: 0, severity: .warning, message: problem)
            }
            return Finding(file: path, line: 0, severity: .error, message: "would be rejected: \(problem)")
        }
    }

    /// The segments of the contract's examples, and the default.
    public static let matrixSegments = ["standaard", "consument", "zakelijk", "hoog-risico", "intercompany"]

    /// Every channel x stage x segment x tone of the contract, resolved as the renderer would and rendered once with a
    /// realistic sample (a consumer for `consument`, a business otherwise).
    public func matrix(now: Date) -> [MatrixCell] {
        let renderer = Renderer(store: store, configuration: configuration)
        let today = renderer.localDay(now)
        let names = Set(store.sources.keys)
        var cells: [MatrixCell] = []
        for channel in Action.Channel.allCases {
            for stage in Self.expectedTones.keys.sorted() {
                let offered = names.contains { $0.hasPrefix("\(channel.rawValue)/\(stage)/") }
                for segment in Self.matrixSegments {
                    for tone in Action.Tone.allCases {
                        var cell = MatrixCell(channel: channel, stage: stage, segment: segment, tone: tone, template: nil,
                                              usesFallbackTone: false, problem: nil, notOfferedBySMS: false)
                        if !offered && channel == .sms {
                            cell.notOfferedBySMS = true
                            cell.problem = "no SMS templates for stage \(stage): SMS actions in this stage are rejected; send it by email"
                            cells.append(cell)
                            continue
                        }
                        let type: Action.Debtor.Kind = segment == "consument" ? .consumer : .business
                        let sample = LintSamples.action(channel: channel, stage: stage, segment: segment, tone: tone,
                                                        debtorType: stage == WIKRule.stage ? .consumer : type, variant: nil, today: today)
                        switch renderer.resolve(sample) {
                        case .failure(let error):
                            cell.problem = error.reason
                        case .success(let resolution):
                            cell.template = resolution.base
                            cell.usesFallbackTone = !resolution.base.hasSuffix(".\(tone.rawValue)")
                            do {
                                switch channel {
                                case .email: _ = try renderer.renderEmail(sample, now: now)
                                case .sms: _ = try renderer.renderSMS(sample, now: now)
                                }
                            } catch {
                                cell.problem = error.reason
                            }
                        }
                        cells.append(cell)
                    }
                }
            }
        }
        return cells
    }

    /// The matrix as `check` prints it: one line per channel, stage and segment, each tone with its file.
    public static func matrixLines(_ cells: [MatrixCell]) -> [String] {
        var lines: [String] = []
        var index = 0
        while index < cells.count {
            let first = cells[index]
            let row = cells[index...].prefix { $0.channel == first.channel && $0.stage == first.stage && $0.segment == first.segment }
            let prefix = "\(first.channel.rawValue)/\(first.stage)/"
            if row.allSatisfy(\.notOfferedBySMS) {
                lines.append("\(first.channel.rawValue) \(first.stage) \(first.segment): not offered (no SMS templates)")
            } else {
                let tones = row.map { cell -> String in
                    guard let template = cell.template, cell.problem == nil else { return "\(cell.tone.rawValue) -> REJECTED" }
                    let file = template.hasPrefix(prefix) ? String(template.dropFirst(prefix.count)) : template
                    return "\(cell.tone.rawValue) -> \(file)\(cell.usesFallbackTone ? " (fallback)" : "")"
                }
                lines.append("\(first.channel.rawValue) \(first.stage) \(first.segment): \(tones.joined(separator: ", "))")
            }
            index += row.count
        }
        return lines
    }
}
