import AutofunnelCore
import AutofunnelEngine
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A page's `multipart/form-data` form with files, read as it arrives by multipart-kit's streaming parser into an
/// import upload: files go to disk, the other fields are kept as text, and the upload limit holds throughout.
enum UploadForm {
    /// The upload and the form's other fields; `writer` is discarded when the form cannot be read.
    static func read(_ request: Request, into writer: ImportUploadWriter) async throws -> (upload: ImportUploads.Upload, fields: [String: String]) {
        guard let boundary = boundary(of: request.headers[.contentType] ?? "") else {
            writer.discard()
            throw AppError.badRequest("Send the form as multipart/form-data")
        }
        let parser = MultipartParser(boundary: boundary)
        var headers: [(name: String, value: String)] = []
        var inPart = false
        var completed = 0
        var failure: (any Error)?
        func startPart() {
            guard !inPart, failure == nil else { return }
            inPart = true
            let disposition = headers.first { $0.name.lowercased() == "content-disposition" }?.value ?? ""
            let parameters = Self.parameters(of: disposition)
            do { try writer.begin(name: parameters["name"] ?? "", fileName: parameters["filename"]) } catch { failure = error }
        }
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { buffer in
            startPart()
            guard failure == nil else { return }
            do { try buffer.withUnsafeReadableBytes { try writer.append($0) } } catch { failure = error }
        }
        parser.onPartComplete = {
            startPart()
            if failure == nil {
                do { try writer.end() } catch { failure = error }
            }
            headers = []
            inPart = false
            completed += 1
        }
        do {
            for try await chunk in request.body {
                try parser.execute(chunk)
                if let failure { throw failure }
            }
        } catch let error as AppError {
            writer.discard()
            throw error
        } catch {
            writer.discard()
            throw AppError.badRequest("The form cannot be read: it is not well-formed multipart/form-data")
        }
        guard completed > 0, !inPart else {
            writer.discard()
            throw AppError.badRequest("The form ended before its last part")
        }
        return try writer.finish()
    }

    /// The `boundary` parameter of a `multipart/form-data` content type (RFC 2046 allows at most 70 characters).
    static func boundary(of contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data"), let boundary = parameters(of: contentType)["boundary"],
            (1...70).contains(boundary.count)
        else { return nil }
        return boundary
    }

    /// The `name=value` parameters of a header value (`form-data; name="file"; filename="deals.csv"`), names lowercased,
    /// quoted values unquoted.
    static func parameters(of value: String) -> [String: String] {
        var out: [String: String] = [:]
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for ch in value {
            if escaped {
                current.append(ch)
                escaped = false
            } else if quoted && ch == "\\" {
                escaped = true
            } else if ch == "\"" {
                quoted.toggle()
            } else if ch == ";" && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        for part in parts {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let name = part[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            out[name] = part[part.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }
}
