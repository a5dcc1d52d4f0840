import CCurl
import Foundation
import Synchronization

/// Drives many transfers at once through one curl multi handle on a thread of its own,
/// so blocking curl work never runs on the Swift concurrency pool.
///
/// Connections live in the multi handle's cache and are reused across transfers to the same host;
/// `maxHostConnections` bounds how many run in parallel per host (extra transfers wait inside curl).
public final class CurlMultiDriver: Sendable {
    private struct Submission: Sendable {
        let easy: CurlEasy
        let continuation: CheckedContinuation<CurlResponse, Never>
    }

    private struct State: ~Copyable {
        var pending: [Submission] = []
        var started = false
        var stopping = false
    }

    private let multi: MultiHandle
    private let name: String
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    /// Wraps the raw multi pointer so the thread and the submitters can share it.
    private final class MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init?(maxHostConnections: Int, maxTotalConnections: Int) {
            guard CurlGlobal.initialized, let pointer = curl_multi_init() else { return nil }
            self.pointer = pointer
            _ = koerier_multi_setopt_long(pointer, CURLMOPT_MAX_HOST_CONNECTIONS, maxHostConnections)
            _ = koerier_multi_setopt_long(pointer, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
            _ = koerier_multi_setopt_long(pointer, CURLMOPT_MAXCONNECTS, maxTotalConnections)
        }
        deinit { curl_multi_cleanup(pointer) }
    }

    /// Sets up the multi handle; the thread starts with `start()` or the first transfer. `nil` when libcurl cannot be initialised.
    public init?(maxHostConnections: Int, maxTotalConnections: Int? = nil, name: String = "koerier-curl") {
        guard let multi = MultiHandle(
            maxHostConnections: max(1, maxHostConnections),
            maxTotalConnections: max(1, maxTotalConnections ?? maxHostConnections * 4)
        ) else { return nil }
        self.multi = multi
        self.name = name
    }

    /// Starts the driver thread (once); transfers submitted before wait for it.
    public func start() {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started && !state.stopping
        }
        guard first else { return }
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Runs the transfer configured on `easy` and returns its outcome. `easy` must not be used elsewhere meanwhile.
    public func perform(_ easy: CurlEasy) async -> CurlResponse {
        await withCheckedContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                if state.stopping { return false }
                state.pending.append(Submission(easy: easy, continuation: continuation))
                return true
            }
            if accepted {
                start()
                curl_multi_wakeup(multi.pointer)
            } else {
                continuation.resume(returning: CurlResponse(
                    error: CurlError(code: CURLE_ABORTED_BY_CALLBACK, detail: "transport is shutting down"),
                    responseCode: 0, headerLines: [], body: [], bytesSent: 0))
            }
        }
    }

    /// Lets running transfers finish, then stops the thread and returns (blocking: call it off the concurrency pool).
    /// Transfers still waiting for a thread that never started end as aborted.
    public func shutdown() {
        let (first, running, orphans) = state.withLock { state -> (Bool, Bool, [Submission]) in
            defer { state.stopping = true }
            if state.started { return (!state.stopping, true, []) }
            defer { state.pending.removeAll() }
            return (!state.stopping, false, state.pending)
        }
        for submission in orphans {
            submission.continuation.resume(returning: CurlResponse(
                error: CurlError(code: CURLE_ABORTED_BY_CALLBACK, detail: "transport is shutting down"),
                responseCode: 0, headerLines: [], body: [], bytesSent: 0))
        }
        guard first, running else { return }
        curl_multi_wakeup(multi.pointer)
        finished.wait()
    }

    private func loop() {
        var active: [UnsafeMutableRawPointer: Submission] = [:]
        while true {
            let (incoming, stopping) = state.withLock { state -> ([Submission], Bool) in
                defer { state.pending.removeAll() }
                return (state.pending, state.stopping)
            }
            for submission in incoming {
                let code = curl_multi_add_handle(multi.pointer, submission.easy.handle)
                if code == CURLM_OK {
                    active[submission.easy.handle] = submission
                } else {
                    submission.continuation.resume(returning: CurlResponse(
                        error: CurlError(code: CURLE_FAILED_INIT, detail: "curl_multi_add_handle failed"),
                        responseCode: 0, headerLines: [], body: [], bytesSent: 0))
                }
            }
            var running: Int32 = 0
            _ = curl_multi_perform(multi.pointer, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi.pointer, &left) {
                var result = CURLE_OK
                guard let handle = koerier_multi_done_handle(message, &result) else { continue }
                _ = curl_multi_remove_handle(multi.pointer, handle)
                if let submission = active.removeValue(forKey: handle) {
                    submission.continuation.resume(returning: submission.easy.response(code: result))
                }
            }
            if stopping && active.isEmpty {
                let more = state.withLock { !$0.pending.isEmpty }
                if !more { break }
            }
            _ = curl_multi_poll(multi.pointer, nil, 0, 1000, nil)
        }
        finished.signal()
    }
}
