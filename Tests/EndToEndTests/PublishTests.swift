import Foundation
import Testing

/// The control port's publish API seen from outside: what it answers, that bad input is
/// refused whole (nobody receives any of it), and the optional bearer-token check.
extension EndToEnd {
    @Suite struct PublishTests {
        static let opened = "[stream opened]\n"

        /// The built-in test handler on a `* test` route, plus extra `[handler]` keys.
        static func testRoute(handler: [(String, String)] = []) -> PushpindSetup {
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.handler = handler
            return setup
        }

        static func publishedTotal(_ pushpind: PushpindProcess) throws -> Double {
            try pushpind.metrics().value("pushpind_messages_published_total", [:]) ?? -1
        }

        @Test func publishAnswersPublished() throws {
            try withPushpind(Self.testRoute()) { pushpind in
                let body = String(decoding: try PublishJSON.envelope([PublishJSON.stream("nobody", "x\n")]), as: UTF8.self)
                let response = try pushpind.publishRaw(body)
                #expect(response.status == 200)
                #expect(response.bodyText == "Published\n")
                // The trailing slash is optional.
                let bare = try Publisher.send(port: pushpind.controlPort, body: Array(body.utf8), path: "/publish")
                #expect(bare.status == 200, "POST /publish answered \(bare.status)")
                // Accept: application/json gets the same answer as a JSON object.
                let json = try pushpind.publishRaw(body, headers: [("Accept", "application/json")])
                #expect(json.status == 200)
                let object = try? JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any]
                #expect(object?["message"] as? String == "Published", "JSON answer \(json.bodyText.debugDescription)")
            }
        }

        @Test func getOnPublishIs405() throws {
            try withPushpind(Self.testRoute()) { pushpind in
                let response = try RawHTTPClient.fetch(port: pushpind.controlPort, "/publish/")
                #expect(response.status == 405)
                #expect(response.header("Allow") == "POST")
            }
        }

        /// Malformed JSON, `items` that is not an array, and one invalid item among valid
        /// ones: each is a 400 and none of it reaches the subscriber; a valid publish after
        /// them arrives as the next (and only) bytes.
        @Test func badInputIsRejectedWholeAndDeliversNothing() throws {
            try withPushpind(Self.testRoute()) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=bad")
                #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
                try pushpind.waitForHeld(stream: 1)
                let before = try Self.publishedTotal(pushpind)

                let bodies = [
                    #"{"items":[{"channel":"bad","formats":{"http-stream":{"content":"malformed\n"}}}"#,
                    #"{"items":{"channel":"bad","formats":{"http-stream":{"content":"not an array\n"}}}}"#,
                    #"{"items":[{"channel":"bad","formats":{"http-stream":{"content":"valid one\n"}}},"#
                        + #"{"formats":{"http-stream":{"content":"no channel\n"}}},"#
                        + #"{"channel":"bad","formats":{"http-stream":{"content":"valid two\n"}}}]}"#,
                ]
                for body in bodies {
                    let response = try pushpind.publishRaw(body)
                    #expect(response.status == 400, "\(body) answered \(response.status) \(response.bodyText.debugDescription)")
                    #expect(!response.bodyText.isEmpty, "400 without a message")
                }
                #expect(subscriber.staysQuiet(for: .milliseconds(300)), "rejected publish delivered: \(subscriber.bodyText.debugDescription)")
                #expect(try Self.publishedTotal(pushpind) == before, "rejected items counted as published")

                try pushpind.publish(PublishJSON.stream("bad", "good\n"))
                let expected = Self.opened + "good\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                try pushpind.expectMetrics { checks in
                    let total = checks.metrics.value("pushpind_messages_published_total", [:]) ?? -1
                    checks.expect(total == before + 1, "messages_published_total \(total), expected \(before + 1)")
                }
            }
        }

        /// `[handler] push_in_http_key`: publishing needs `Authorization: Bearer <HS256 JWT
        /// with exp>`; anything else is a 401 that delivers nothing.
        @Test func bearerTokenIsRequiredWhenAKeyIsSet() throws {
            let key = "secret"
            try withPushpind(Self.testRoute(handler: [("push_in_http_key", key)])) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=auth")
                #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
                try pushpind.waitForHeld(stream: 1)
                let body = String(decoding: try PublishJSON.envelope([PublishJSON.stream("auth", "secret news\n")]), as: UTF8.self)

                let refused: [(String, [(String, String)])] = [
                    ("no Authorization", []),
                    ("wrong key", [("Authorization", "Bearer " + (try JWTTool.publishToken(key: "not-the-key")))]),
                    ("expired", [("Authorization", "Bearer " + (try JWTTool.publishToken(key: key, expiresIn: -600)))]),
                    ("no exp", [("Authorization", "Bearer " + (try JWTTool.sign(claims: ["iss": "e2e"], key: key)))]),
                    ("garbage", [("Authorization", "Bearer not.a.token")]),
                ]
                for (what, headers) in refused {
                    let response = try pushpind.publishRaw(body, headers: headers)
                    #expect(response.status == 401, "\(what): answered \(response.status) \(response.bodyText.debugDescription)")
                }
                #expect(subscriber.staysQuiet(for: .milliseconds(300)), "unauthorised publish delivered: \(subscriber.bodyText.debugDescription)")

                let token = try JWTTool.publishToken(key: key)
                let accepted = try pushpind.publishRaw(body, headers: [("Authorization", "Bearer \(token)")])
                #expect(accepted.status == 200, "valid token: \(accepted.status) \(accepted.bodyText.debugDescription)")
                let expected = Self.opened + "secret news\n"
                #expect(try subscriber.read(expecting: expected) == expected)
            }
        }
    }
}
