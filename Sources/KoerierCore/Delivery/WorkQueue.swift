import Foundation

/// One spool file on its way through the dispatcher, with its life so far.
struct WorkItem: Sendable {
    var file: String
    /// The action id, once known (set when the item is deferred).
    var actionID: String?
    /// Attempts, ambiguity and whether `received` is journalled (rebuilt from the journal after a restart).
    var life = ActionLifecycle()
    /// Passing read errors of this file so far.
    var readRetries = 0

    init(file: String) { self.file = file }
}

/// The ready queue between intake/timer and the workers.
actor WorkQueue {
    private var items: [WorkItem] = []
    private var head = 0
    private var waiters: [CheckedContinuation<WorkItem?, Never>] = []
    private var closed = false

    /// Adds an item, handing it straight to a waiting worker when there is one.
    func push(_ item: WorkItem) {
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: item)
        } else {
            items.append(item)
        }
    }

    /// The next item, or `nil` once closed (items still queued stay where they are on disk).
    func next() async -> WorkItem? {
        if closed { return nil }
        if head < items.count {
            let item = items[head]
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Wakes every worker with `nil`.
    func close() {
        closed = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
    }

    var count: Int { items.count - head }
}

/// A min-heap of deadlines for deferred files.
struct DeadlineHeap: Sendable {
    private var heap: [(due: Date, file: String)] = []

    var count: Int { heap.count }
    var earliest: Date? { heap.first?.due }

    mutating func insert(_ due: Date, _ file: String) {
        heap.append((due, file))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent].due <= heap[child].due { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    /// Removes and returns the files due at or before `now`.
    mutating func popDue(_ now: Date, limit: Int) -> [String] {
        var out: [String] = []
        while out.count < limit, let first = heap.first, first.due <= now {
            out.append(first.file)
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var smallest = parent
                    if left < heap.count && heap[left].due < heap[smallest].due { smallest = left }
                    if right < heap.count && heap[right].due < heap[smallest].due { smallest = right }
                    if smallest == parent { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
        }
        return out
    }
}
