import Testing
import Wire

/// Expected tokens were produced with Python's hmac/hashlib/base64 (and agree with PyJWT 2.x
/// where PyJWT's serialization matches), then pasted here as literals.
@Suite("JWT HS256")
struct CryptoJWTTests {
    static let key = Array("changeme".utf8)
    static let longKey = (0..<70).map { UInt8($0) }
    /// A time before every `exp` used below that should still be valid.
    static let now = 1_699_999_000

    static let simpleToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ."
        + "iJHPJSh6W9O6YubO_HFgzpWjniFdBfI-V1hhOaq0xkc"

    @Test func signMatchesPython() {
        let claims = JSONObject([("iss", .string("pushpin")), ("exp", .int(1_700_000_000))])
        #expect(JWT.signHS256(claims: claims, key: Self.key) == Self.simpleToken)
    }

    @Test func signNonASCIIClaimsAndLongKeyMatchesPython() {
        let claims = JSONObject([
            ("iss", .string("grip-publisher")),
            ("exp", .int(4_102_444_800)),
            ("sub", .string("é😀\"q\\/")),
            ("nested", .object(JSONObject([("a", .array([.int(1), .double(2.5), .bool(true), .null]))]))),
        ])
        let expected = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJpc3MiOiJncmlwLXB1Ymxpc2hlciIsImV4cCI6NDEwMjQ0NDgwMCwic3ViIjoiw6nwn5iAXCJxXFwvIiwibmVzdGVkIjp7ImEiOlsxLDIuNSx0cnVlLG51bGxdfX0."
            + "OevrHCeNlS3D25RVcd28LJ_57J6N0csAJl5g0lZJvLE"
        let token = JWT.signHS256(claims: claims, key: Self.longKey)
        #expect(token == expected)
        #expect(JWT.verifyHS256(token, key: Self.longKey, now: Self.now) == .success(claims))
    }

    @Test func signEmptyClaimsEmptyKeyMatchesPython() {
        let token = JWT.signHS256(claims: JSONObject(), key: [])
        #expect(token == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.LwimMJA3puF3ioGeS-tfczR3370GXBZMIL-bdpu4hOU")
        #expect(JWT.verifyHS256(token, key: [], now: 0, requireExpiry: false) == .success(JSONObject()))
    }

    @Test func verifyReturnsClaims() throws {
        let claims = try JWT.verifyHS256(Self.simpleToken, key: Self.key, now: Self.now).get()
        #expect(claims["iss"] == .string("pushpin"))
        #expect(claims["exp"] == .int(1_700_000_000))
    }

    @Test func verifyTokenSignedByPythonWithEscapes() throws {
        // Python writes "\n" where we would write "\u000a"; verification uses the bytes as sent.
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJpc3MiOiJwdXNocGluIiwiZXhwIjo0MTAyNDQ0ODAwLCJub3RlIjoibGluZVxuYnJlYWsifQ."
            + "ip8egHL4G4YF8XHxOAGDMC176_Ws7Lz1NOESHnGc4yQ"
        let claims = try JWT.verifyHS256(token, key: Self.key, now: Self.now).get()
        #expect(claims["note"] == .string("line\nbreak"))
    }

    @Test func roundTrip() {
        let claims = JSONObject([("iss", .string("me")), ("exp", .int(Self.now + 60))])
        let token = JWT.signHS256(claims: claims, key: Self.longKey)
        #expect(JWT.verifyHS256(token, key: Self.longKey, now: Self.now) == .success(claims))
    }

    @Test func rejectsWrongKey() {
        #expect(JWT.verifyHS256(Self.simpleToken, key: Array("changemf".utf8), now: Self.now) == .failure(.badSignature))
        #expect(JWT.verifyHS256(Self.simpleToken, key: [], now: Self.now) == .failure(.badSignature))
    }

