import AutofunnelCore
import AutofunnelStore

/// Answers from outside systems: the signed callbacks of `call_and_wait`, their deadlines, and messages contacts send
/// on a channel.
extension AutomationRunner {
    /// A request's Standard Webhooks headers and its body exactly as sent.
    public struct Signed: Sendable {
        public var id: String?
        public var timestamp: String?
        public var signature: String?
        public var body: String
        public init(id: String?, timestamp: String?, signature: String?, body: String) {
            self.id = id
            self.timestamp = timestamp
            self.signature = signature
            self.body = body
        }

        func verified(by secret: String, now: Timestamp) throws {
            guard WebhookSigner.verify(secret: secret, id: id, timestamp: timestamp, signatures: signature, body: body, now: now) else {
                throw AppError.unauthenticated
            }
        }
    }

    /// What a callback did: `approved` or `rejected` when it was taken now; when the wait had ended already, the status
    /// it ended with (a repeated callback changes nothing).
    public struct CallbackResult: Sendable {
        public var status: String
        public var applied: Bool
        public var deal: Deal
    }

    /// Takes an outside system's answer to a waiting deal: sets the fields it sends, runs the callback rules and moves
    /// the deal (to `stage`, else the rule's branch; an approval without one goes to the next stage), all through the
    /// one transition path and in one transaction. A refused move refuses the callback and leaves the wait open.
    public func answer(token: String, approved: Bool, stage: StageKey?, data: [String: JSONValue], signed: Signed) async throws -> CallbackResult {
        let now = clock.now()
        return try await store.write { s in
            guard let wait = try await s.wait(token: token, forUpdate: true) else { throw AppError.notFound("No call waits on this token") }
            try signed.verified(by: try await s.endpoint(wait.endpoint).secret, now: now)
            guard wait.status == .waiting else {
                return CallbackResult(status: wait.status.rawValue, applied: false, deal: try await s.deal(wait.deal))
            }
            var cascade = AutomationCascade()
            let robot = Actor(kind: .automation)
            if !data.isEmpty { _ = try await deals.updateIn(s, wait.deal, input: DealInput(fields: data), actor: robot, now: now, cascade: &cascade) }
            let result = approved ? "approved" : "rejected"
            try await s.resolveWait(token, status: approved ? .approved : .rejected, at: now)
            try await s.appendTimeline([TimelineEntry(deal: wait.deal, at: now, kind: "callback", field: wait.rule, text: result, actor: robot)])
            try await automate(
                [.callbackReceived(rule: wait.rule, result: result)], deal: wait.deal, cause: "callback:\(token)", session: s, now: now,
                cascade: &cascade)
            let deal = try await s.deal(wait.deal)
            guard let pipeline = try await cascade.pipeline(deal.pipeline, s) else { throw DealService.noPipeline(deal.pipeline) }
            if let target = Automation.callbackTarget(
                sent: stage, approved: approved, branches: wait.branches, waitingIn: wait.stage, deal: deal, pipeline: pipeline)
            {
                try await deals.transitionIn(
                    s, wait.deal, .move(to: target, lossComment: nil), cause: "callback \(wait.rule)", now: now, cascade: &cascade)
            }
            return CallbackResult(status: result, applied: true, deal: try await s.deal(wait.deal))
        }
    }

    /// A wait's deadline passed with no answer: the wait ends as `timeout`, the callback rules run with that result and
    /// the deal takes the rule's timeout branch. A refused move is written to the timeline; the timer is done either way.
    func waitTimedOut(_ token: String, session s: StoreSession, now: Timestamp, cascade: inout AutomationCascade) async throws {
        guard let wait = try await s.wait(token: token, forUpdate: true), wait.status == .waiting else { return }
        try await s.resolveWait(token, status: .timeout, at: now)
        let robot = Actor(kind: .automation)
        try await s.appendTimeline([TimelineEntry(deal: wait.deal, at: now, kind: "callback", field: wait.rule, text: "timeout", actor: robot)])
        try await automate(
            [.callbackReceived(rule: wait.rule, result: "timeout")], deal: wait.deal, cause: "wait:\(token)", session: s, now: now, cascade: &cascade)
        let deal = try await s.deal(wait.deal)
        guard let target = Automation.timeoutTarget(branches: wait.branches, waitingIn: wait.stage, deal: deal) else { return }
        do {
            try await deals.transitionIn(
                s, wait.deal, .move(to: target, lossComment: nil), cause: "timeout \(wait.rule)", now: now, cascade: &cascade)
        } catch let error where AppError.from(error) != nil {
            try await recordError(
                TimelineEntry(
                    deal: wait.deal, at: now, kind: "automation_error", field: wait.rule, text: "Timeout branch: \(Self.describe(error))",
                    actor: robot), session: s)
        }
    }

    /// What a message from a contact did.
    public struct ReceivedMessage: Sendable {
        public var contact: ContactID?
        public var deals: [DealID]
        public var unsubscribed: Bool
        public var duplicate: Bool
    }

    /// A contact wrote on a channel (a messenger gateway posts it, signed with the channel's secret). The channel's
    /// unsubscribe text unsubscribes the contact; every open deal of the contact gets the message on its timeline and
    /// runs its `message_received` rules. A message id seen before changes nothing.
    public func receiveMessage(channel name: String, from: String, text: String, signed: Signed) async throws -> ReceivedMessage {
        let now = clock.now()
        return try await store.write { s in
            guard let channel = try await s.endpoint(named: name), channel.kind != .webhook else { throw AppError.notFound("No channel '\(name)'") }
            try signed.verified(by: channel.secret, now: now)
            let messageID = signed.id ?? ""
            guard try await s.claimRun(cause: "message:\(channel.id):\(messageID)", rule: "", action: 0, at: now) else {
                return ReceivedMessage(contact: nil, deals: [], unsubscribed: false, duplicate: true)
            }
            let contact = try await DuplicateMatcher.contacts(
                phones: channel.kind == .email ? [] : [from], emails: channel.kind == .email ? [from] : [], s
            )
            .first
            guard let contact else { return ReceivedMessage(contact: nil, deals: [], unsubscribed: false, duplicate: false) }
            let unsubscribes = channel.unsubscribeText.map { $0.lowercased() == text.trimmed.lowercased() } ?? false
            if unsubscribes { try await s.unsubscribe(contact: contact.id, channel: name, at: now) }
            let deals = try await s.deals(DealFilter(status: .open, contact: contact.id), after: nil, limit: 100).items
            let robot = Actor(kind: .automation)
            for deal in deals {
                try await s.appendTimeline([
                    TimelineEntry(deal: deal.id, at: now, kind: "message_in", field: name, text: text, actor: robot)
                ])
                var cascade = AutomationCascade()
                try await automate(
                    [.messageReceived(channel: name, text: text)], deal: deal.id, cause: "message:\(channel.id):\(messageID):\(deal.id)", session: s,
                    now: now, cascade: &cascade, pipelineHint: deal.pipeline)
            }
            return ReceivedMessage(contact: contact.id, deals: deals.map(\.id), unsubscribed: unsubscribes, duplicate: false)
        }
    }
}
