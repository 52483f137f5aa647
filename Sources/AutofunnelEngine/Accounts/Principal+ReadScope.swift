import AutofunnelCore

extension Principal {
    /// Refuses a change asked with a read-scope token: the one statement of that rule, for the API, the pages and both
    /// dialects (each decides what a change is in its own terms: an HTTP method, a Bitrix24 method name).
    public func refuseChangeWithReadScope() throws {
        if credential == .token && scope == .read {
            throw AppError.forbidden(ru: "Токен только для чтения", en: "A read-scope token only reads")
        }
    }
}
