/// ThreadKit owns the thread plumbing redline's modules share: threads that can be joined, a
/// bounded channel, a parallel map with per-thread state (a GEOS or PROJ context), a locked value.
/// It knows nothing of patches or files.
import Foundation

/// A thread running one body, with a big enough stack for GEOS, that can be waited for.
public final class JoinableThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)

    public init(_ body: @escaping @Sendable () -> Void) {
        let finished = self.finished
        let thread = Thread {
            defer { finished.signal() }
            body()
        }
        // GEOS recurses on deeply nested overlays; give it room.
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Waits for the body to end; may be called any number of times.
    public func join() {
        finished.wait()
        finished.signal()
    }
}

/// Whether no process has this id any more: the files a killed run named after its pid (staging
/// folders, half-written cache entries) can then go.
public func processIsGone(_ pid: Int32) -> Bool {
    kill(pid, 0) != 0 && errno == ESRCH
}

/// A first-in first-out queue between threads that holds at most `capacity` items: `send`
/// waits while it is full, `receive` while it is empty, until `close`.
public final class BoundedChannel<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Item] = []
    private var closed = false

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public func send(_ item: Item) {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return }
        items.append(item)
        condition.broadcast()
    }

    /// The next item, or nil once closed and empty.
    public func receive() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    /// No more items will be sent; receivers drain what is left, then get nil.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The state `parallelMap`'s threads share: the next index to hand out, the results, a failure.
private final class ParallelMapState<Result>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var results: [Result?]
    var failure: Error?

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.withLock {
            guard failure == nil, next < results.count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// Runs `body` for every index in `0..<count` on `jobs` threads, each with its own state made by
/// `makeState` on that thread (a GEOS or PROJ context, say), and returns the results in index
/// order. Indices are handed out one at a time, so a few large items do not pile up on one thread.
public func parallelMap<State, Result: Sendable>(
    count: Int, jobs: Int, makeState: @escaping @Sendable () throws -> State,
    _ body: @escaping @Sendable (inout State, Int) -> Result
) throws -> [Result] {
    let shared = ParallelMapState<Result>(count: count)
    let threads = (0..<max(1, min(jobs, count))).map { _ in
        JoinableThread {
            var state: State
            do {
                state = try makeState()
            } catch {
                shared.lock.withLock { if shared.failure == nil { shared.failure = error } }
                return
            }
            while let index = shared.claim() {
                let result = body(&state, index)
                shared.lock.withLock { shared.results[index] = result }
            }
        }
    }
    for thread in threads { thread.join() }
    if let failure = shared.failure { throw failure }
    return shared.results.map { $0! }
}

/// A value shared between threads, read and changed under a lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    public func update(_ change: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&stored)
    }
}
