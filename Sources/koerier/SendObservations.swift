import Foundation
import KoerierCore

/// What the journal's events say about sending, kept for `/metrics`: the start of each attempt under way (for the
/// latency of its answer) and the arrival of each action not finished yet (for the oldest waiting action's age).
/// Pure bookkeeping over events; bounded to `capacity` actions (the oldest forgotten first). Only actions that
/// arrived while this process runs are known.
struct SendObservations: Sendable {
    /// One finished attempt.
    struct Attempt: Sendable, Equatable {
        var channel: String
        var provider: String
        /// `sent`, `failed` or `retry`.
        var result: String
        var seconds: Double
    }

    private(set) var started: [String: (Date, String)] = [:]
    private(set) var waiting: [String: Date] = [:]
    let capacity: Int

    init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    /// Takes a batch of events; returns the attempts it finished.
    mutating func take(_ events: [JournalEvent]) -> [Attempt] {
        var finished: [Attempt] = []
        for event in events {
            switch event.event {
            case .received:
                if waiting.count < capacity { waiting[event.action] = event.ts }
            case .sending:
                if started.count < capacity { started[event.action] = (event.ts, event.channel ?? "-") }
            case .sent, .failed, .deferred:
                if let (start, channel) = started.removeValue(forKey: event.action) {
                    let result = event.event == .deferred ? "retry" : event.event.rawValue
                    finished.append(Attempt(channel: event.channel ?? channel, provider: event.provider ?? "-", result: result,
                                            seconds: max(0, event.ts.timeIntervalSince(start))))
                }
            default:
                break
            }
            if event.event.isTerminal { waiting[event.action] = nil; started[event.action] = nil }
        }
        return finished
    }

    /// Seconds the longest-waiting unfinished action has waited at `now` (0 when none waits).
    func oldestWaiting(now: Date) -> Double {
        waiting.values.min().map { max(0, now.timeIntervalSince($0)) } ?? 0
    }
}
