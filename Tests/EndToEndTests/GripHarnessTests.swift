import Foundation
import Testing

/// Checks the GRIP parts of the harness without pushpind: the stub's GRIP answers, the
/// incremental stream decoder and the Python JWT tool. When these fail, the GRIP
/// end-to-end failures that follow are the harness's.
extension EndToEnd {
    @Suite struct GripHarnessTests {
        @Test func stubAnswersWithGripInstructions() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                let stream = try client.get("/grip/stream?ch=a,b&ka=1")
                #expect(stream.header("Grip-Hold") == "stream")
                #expect(stream.header("Grip-Channel") == "a, b")
                #expect(stream.header("Grip-Keep-Alive") == #"ping\n; format=cstring; timeout=1"#)
                #expect(stream.header("X-Stub-Header") == "kept")
                #expect(stream.bodyText == BackendStub.gripStreamBody)

                let chunked = try client.get("/grip/stream?ch=a&chunked=1")
                #expect(chunked.framing == .chunked && chunked.chunkCount == 2)
                #expect(chunked.bodyText == BackendStub.gripStreamBody)

                let split = try client.get("/grip/stream?ch=a,b&split=1")
                #expect(split.head.values("Grip-Channel") == ["a", "b"])

                let response = try client.get("/grip/response?ch=x&timeout=5&gstatus=202")
                #expect(response.header("Grip-Hold") == "response")
                #expect(response.header("Grip-Timeout") == "5")
                #expect(response.header("Grip-Status") == "202 Stub Timeout")
                #expect(response.bodyText == BackendStub.gripTimeoutBody)

                let instruct = try client.get("/grip/instruct?mode=response&ch=x&timeout=5")
                #expect(instruct.header("Content-Type") == "application/grip-instruct")
                let object = try JSONSerialization.jsonObject(with: Data(instruct.body)) as? [String: Any]
                let hold = object?["hold"] as? [String: Any]
                #expect(hold?["mode"] as? String == "response")
                #expect(jsonNumber(hold?["timeout"]) == 5)
                #expect((hold?["channels"] as? [[String: Any]])?.first?["name"] as? String == "x")
                #expect((object?["response"] as? [String: Any])?["body"] as? String == BackendStub.gripInstructTimeoutBody)
            }
        }

        @Test func streamDecoderTakesAnySplit() {
            let wire = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n\n\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8)
            for piece in [1, 2, 7, wire.count] {
                var decoder = StreamDecoder()
                var offset = 0
                while offset < wire.count {
                    let end = min(offset + piece, wire.count)
                    wire[offset..<end].withUnsafeBytes { decoder.feed($0) }
                    offset = end
                }
                #expect(decoder.failure == nil, "piece \(piece): \(decoder.failure ?? "")")
                #expect(decoder.status == 200)
                #expect(decoder.body == Array("hello\n".utf8), "piece \(piece)")
                #expect(decoder.ended, "piece \(piece)")
            }
            var notChunked = StreamDecoder()
            Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx".utf8).withUnsafeBytes { notChunked.feed($0) }
            #expect(notChunked.failure != nil)
        }

        @Test func jwtToolSignsAndVerifies() throws {
            // The well-known example token of RFC 7519's HS256 tooling (key "your-256-bit-secret").
            let known = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
            let verdict = try JWTTool.verify(known, key: "your-256-bit-secret")
            #expect(verdict.signatureValid)
            #expect(verdict.claims["name"] as? String == "John Doe")
            #expect(try !JWTTool.verify(known, key: "other").signatureValid)

            let token = try JWTTool.publishToken(key: "k", expiresIn: 60)
            let mine = try JWTTool.verify(token, key: "k")
            #expect(mine.signatureValid)
            #expect(mine.header["alg"] as? String == "HS256")
            #expect(jsonNumber(mine.claims["exp"]).map { $0 > Date().timeIntervalSince1970 } == true)
        }
    }
}
