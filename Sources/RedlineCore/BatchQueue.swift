import Foundation
import ThreadKit

/// Hands batches of patches from the reading thread to worker threads, and their outcomes to
/// the writing thread in submission order. Only `Sendable` values pass through it; all state is
/// guarded by one condition lock.
final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let limit: Int
    private var pending: [(Int, [ActivityPatch])] = []
    private var pendingStart = 0
    private var done: [Int: [PatchOutcome]] = [:]
    private var submitted = 0
    private var delivered = 0
    private var inputFinished = false
    private var closed = false
    private(set) var failure: Error?

    /// At most `limit` batches are submitted but not yet handed to the writer.
    init(limit: Int) { self.limit = max(1, limit) }

    /// Queues a batch, waiting while too many are in flight. Throws the first failure of a
    /// worker or the writer.
    func submit(_ batch: [ActivityPatch]) throws {
        condition.lock()
        defer { condition.unlock() }
        while submitted - delivered >= limit && failure == nil { condition.wait() }
        if let failure { throw failure }
        pending.append((submitted, batch))
        submitted += 1
        condition.broadcast()
    }

    /// No more batches will come.
    func finishInput() {
        condition.lock()
        inputFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch for a worker, or nil once the queue is closed or failed.
    func take() -> (Int, [ActivityPatch])? {
        condition.lock()
        defer { condition.unlock() }
        while pendingStart == pending.count && !closed && !inputFinished && failure == nil { condition.wait() }
        guard pendingStart < pending.count, failure == nil, !closed else { return nil }
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

    /// The outcomes of the next batch in submission order, or nil when every batch has been
    /// handed over (or the run failed).
    func nextInOrder() -> [PatchOutcome]? {
        condition.lock()
        defer { condition.unlock() }
        while done[delivered] == nil && failure == nil && !closed && !(inputFinished && delivered == submitted) {
            condition.wait()
        }
        guard failure == nil, let outcomes = done.removeValue(forKey: delivered) else { return nil }
        delivered += 1
        condition.broadcast()
        return outcomes
    }

    func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
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
