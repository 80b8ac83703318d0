import Wire

/// Auto cross-origin for one request (route `aco` or `[proxy] auto_cross_origin`): the CORS
/// fields its responses get, or, for a JSON-P request, the callback they are wrapped in.
/// A class so an exchange carries one reference, nil on routes that do not use it.
final class CrossOriginExchange {
    let cors: CrossOrigin
    /// Set for a JSON-P request: every response is wrapped whole, none gets CORS fields.
    let jsonp: JSONPResponse?

    init(cors: CrossOrigin, jsonp: JSONPResponse?) {
        self.cors = cors
        self.jsonp = jsonp
    }

    /// A response the shard writes whole: `held` for GRIP ones (held, timed out, published,
    /// instructions without a hold), else a collected backend response or the shard's own.
    func finalResponse(_ response: GripResponse, held: Bool) -> GripResponse {
        guard let jsonp else {
            var cleared = response
            cleared.headers = cors.applied(to: response.headers)
            return cleared
        }
        let wrapped = jsonp.wrap(status: response.status, reason: response.reason, headers: response.headers, body: response.body, held: held)
        return GripResponse(status: 200, reason: "OK", headers: wrapped.headers, body: wrapped.body)
    }

    /// The fields added to a relayed response head (never a JSON-P one: those are collected).
    func relayFields(_ plan: ResponseRelay.Plan) -> HTTPHeaders {
        cors.missingFields(in: HopByHop.stripped(plan.response.headers))
    }
}
