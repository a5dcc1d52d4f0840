/// At most `width` holders at once; others wait in order, suspended (never blocking a thread).
actor AsyncGate {
    private let width: Int
    private var holdersCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var first = 0

    init(width: Int) { self.width = max(1, width) }

    /// Waits for a place and takes it; every `enter` is matched by one `leave`.
    func enter() async {
        if holdersCount < width && first == waiters.count {
            holdersCount += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
        // `leave` handed its place over: `holdersCount` already counts this one.
    }

    /// Places taken now.
    var holders: Int { holdersCount }
    /// Waiters for a place now.
    var waiting: Int { waiters.count - first }

    /// Gives a place back, to the longest waiter if there is one.
    func leave() {
        if first < waiters.count {
            let next = waiters[first]
            first += 1
            if first == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                first = 0
            } else if first > 1024 && first * 2 > waiters.count {
                // A gate that always has waiters never empties its queue: drop the served part now and then.
                waiters.removeFirst(first)
                first = 0
            }
            next.resume()
        } else {
            holdersCount = max(0, holdersCount - 1)
        }
    }
}
