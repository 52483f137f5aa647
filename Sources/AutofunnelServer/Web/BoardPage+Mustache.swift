import Mustache

// The board renders hundreds of cards; Mustache finds a name by reflecting on each context up the stack (`{{t.…}}` in
// a card passes the card, its column and the page before the chrome). Looking names up directly keeps that cheap.

extension BoardPage.Card: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "title": title
        case "amount": amount
        case "contact": contact
        case "responsible": responsible
        case "age": age
        case "ageClass": ageClass
        case "tasks": tasks
        default: nil
        }
    }
}

extension BoardPage.Column: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "key": key
        case "name": self.name
        case "keyStage": keyStage
        case "count": count
        case "sums": sums
        case "cards": cards
        case "more": more
        default: nil
        }
    }
}

extension BoardPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "key": key
        case "name": self.name
        case "pipelines": pipelines
        case "mine": mine
        case "q": q
        case "tag": tag
        case "tagSuggestions": tagSuggestions
        case "responsibles": responsibles
        case "columns": columns
        case "lost": lost
        case "moves": moves
        case "fieldsJSON": fieldsJSON
        case "currency": currency
        case "writes": writes
        default: nil
        }
    }
}

extension WebRenderer.Chrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "lang": lang
        case "csrf": csrf
        case "user": user
        case "admin": admin
        case "unread": unread
        case "hasUnread": hasUnread
        case "board": board
        case "analytics": analytics
        case "t": t
        case "page": page
        case "script": script
        case "problems": problems
        default: nil
        }
    }
}
