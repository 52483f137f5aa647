import AutofunnelCore

/// What a live import read from the other CRM, in its own ids, before anything is ours: both sources map their pages
/// into these, and `LiveFiles` writes them as Autofunnel's export files.
public struct LiveSnapshot: Sendable, Equatable {
    public var pipelines: [RemotePipeline] = []
    /// E-mail of each user, by the user's id there.
    public var users: [String: String] = [:]
    public var deals: [RemoteDeal] = []
    public var contacts: [RemoteParty] = []
    public var companies: [RemoteParty] = []
    /// Every stage change, in the order read; `from` nil for the row that created the deal.
    public var moves: [RemoteMove] = []
    /// The deals' notes (amoCRM's lead notes, Bitrix24's deal activities) and tasks, in the order read.
    public var notes: [RemoteNote] = []
    public var tasks: [RemoteTask] = []
    /// Notes of a kind the import does not bring (amoCRM's service messages, Bitrix24's task activities, …) and
    /// tasks on no deal, left out.
    public var skippedNotes = 0
    public var skippedTasks = 0
    public init() {}
}

/// A note on a deal there.
public struct RemoteNote: Sendable, Equatable {
    public var id: String
    public var deal: String
    public var at: Timestamp
    /// Who wrote it: a user id there.
    public var author: String?
    public var text: String
    public init(id: String, deal: String, at: Timestamp, author: String? = nil, text: String) {
        self.id = id
        self.deal = deal
        self.at = at
        self.author = author
        self.text = text
    }
}

/// A task on a deal there.
public struct RemoteTask: Sendable, Equatable {
    public var id: String
    public var deal: String
    public var title: String
    public var text: String?
    public var dueAt: Timestamp?
    /// The user ids there of the one it is for and the one who made it.
    public var responsible: String?
    public var author: String?
    public var createdAt: Timestamp
    public var status: DealTask.Status
    public var doneAt: Timestamp?
    public var result: String?
    public init(
        id: String, deal: String, title: String, text: String? = nil, dueAt: Timestamp?, responsible: String? = nil, author: String? = nil,
        createdAt: Timestamp, status: DealTask.Status = .open, doneAt: Timestamp? = nil, result: String? = nil
    ) {
        self.id = id
        self.deal = deal
        self.title = title
        self.text = text
        self.dueAt = dueAt
        self.responsible = responsible
        self.author = author
        self.createdAt = createdAt
        self.status = status
        self.doneAt = doneAt
        self.result = result
    }

    /// A title of at most 500 characters from a task's text there (its first line); the text itself when the title is
    /// not all of it.
    public static func titled(_ full: String) -> (title: String, text: String?) {
        let clean = full.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = clean.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let title = String(first.prefix(500)).trimmingCharacters(in: .whitespaces)
        return (title, title == clean ? nil : clean)
    }
}

/// A pipeline there, with its stages ("statuses") in order.
public struct RemotePipeline: Sendable, Equatable {
    public var id: String
    public var name: String
    public var statuses: [RemoteStatus]
    public init(id: String, name: String, statuses: [RemoteStatus]) {
        self.id = id
        self.name = name
        self.statuses = statuses
    }
}

/// A stage there; `outcome` won or lost for the closing ones.
public struct RemoteStatus: Sendable, Equatable {
    public var id: String
    public var name: String
    public var outcome: Stage.Outcome?
    public init(id: String, name: String, outcome: Stage.Outcome? = nil) {
        self.id = id
        self.name = name
        self.outcome = outcome
    }
}

/// A deal ("lead") there; `status` is a `RemoteStatus.id` of `pipeline`.
public struct RemoteDeal: Sendable, Equatable {
    public var id: String
    public var pipeline: String
    public var status: String
    public var title: String
    /// The amount as text (`150000`, `1500.50`).
    public var amount: String?
    public var currency: String?
    /// The responsible's user id there.
    public var responsible: String?
    public var contact: String?
    public var company: String?
    public var createdAt: Timestamp
    public var closedAt: Timestamp?
    public var lossComment: String?
    public init(
        id: String, pipeline: String, status: String, title: String, amount: String? = nil, currency: String? = nil, responsible: String? = nil,
        contact: String? = nil, company: String? = nil, createdAt: Timestamp, closedAt: Timestamp? = nil, lossComment: String? = nil
    ) {
        self.id = id
        self.pipeline = pipeline
        self.status = status
        self.title = title
        self.amount = amount
        self.currency = currency
        self.responsible = responsible
        self.contact = contact
        self.company = company
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.lossComment = lossComment
    }
}

/// A contact or company there.
public struct RemoteParty: Sendable, Equatable {
    public var id: String
    public var name: String
    public var phones: [String]
    public var emails: [String]
    public var company: String?
    public var createdAt: Timestamp
    public init(id: String, name: String, phones: [String] = [], emails: [String] = [], company: String? = nil, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.phones = phones
        self.emails = emails
        self.company = company
        self.createdAt = createdAt
    }
}

/// One stage change there.
public struct RemoteMove: Sendable, Equatable {
    public var deal: String
    public var pipeline: String
    /// The status left; nil when the deal was created.
    public var from: String?
    public var to: String
    public var at: Timestamp
    /// Who moved it: a user id there.
    public var by: String?
    public init(deal: String, pipeline: String, from: String?, to: String, at: Timestamp, by: String? = nil) {
        self.deal = deal
        self.pipeline = pipeline
        self.from = from
        self.to = to
        self.at = at
        self.by = by
    }
}
