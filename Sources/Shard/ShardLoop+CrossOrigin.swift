import Wire

/// Auto cross-origin and JSON-P on the request path. Routes without `aco` (and without
/// `auto_cross_origin`) never reach this file.
extension ShardLoop {
    /// Sets up cross-origin handling for `head` on route `routeIndex`: CORS for its responses,
    /// or, for a JSON-P request, the request it stands for (returned, with its body). A bad
    /// JSON-P parameter is answered 400 here; then nil is returned.
    func startCrossOrigin(
        _ client: ClientConnection, _ head: HTTPRequestHead, config: JSONPConfig, hasBody: Bool
    ) -> (HTTPRequestHead, [UInt8])? {
        let cors = CrossOrigin(request: head.headers)
        let decoded = hasBody ? .success(nil) : JSONPRequest.decode(method: head.method, target: head.target, headers: head.headers, config: config)
        switch decoded {
        case .failure(let failure):
            client.exchange.crossOrigin = CrossOriginExchange(cors: cors, jsonp: nil)
            stats.parseErrors += 1  // a malformed request, as any other
            respondLocally(client, status: 400, body: failure.message, closeAfter: false)
            return nil
        case .success(nil):
            client.exchange.crossOrigin = CrossOriginExchange(cors: cors, jsonp: nil)
            return (head, [])
        case .success(let request?):
            client.exchange.crossOrigin = CrossOriginExchange(
                cors: cors, jsonp: JSONPResponse(callback: request.callback, extended: request.extended))
            let stand = HTTPRequestHead(method: request.method, target: request.target, version: head.version, headers: request.headers)
            return (stand, request.body)
        }
    }

    /// The shard's own answer (an error, the test handler) with CORS fields, or wrapped for JSON-P.
    func respondLocally(
        _ client: ClientConnection, _ crossOrigin: CrossOriginExchange, status: Int, body: String, closeAfter: Bool, extraHeaders: HTTPHeaders
    ) {
        var headers = HTTPHeaders()
        if !extraHeaders.contains("Content-Type") { headers.add("Content-Type", "text/plain; charset=utf-8") }
        for (name, value) in extraHeaders { headers.add(name, value) }
        let response = crossOrigin.finalResponse(
            GripResponse(status: status, reason: HTTPWriter.standardReason(for: status), headers: headers, body: Array(body.utf8)),
            held: false)
        client.exchange.crossOrigin = nil  // applied: the plain path below must not apply it again
        respondLocally(
            client, status: response.status, body: String(decoding: response.body, as: UTF8.self), closeAfter: closeAfter,
            extraHeaders: response.headers)
    }
}
