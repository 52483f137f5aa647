import AutofunnelCore
import Foundation
import Synchronization

@testable import AutofunnelEngine

/// A clock that moves only when someone sleeps on it: rate limits and back-offs are measured in its seconds, and no
/// test waits for real.
final class SteppingClock: Sendable {
    private let state = Mutex<(now: Double, sleeps: [Double])>((0, []))

    var now: Double { state.withLock { $0.now } }
    var sleeps: [Double] { state.withLock { $0.sleeps } }

    var live: LiveClock {
        LiveClock(
            now: { [self] in state.withLock { $0.now } },
            sleep: { [self] seconds in
                state.withLock {
                    $0.sleeps.append(seconds)
                    $0.now += max(0, seconds)
                }
            })
    }
}

/// A transport that answers with `answer` and records every request with the clock's time when it was sent.
final class RecordingTransport: Sendable {
    private let log = Mutex<[(LiveTransport.Request, Double)]>([])
    let answer: @Sendable (LiveTransport.Request, Int) -> LiveTransport.Response
    let clock: SteppingClock

    init(clock: SteppingClock, answer: @escaping @Sendable (LiveTransport.Request, Int) -> LiveTransport.Response) {
        self.clock = clock
        self.answer = answer
    }

    var requests: [LiveTransport.Request] { log.withLock { $0.map(\.0) } }
    var times: [Double] { log.withLock { $0.map(\.1) } }

    var transport: LiveTransport {
        LiveTransport { [self] request in
            let n = log.withLock {
                $0.append((request, clock.now))
                return $0.count
            }
            return answer(request, n)
        }
    }
}

/// A folder for one test's pages, removed at the end.
struct PageFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-live-\(UUID().uuidString)")
    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension LiveTransport.Response {
    /// A 200 with `json` as the body.
    static func json(_ json: String, status: Int = 200) -> Self { .init(status: status, body: Data(json.utf8)) }
}