    @Test func rejectsTamperedPayload() {
        // {"iss":"pushpin","exp":1800000000} with the original signature.
        let parts = Self.simpleToken.split(separator: ".").map(String.init)
        let forged = Base64.encodeURL(Array(#"{"iss":"pushpin","exp":1800000000}"#.utf8))
        let token = parts[0] + "." + forged + "." + parts[2]
        #expect(JWT.verifyHS256(token, key: Self.key, now: Self.now) == .failure(.badSignature))
    }

    @Test func rejectsTamperedSignatureAndHeader() {
        var signature = Array(Self.simpleToken.utf8)
        signature[signature.count - 2] = UInt8(ascii: "A")
        #expect(JWT.verifyHS256(String(decoding: signature, as: UTF8.self), key: Self.key, now: Self.now) == .failure(.badSignature))
        // Same alg, different header bytes: the signature covers the header too.
        let header = Base64.encodeURL(Array(#"{"typ":"JWT","alg":"HS256"}"#.utf8))
        let parts = Self.simpleToken.split(separator: ".").map(String.init)
        #expect(JWT.verifyHS256(header + "." + parts[1] + "." + parts[2], key: Self.key, now: Self.now) == .failure(.badSignature))
        // Truncated signature.
        #expect(JWT.verifyHS256(parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(3)), key: Self.key, now: Self.now)
            == .failure(.badSignature))
    }

    @Test func rejectsOtherAlgorithms() {
        // PyJWT: jwt.encode(..., None, algorithm="none")
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJwdXNocGluIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
        #expect(JWT.verifyHS256(none, key: Self.key, now: Self.now) == .failure(.unsupportedAlgorithm))
        // alg "none" but carrying a valid HS256 signature over its own bytes.
        let parts = none.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let mac = HMACSHA256.authenticate(Array((parts[0] + "." + parts[1]).utf8), key: Self.key)
        #expect(JWT.verifyHS256(parts[0] + "." + parts[1] + "." + Base64.encodeURL(mac), key: Self.key, now: Self.now)
            == .failure(.unsupportedAlgorithm))
        // PyJWT: jwt.encode(..., b"changeme", algorithm="HS384")
        let hs384 = "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
            + "QfmZbpUdJhJRnyLFFXdstpWysUAVajFCj7VTgR6aAplvNwJfr7i2BsDTDebZanMY"
        #expect(JWT.verifyHS256(hs384, key: Self.key, now: Self.now) == .failure(.unsupportedAlgorithm))
        for header in [#"{"alg":"hs256"}"#, #"{"alg":"RS256"}"#] {
            #expect(JWT.verifyHS256(signed(header: header, payload: #"{"exp":4102444800}"#), key: Self.key, now: Self.now)
                == .failure(.unsupportedAlgorithm))
        }
    }

    @Test func expiry() {
        // exp == now is expired; exp must be strictly in the future.
        #expect(JWT.verifyHS256(Self.simpleToken, key: Self.key, now: 1_700_000_000) == .failure(.expired))
        #expect(JWT.verifyHS256(Self.simpleToken, key: Self.key, now: 1_700_000_001) == .failure(.expired))
        #expect((try? JWT.verifyHS256(Self.simpleToken, key: Self.key, now: 1_699_999_999).get()) != nil)
        // Fractional exp (Python-signed {"iss":"pushpin","exp":1700000000.5}).
        let fractional = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwLjV9."
            + "E9LgxRPMshB9oGkdEUN1YHidWQIZ-ChbkvbvfF68I18"
        #expect((try? JWT.verifyHS256(fractional, key: Self.key, now: 1_700_000_000).get()) != nil)
        #expect(JWT.verifyHS256(fractional, key: Self.key, now: 1_700_000_001) == .failure(.expired))
    }

    @Test func missingOrMalformedExpiry() throws {
        // Python-signed {"iss":"pushpin"}
        let noExp = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIn0.75TaTcp8IQo9oKXp7c-L1i1jRHAqaF6Ln0kVk4rmQdg"
        #expect(JWT.verifyHS256(noExp, key: Self.key, now: Self.now) == .failure(.missingExpiry))
        let claims = try JWT.verifyHS256(noExp, key: Self.key, now: Self.now, requireExpiry: false).get()
        #expect(claims["iss"] == .string("pushpin"))
        // Python-signed {"iss":"pushpin","exp":"4102444800"}: exp must be a number.
        let stringExp = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoiNDEwMjQ0NDgwMCJ9."
            + "dPugOcf0deC_Qpw7C_WHM177QNiyPxStEm11_MNIXv8"
        #expect(JWT.verifyHS256(stringExp, key: Self.key, now: Self.now) == .failure(.malformed))
        #expect(JWT.verifyHS256(stringExp, key: Self.key, now: Self.now, requireExpiry: false) == .failure(.malformed))
    }

    @Test(arguments: [
        "",
        ".",
        "..",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.iJHPJSh6W9O6YubO_HFgzpWjniFdBfI-V1hhOaq0xkc.",
        "!!!.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.iJHPJSh6W9O6YubO_HFgzpWjniFdBfI-V1hhOaq0xkc",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.iJHPJSh6W9O6YubO+HFgzpWjniFdBfI/V1hhOaq0xkc",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.%%%",
        "bm90IGpzb24.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.iJHPJSh6W9O6YubO_HFgzpWjniFdBfI-V1hhOaq0xkc",
        "WzFd.e30.AAAA",
        "e30.e30.AAAA",
        " eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMDAwfQ.iJHPJSh6W9O6YubO_HFgzpWjniFdBfI-V1hhOaq0xkc",
    ])
    func rejectsGarbageSegments(token: String) {
        #expect(JWT.verifyHS256(token, key: Self.key, now: Self.now) == .failure(.malformed))
    }

    @Test func rejectsValidlySignedGarbagePayloadAndCriticalHeaders() {
        for payload in ["not json", "[1,2]", "\"s\"", #"{"exp":4102444800"#, ""] {
            #expect(JWT.verifyHS256(signed(header: #"{"alg":"HS256"}"#, payload: payload), key: Self.key, now: Self.now) == .failure(.malformed))
        }
        let critical = signed(header: #"{"alg":"HS256","crit":["b64"],"b64":false}"#, payload: #"{"exp":4102444800}"#)
        #expect(JWT.verifyHS256(critical, key: Self.key, now: Self.now) == .failure(.malformed))
        let minimal = signed(header: #"{"alg":"HS256"}"#, payload: #"{"exp":4102444800}"#)
        #expect((try? JWT.verifyHS256(minimal, key: Self.key, now: Self.now).get()) != nil)
    }

    /// A token with arbitrary header and payload text, correctly HS256-signed with `key`.
    private func signed(header: String, payload: String) -> String {
        let input = Base64.encodeURL(Array(header.utf8)) + "." + Base64.encodeURL(Array(payload.utf8))
        return input + "." + Base64.encodeURL(HMACSHA256.authenticate(Array(input.utf8), key: Self.key))
    }
}
