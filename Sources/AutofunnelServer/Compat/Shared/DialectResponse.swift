import AutofunnelCore
import Foundation
import Hummingbird
import NIOCore

/// The body of a dialect's answer: JSON as the incumbents write it (slashes unescaped).
enum DialectResponse {
    static func json(_ value: JSONValue, status: Int) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
