/// HS256 JSON Web Tokens (RFC 7519 / RFC 7515 compact form), as GRIP uses them
/// for `Grip-Sig` (proxy → origin) and for authenticating publishers.
///
/// Only HS256 exists here on purpose: the header's `alg` is checked against it,
/// so `none` or an asymmetric algorithm can never select a weaker check.
public enum JWT {
    /// The fixed header every token we sign carries, already base64url-encoded.
    private static let encodedHeader = Base64.encodeURL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// HS256 token: header `{"alg":"HS256","typ":"JWT"}`, claims object serialized as given.
    public static func signHS256(claims: JSONObject, key: [UInt8]) -> String {
        let payload = Base64.encodeURL(Array(JSONValue.object(claims).serialized.utf8))
        let signingInput = encodedHeader + "." + payload
        let signature = HMACSHA256.authenticate(Array(signingInput.utf8), key: key)
        return signingInput + "." + Base64.encodeURL(signature)
    }

    public enum VerifyError: Error, Equatable {
        /// Not three base64url segments of a JSON-object header and claims, or a malformed `exp`.
        case malformed
        /// The header's `alg` is not `HS256` (including `none`).
        case unsupportedAlgorithm
        /// The signature does not match the key.
        case badSignature
        /// `exp` is at or before `now`.
        case expired
        /// No `exp` claim while one is required.
        case missingExpiry
    }

    /// Verifies an HS256 token (constant-time signature compare) and `exp`
    /// (seconds since epoch, must be > now). Returns the claims.
    ///
    /// Checks run in a fixed order — shape, algorithm, signature, then claims —
    /// so nothing from an unauthenticated payload is interpreted before the signature holds.
    public static func verifyHS256(_ token: String, key: [UInt8], now: Int, requireExpiry: Bool = true) -> Result<JSONObject, VerifyError> {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { return .failure(.malformed) }
        guard let header = decodeObject(segments[0]) else { return .failure(.malformed) }
        guard case .string(let algorithm)? = header["alg"] else { return .failure(.malformed) }
        guard algorithm == "HS256" else { return .failure(.unsupportedAlgorithm) }
        // No header extensions are understood, so a token that marks one critical is refused (RFC 7515 §4.1.11).
        guard header["crit"] == nil else { return .failure(.malformed) }
        guard let signature = Base64.decodeURL(String(segments[2])) else { return .failure(.malformed) }

        let signingInput = Array(token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count))
        let expected = HMACSHA256.authenticate(signingInput, key: key)
        guard HMACSHA256.constantTimeEquals(signature, expected) else { return .failure(.badSignature) }

        guard let claims = decodeObject(segments[1]) else { return .failure(.malformed) }
        return checkExpiry(claims, now: now, requireExpiry: requireExpiry)
    }

    private static func checkExpiry(_ claims: JSONObject, now: Int, requireExpiry: Bool) -> Result<JSONObject, VerifyError> {
        switch claims["exp"] {
        case nil:
            return requireExpiry ? .failure(.missingExpiry) : .success(claims)
        case .int(let expiry)?:
            return expiry > now ? .success(claims) : .failure(.expired)
        case .double(let expiry)?:
            // NumericDate may carry a fraction (RFC 7519 §2).
            return expiry > Double(now) ? .success(claims) : .failure(.expired)
        default:
            return .failure(.malformed)
        }
    }

    /// A base64url segment holding a JSON object, or nil.
    private static func decodeObject(_ segment: Substring) -> JSONObject? {
        guard let bytes = Base64.decodeURL(String(segment)) else { return nil }
        return (try? JSONValue.parse(bytes))?.objectValue
    }
}
