import Foundation
import Hummingbird
import KoerierCore
import KoerierTransports
import Logging
import ServiceLifecycle

/// The daemon's HTTP listener (CONTRACT section 6) on hummingbird 2, run as a service of the group:
/// `/livez`, `/readyz`, `/metrics` and `GET`/`POST /dlr/<provider name>[/<token>]`. Bodies are bounded to 64 KiB,
/// idle connections close after 30 seconds, and nothing from a request's URL or headers is logged (tokens).
struct HTTPListener: Service {
    /// The largest delivery-report body read.
    static let maximumBody = 64 * 1024

    let settings: Configuration.HTTPSettings
    let receiver: DeliveryReportReceiver
    /// Why the daemon is not ready, or nil when it is.
    let notReady: @Sendable () -> String?
    /// The Prometheus text of `/metrics`.
    let metrics: @Sendable () async -> String
    let logger: Logger

    func run() async throws {
        let router = Router()
        router.get("/livez") { _, _ in Self.text(200, "ok") }
        router.get("/readyz") { _, _ in
            if let reason = notReady() { return Self.text(503, "not ready: " + reason) }
            return Self.text(200, "ready")
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: await metrics())))
        }
        for path in ["/dlr/:name", "/dlr/:name/:token"] {
            router.get(RouterPath(path)) { request, context in try await dlr(request, context) }
            router.post(RouterPath(path)) { request, context in try await dlr(request, context) }
        }
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            logger: logger
        )
        logger.info("HTTP listener starting", metadata: ["http.listen": "\(settings.host):\(settings.port)"])
        try await app.run()
    }

    /// One delivery-report request: the body bounded, the URL as the provider called it, then the receiver.
    private func dlr(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let name = context.parameters.get("name") else { return Self.text(404, "no such provider") }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumBody)
        } catch {
            return Self.text(413, "the body is larger than 64 KiB")
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let report = DeliveryReportRequest(
            method: request.method.rawValue,
            url: Self.calledURL(path: request.uri.path, query: request.uri.query, publicURL: settings.publicURL, host: headers["host"]),
            pathToken: context.parameters.get("token"),
            query: FormFields.decode(request.uri.query ?? ""),
            headers: headers,
            body: Array(buffer: body)
        )
        let answer = await receiver.receive(name: name, request: report)
        return Self.text(answer.status, answer.body)
    }

    /// The URL the provider called (what Twilio and MessageBird sign): `public_url` + path + query; without
    /// `public_url`, `http://<Host><path>`.
    static func calledURL(path: String, query: String?, publicURL: String?, host: String?) -> String {
        let base = publicURL ?? "http://" + (host ?? "localhost")
        return base + path + (query.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
    }

    private static func text(_ status: Int, _ text: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "text/plain; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
