import Foundation

/// HS256 JSON Web Tokens made and checked by Python's standard library (hmac, hashlib,
/// base64), an implementation independent of pushpind's own: Grip-Sig must verify with
/// it, and the publish API must accept the tokens it signs.
enum JWTTool {
    private static let common = """
        import base64, hashlib, hmac, json, sys
        def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        def unb64(text): return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

        """

    /// A compact HS256 token over `claims` (a JSON object) signed with `key`.
    static func sign(claims: [String: Any], key: String) throws -> String {
        let claimsJSON = String(decoding: try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]), as: UTF8.self)
        let script = common + """
            key, claims = sys.argv[1].encode(), sys.argv[2].encode()
            signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(claims)
            mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
            print(signing_input + "." + b64(mac))
            """
        return try PythonProcess.run(script, arguments: [key, claimsJSON], timeout: .seconds(30))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A token for the publish API: `{"iss": …, "exp": now + expiresIn}` (negative: expired).
    static func publishToken(key: String, expiresIn seconds: Int = 600) throws -> String {
        try sign(claims: ["iss": "e2e", "exp": Int(Date().timeIntervalSince1970) + seconds], key: key)
    }

    /// What Python found in a token checked against `key`.
    struct Verdict {
        let signatureValid: Bool
        let header: [String: Any]
        let claims: [String: Any]
    }

    /// Decodes `token` and checks its HS256 signature with `key` (constant-time compare).
    static func verify(_ token: String, key: String) throws -> Verdict {
        let script = common + """
            token, key = sys.argv[1], sys.argv[2].encode()
            parts = token.split(".")
            if len(parts) != 3:
                print(json.dumps({"error": "token has %d parts" % len(parts)})); sys.exit(0)
            mac = hmac.new(key, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
            print(json.dumps({
                "valid": hmac.compare_digest(mac, unb64(parts[2])),
                "header": json.loads(unb64(parts[0])),
                "claims": json.loads(unb64(parts[1])),
            }))
            """
        let output = try PythonProcess.run(script, arguments: [token, key], timeout: .seconds(30))
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw HarnessError.malformed("JWT check output: \(output.prefix(500).debugDescription)")
        }
        if let error = object["error"] as? String { throw HarnessError.malformed("JWT \(token.debugDescription): \(error)") }
        return Verdict(
            signatureValid: object["valid"] as? Bool ?? false,
            header: object["header"] as? [String: Any] ?? [:],
            claims: object["claims"] as? [String: Any] ?? [:])
    }
}
