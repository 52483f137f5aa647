import AutofunnelCore

/// The refused rows of an import as CSV, `row,column,reason`, one line per problem in file order: what
/// `autofunnel import csv --errors` writes and the import API and page download.
public enum ImportErrorsCSV {
    public static func text(_ problems: [ImportProblem]) -> String {
        var text = "row,column,reason\r\n"
        for p in problems { text += [String(p.row), p.column ?? "", p.message].map(CSVText.field).joined(separator: ",") + "\r\n" }
        return text
    }
}
