import KoerierCore

/// The sink when no feedback desk runs: every report fails, so the provider sends it again later.
struct UnavailableSink: FeedbackSink {
    func accept(_ report: FeedbackReport) async -> FeedbackAcceptance { .failed(why: "the feedback desk is not running") }
}
