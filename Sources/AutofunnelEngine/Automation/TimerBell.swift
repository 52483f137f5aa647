import Synchronization

/// Wakes the scheduler when a timer may have been set earlier than it planned to look: it sleeps until the next due
/// time, not in a polling loop.
public final class TimerBell: Sendable {
    private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let rung = Mutex(false)

    public init() {}

    /// Wakes a sleeping scheduler (or makes its next sleep return at once).
    public func ring() {
        let c = waiter.withLock { w -> CheckedContinuation<Void, Never>? in
            defer { w = nil }
            return w
        }
        if let c { c.resume() } else { rung.withLock { $0 = true } }
    }

    /// Sleeps up to `millis`, or until rung.
    func sleep(millis: Int64) async {
        if rung.withLock({ r in
            defer { r = false }; return r
        }) {
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let early = rung.withLock { r in
                        defer { r = false }; return r
                    }
                    if early { c.resume() } else { waiter.withLock { $0 = c } }
                }
            }
            group.addTask { try? await Task.sleep(for: .milliseconds(millis)) }
            await group.next()
            ring()
            rung.withLock { $0 = false }
            group.cancelAll()
        }
    }
}
