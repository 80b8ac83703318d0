import Hub
import Wire

/// A route's `Grip-Sig` issuer and key: what a request on it, and every request repeated for
/// it (next links, long-poll re-requests), is signed with.
typealias GripSigning = (issuer: String, key: [UInt8])

/// Produces the `Grip-Sig` token sent to backends: an HS256 JWT with `iss` and `exp`
/// (an hour ahead), as Pushpin does. Signing per request would be wasted work, so each
/// (issuer, key) pair's token is reused for a minute.
final class GripSigner {
    private struct Cached {
        var token: String
        var madeAtSeconds: Int
    }

    private struct CacheKey: Hashable {
        var issuer: String
        var key: [UInt8]
    }

    private var cache: [CacheKey: Cached] = [:]
    static let lifetimeSeconds = 3600
    static let reuseSeconds = 60

    func token(issuer: String, key: [UInt8]) -> String {
        let now = Clock.wallSeconds()
        let cacheKey = CacheKey(issuer: issuer, key: key)
        if let cached = cache[cacheKey], now - cached.madeAtSeconds < Self.reuseSeconds {
            return cached.token
        }
        let claims = JSONObject([("iss", .string(issuer)), ("exp", .int(now + Self.lifetimeSeconds))])
        let token = JWT.signHS256(claims: claims, key: key)
        if cache.count > 64 { cache.removeAll() }
        cache[cacheKey] = Cached(token: token, madeAtSeconds: now)
        return token
    }
}
