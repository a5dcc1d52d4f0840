import Foundation
import KoerierCore
import Logging

/// The feedback desk and the inbound reader, built for `run`: the desk knows the journal window, follows the
/// dispatcher's events, and is the `FeedbackSink` the HTTP listener hands delivery reports to.
struct FeedbackWiring {
    let desk: FeedbackDesk
    let inbound: InboundService

    init(configuration: Configuration, journal: Journal, dispatcher: Dispatcher, logger: Logger,
         alsoObserve: (@Sendable ([JournalEvent]) -> Void)? = nil) {
        let folder = InboundMessage.folder(spool: configuration.spool)
        // A report may wait for its `sent` as long as the action may wait for a retry, and a day more.
        let holdFor = max(3 * 86_400, configuration.delivery.retry.maximumAge + 86_400)
        desk = FeedbackDesk(journal: journal, inbound: folder, logger: logger, holdFor: holdFor)
        // Reports can come days after `sent`, and `sent` up to the retry window after the action arrived.
        let days = max(14, Int(configuration.delivery.retry.maximumAge / 86_400) + 3)
        desk.load(since: RFC3339.utcDay(Date()).adding(days: -days))
        dispatcher.observe { [desk] events in
            desk.observe(events)
            alsoObserve?(events)
        }
        inbound = InboundService(spool: configuration.spool, desk: desk, bounce: configuration.email.bounce, logger: logger)
    }

    /// `--once`: reads inbound/ and applies held reports before the dispatcher's pass (the journal writer starts
    /// with the first append, and the group stops as soon as the dispatcher is done).
    func readInboundOnce() async {
        await inbound.pass()
        await desk.applyHeld()
    }
}
