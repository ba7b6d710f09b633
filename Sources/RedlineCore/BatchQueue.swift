import Foundation

/// Hands batches of patches from the reading thread to worker threads and gives their outcomes
/// back in submission order. Only `Sendable` values pass through it; all state is guarded by
/// one condition lock.
final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let limit: Int
    private var pending: [(Int, [ActivityPatch])] = []
    private var pendingStart = 0
    private var done: [Int: [PatchOutcome]] = [:]
    private var submitted = 0
    private var delivered = 0
    private var closed = false
    private var workerError: Error?

    /// At most `limit` batches are submitted but not yet delivered.
    init(limit: Int) { self.limit = max(1, limit) }

    /// Queues a batch, first delivering finished ones while too many are in flight.
    func submit(_ batch: [ActivityPatch], deliver: ([PatchOutcome]) throws -> Void) throws {
        try deliverReady(deliver, untilInFlightBelow: limit)
        condition.lock()
        pending.append((submitted, batch))
        submitted += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Delivers everything submitted.
    func drain(deliver: ([PatchOutcome]) throws -> Void) throws {
        try deliverReady(deliver, untilInFlightBelow: 1)
    }

    private func deliverReady(_ deliver: ([PatchOutcome]) throws -> Void, untilInFlightBelow bound: Int) throws {
        while true {
            condition.lock()
            while done[delivered] == nil && submitted - delivered >= bound && workerError == nil {
                condition.wait()
            }
            if let workerError {
                condition.unlock()
                throw workerError
            }
            guard let outcomes = done.removeValue(forKey: delivered) else {
                condition.unlock()
                return
            }
            delivered += 1
            condition.unlock()
            try deliver(outcomes)
        }
    }

    /// The next batch for a worker, or nil once the queue is closed.
    func take() -> (Int, [ActivityPatch])? {
        condition.lock()
        defer { condition.unlock() }
        while pendingStart == pending.count && !closed { condition.wait() }
        guard pendingStart < pending.count else { return nil }
        let job = pending[pendingStart]
        pending[pendingStart].1 = []
        pendingStart += 1
        if pendingStart > 64 && pendingStart * 2 > pending.count {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        return job
    }

    func complete(_ sequence: Int, _ outcomes: [PatchOutcome]) {
        condition.lock()
        done[sequence] = outcomes
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: Error) {
        condition.lock()
        if workerError == nil { workerError = error }
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A thread that builds its own engine, then checks batches until the queue closes.
final class WorkerThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(queue: BatchQueue, makeEngine: @escaping @Sendable () throws -> OverlapEngine) {
        let finished = self.finished
        let thread = Thread {
            defer { finished.signal() }
            let engine: OverlapEngine
            do {
                engine = try makeEngine()
            } catch {
                queue.fail(error)
                return
            }
            while let (sequence, batch) = queue.take() {
                queue.complete(sequence, batch.map(engine.check))
            }
        }
        // GEOS recurses on deeply nested overlays; give it room.
        thread.stackSize = 16 << 20
        thread.start()
    }

    func join() { finished.wait() }
}
