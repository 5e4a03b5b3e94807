/// What a waiter is handed: a healthy connection, or permission to open one in a freed slot.
enum PoolLease: Sendable {
    case connection(PostgresConnectionHandle)
    case slot
}

/// The pool's bookkeeping, always mutated under the pool's lock.
struct PoolState {
    enum Step {
        case use(PostgresConnectionHandle)
        case create
        case wait(Int)
        case closed
    }

    let maximum: Int
    /// Connections open or being opened, leased or idle.
    private(set) var open = 0
    private(set) var idle: [PostgresConnectionHandle] = []
    private(set) var waiters: [(id: Int, continuation: CheckedContinuation<PoolLease, any Error>)] = []
    private var cancelledBeforeEnqueue: Set<Int> = []
    private var nextWaiterID = 0
    private var connectionCounter = 0
    private(set) var isClosed = false

    init(maximum: Int) {
        self.maximum = maximum
    }

    mutating func lease() -> Step {
        if isClosed { return .closed }
        if let handle = idle.popLast() { return .use(handle) }
        if open < maximum {
            open += 1
            return .create
        }
        nextWaiterID += 1
        return .wait(nextWaiterID)
    }

    mutating func nextConnectionID() -> Int {
        connectionCounter += 1
        return connectionCounter
    }

    /// A connection comes back (`nil`: it was broken and closed, freeing its slot).
    mutating func giveBack(
        _ handle: PostgresConnectionHandle?
    ) -> (
        CheckedContinuation<PoolLease, any Error>?, PoolLease?
    ) {
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            return (waiter.continuation, handle.map(PoolLease.connection) ?? .slot)
        }
        if let handle, !isClosed {
            idle.append(handle)
        } else {
            open -= 1
        }
        return (nil, nil)
    }

    mutating func enqueue(_ id: Int, _ continuation: CheckedContinuation<PoolLease, any Error>) {
        if cancelledBeforeEnqueue.remove(id) != nil {
            continuation.resume(throwing: CancellationError())
        } else if isClosed {
            continuation.resume(throwing: PostgresError(code: .poolClosed, message: "pool is closed"))
        } else {
            waiters.append((id, continuation))
        }
    }

    mutating func cancel(_ id: Int) -> CheckedContinuation<PoolLease, any Error>? {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            return waiters.remove(at: index).continuation
        }
        cancelledBeforeEnqueue.insert(id)
        return nil
    }

    mutating func close() -> ([PostgresConnectionHandle], [CheckedContinuation<PoolLease, any Error>]) {
        isClosed = true
        let closing = (idle, waiters.map(\.continuation))
        open -= idle.count
        idle = []
        waiters = []
        return closing
    }
}
