import Foundation
import Testing

/// `Grip-Sig` on requests to the backend: an HS256 JWT `{iss, exp = now + 3600}` signed
/// with `sig_key`, checked here by an independent implementation; and no client-sent
/// `Grip-*` header ever reaches the backend.
extension EndToEnd {
    @Suite struct GripSigTests {
        static let clientGripHeaders = [
            ("Grip-Sig", "forged.by.client"), ("Grip-Hold", "stream"), ("Grip-Channel", "evil"),
            ("Grip-Last", "evil; last-id=1"), ("Grip-Custom", "x"),
        ]

        /// The one Grip-Sig the backend got, checked against `key`, `issuer` and the clock.
        static func expectValidSignature(_ token: String, key: String, issuer: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let verdict = try JWTTool.verify(token, key: key)
            #expect(verdict.signatureValid, "Grip-Sig does not verify with key \(key.debugDescription): \(token)", sourceLocation: sourceLocation)
            #expect(verdict.header["alg"] as? String == "HS256", "header \(verdict.header)", sourceLocation: sourceLocation)
            #expect(verdict.claims["iss"] as? String == issuer, "claims \(verdict.claims)", sourceLocation: sourceLocation)
            let expiry = jsonNumber(verdict.claims["exp"]) ?? 0
            let expected = Date().timeIntervalSince1970 + 3600
            #expect(abs(expiry - expected) < 120, "exp \(expiry), expected about \(expected)", sourceLocation: sourceLocation)
            #expect(Set(verdict.claims.keys) == ["iss", "exp"], "claims \(verdict.claims)", sourceLocation: sourceLocation)
            #expect(try !JWTTool.verify(token, key: key + "-wrong").signatureValid, "verifies with any key", sourceLocation: sourceLocation)
        }

        @Test func defaultConfigSignsWithChangeme() throws {
            try withProxiedBackend { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let echo = try EchoReport(client.get("/echo", headers: Self.clientGripHeaders))
                let signatures = echo.values("Grip-Sig")
                #expect(signatures.count == 1, "Grip-Sig values at the backend: \(signatures)")
                let token = try #require(signatures.first)
                #expect(token != "forged.by.client", "the client's Grip-Sig reached the backend")
                try Self.expectValidSignature(token, key: "changeme", issuer: "pushpin")
                for name in ["Grip-Hold", "Grip-Channel", "Grip-Last", "Grip-Custom"] {
                    #expect(!echo.has(name), "client's \(name) reached the backend: \(echo.values(name))")
                }

                // A request answered with a GRIP hold is signed the same way.
                backend.clearRequests()
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=signed")
                defer { subscriber.close() }
                let held = try #require(backend.requests.last)
                try Self.expectValidSignature(try #require(held.head.value("Grip-Sig")), key: "changeme", issuer: "pushpin")
            }
        }

        @Test func sigKeyAndSigIssAreConfigurable() throws {
            try withProxiedBackend({ $0.proxy = [("sig_key", "e2e-signing-key"), ("sig_iss", "e2e-issuer")] }) { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let echo = try EchoReport(client.get("/echo"))
                let token = try #require(echo.values("Grip-Sig").first, "no Grip-Sig with a configured sig_key")
                try Self.expectValidSignature(token, key: "e2e-signing-key", issuer: "e2e-issuer")
            }
        }
    }
}
