/// A choice in a page's select or list: its value, what it shows and whether it is the current one.
struct WebOption {
    let value: String
    let label: String
    let selected: Bool
}
