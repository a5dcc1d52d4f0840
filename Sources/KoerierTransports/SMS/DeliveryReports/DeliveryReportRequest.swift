import Foundation
import KoerierCore

/// One delivery-report request as the listener received it, before anything in it is trusted.
public struct DeliveryReportRequest: Sendable {
    /// `GET` or `POST`.
    public var method: String
    /// The full URL the provider called, as it knows it: `http.public_url` + path + `?query` (what signatures cover).
    public var url: String
    /// The path segment after `/dlr/<name>/`, if any (a URL token).
    public var pathToken: String?
    /// The query parameters, decoded, in order.
    public var query: [(String, String)]
    /// Header fields with lower-case names.
    public var headers: [String: String]
    /// The body (at most the listener's limit).
    public var body: [UInt8]

    /// A request as the listener saw it.
    public init(method: String, url: String, pathToken: String? = nil, query: [(String, String)] = [], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.pathToken = pathToken
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The form fields of a `application/x-www-form-urlencoded` POST body (empty for other bodies).
    public var formFields: [(String, String)] {
        guard method == "POST", (headers["content-type"] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") else { return [] }
        return FormFields.decode(String(decoding: body, as: UTF8.self))
    }

    /// The report's fields: the query for GET, the form body (else a flat JSON object) for POST, plus the query.
    public var fields: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in query where result[name] == nil { result[name] = value }
        if method == "POST" {
            let contentType = (headers["content-type"] ?? "").lowercased()
            if contentType.hasPrefix("application/json") {
                for (name, value) in FormFields.flatJSON(body) { result[name] = value }
            } else {
                for (name, value) in formFields { result[name] = value }
            }
        }
        return result
    }
}

/// What a delivery-report codec made of a request.
public enum DeliveryReportOutcome: Sendable, Equatable {
    /// An authenticated, well-formed report.
    case report(FeedbackReport)
    /// The request did not authenticate (answer 401/403, change nothing): why, for the log (never the secret).
    case unauthenticated(why: String)
    /// Authenticated but not a report this codec understands (answer 400): why.
    case malformed(why: String)
}
