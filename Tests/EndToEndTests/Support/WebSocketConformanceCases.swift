/// The conformance table: Autobahn TestSuite sections 1–7, 9 and 10 (framing, pings,
/// reserved bits, opcodes, fragmentation, UTF-8, close, limits, misc), rewritten as data
/// for pushpind's 1 MiB message limit. Numbers follow Autobahn where a case has a
/// counterpart there.
enum ConformanceCases {
    typealias Case = ConformanceCase
    typealias Op = WebSocketFrame.Opcode

    static let messageLimit = 1 << 20

    static var all: [Case] {
        framing + pings + reservedBits + opcodes + fragmentation + utf8 + closing + limits + misc
    }

    /// The case as run through the passthrough route: where the backend's library reaches a
    /// different (RFC-permitted) verdict than pushpind's own code, its verdict is expected.
    static func forPassthrough(_ conformanceCase: Case) -> Case {
        guard let (note, verdict) = backendVerdicts[conformanceCase.id] else { return conformanceCase }
        return Case(id: conformanceCase.id, title: conformanceCase.title + " [backend: \(note)]", steps: conformanceCase.steps, expect: verdict)
    }

    /// Python `websockets` 13+: a close frame inside a fragmented message is "incomplete
    /// fragmented message" (1002) where Autobahn expects a clean close, and a 63-bit length
    /// is "too big" (1009) before it is checked for the top bit (1002).
    static let backendVerdicts: [String: (String, Case.Expectation)] = [
        "7.1.5": ("websockets fails it", .fails(code: 1002)),
        "10.3.1": ("websockets checks the size first", .fails(code: 1009)),
    ]

    // MARK: - Helpers

    private static func frame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) -> WebSocketFrame {
        .client(opcode, payload, fin: fin, rsv: rsv)
    }

    private static func text(_ string: String, fin: Bool = true) -> WebSocketFrame { frame(Op.text, Array(string.utf8), fin: fin) }

    private static func cont(_ string: String, fin: Bool) -> WebSocketFrame { frame(Op.continuation, Array(string.utf8), fin: fin) }

    private static func close(_ code: UInt16?, _ reason: [UInt8] = []) -> WebSocketFrame {
        frame(Op.close, WebSocketFrame.closePayload(code: code, reason: reason))
    }

    private static func echo(_ id: String, _ title: String, _ opcode: UInt8, _ payload: [UInt8], chop: Int? = nil) -> Case {
        let message: WebSocketMessage = opcode == Op.text ? .text(payload) : .binary(payload)
        let bytes = frame(opcode, payload).encoded()
        return Case(id: id, title: title, steps: [.raw(bytes, chop: chop)], expect: .replies([message]))
    }

    /// A frame that announces `length` bytes, sent with only its first kilobyte: a server
    /// with a smaller limit fails at the header, before the rest could arrive.
    private static func announcing(_ opcode: UInt8, length: Int, fin: Bool = true) -> [UInt8] {
        frame(opcode, ConformancePayload.binary(1024), fin: fin).encoded(lengthOverride: length)
    }

    // MARK: - 1 Framing

    static var framing: [Case] {
        let sizes = [0, 125, 126, 127, 128, 65535, 65536]
        var cases: [Case] = []
        for (index, size) in sizes.enumerated() {
            cases.append(echo("1.1.\(index + 1)", "text, \(size) B", Op.text, ConformancePayload.text(size)))
            cases.append(echo("1.2.\(index + 1)", "binary, \(size) B", Op.binary, ConformancePayload.binary(size)))
        }
        cases.append(echo("1.1.8", "text, 65536 B, written in 997 B chops", Op.text, ConformancePayload.text(65536), chop: 997))
        cases.append(echo("1.2.8", "binary, 65536 B, written in 997 B chops", Op.binary, ConformancePayload.binary(65536), chop: 997))
        cases.append(echo("1.1.9", "text, 1 MiB − 1 (under the limit)", Op.text, ConformancePayload.text(messageLimit - 1)))
        cases.append(echo("1.2.9", "binary, 1 MiB − 1 (under the limit)", Op.binary, ConformancePayload.binary(messageLimit - 1)))
        cases.append(echo("1.2.10", "binary, exactly 1 MiB (the limit)", Op.binary, ConformancePayload.binary(messageLimit)))
        cases.append(Case(id: "1.3.1", title: "text frame announcing 1 MiB + 1", steps: [.raw(announcing(Op.text, length: messageLimit + 1), chop: nil)],
                          expect: .fails(code: 1009)))
        cases.append(Case(id: "1.3.2", title: "binary frame announcing 1 MiB + 1", steps: [.raw(announcing(Op.binary, length: messageLimit + 1), chop: nil)],
                          expect: .fails(code: 1009)))
        let nearlyFull = ConformancePayload.fragments(Op.binary, ConformancePayload.binary(messageLimit - 16), size: 65536)
        var open = nearlyFull
        open[open.count - 1].fin = false
        cases.append(Case(id: "1.3.3", title: "fragmented binary growing past 1 MiB",
                          steps: [.frames(open), .pause(.milliseconds(100)), .raw(announcing(Op.continuation, length: 1024), chop: nil)],
                          expect: .fails(code: 1009)))
        return cases
    }

    // MARK: - 2 Pings and pongs

    static var pings: [Case] {
        let binary: [UInt8] = [0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF]
        let max = ConformancePayload.binary(125)
        let tenPings = (0..<10).map { frame(Op.ping, Array("payload-\($0)".utf8)) }
        let tenPongs = (0..<10).map { WebSocketMessage.pong(Array("payload-\($0)".utf8)) }
        return [
            Case(id: "2.1", title: "ping, no payload", steps: [.frames([frame(Op.ping)])], expect: .replies([.pong([])])),
            Case(id: "2.2", title: "ping, text payload", steps: [.frames([frame(Op.ping, Array("Hello, world!".utf8))])],
                 expect: .replies([.pong(Array("Hello, world!".utf8))])),
            Case(id: "2.3", title: "ping, binary payload", steps: [.frames([frame(Op.ping, binary)])], expect: .replies([.pong(binary)])),
            Case(id: "2.4", title: "ping, 125 B payload", steps: [.frames([frame(Op.ping, max)])], expect: .replies([.pong(max)])),
            Case(id: "2.5", title: "ping, 126 B payload", steps: [.frames([frame(Op.ping, ConformancePayload.binary(126))])], expect: .fails(code: 1002)),
            Case(id: "2.6", title: "ping, 125 B payload, written in 1 B chops", steps: [.raw(frame(Op.ping, max).encoded(), chop: 1)],
                 expect: .replies([.pong(max)])),
            Case(id: "2.7", title: "unsolicited pong, no payload (ignored)", steps: [.frames([frame(Op.pong), frame(Op.ping, Array("after".utf8))])],
                 expect: .replies([.pong(Array("after".utf8))])),
            Case(id: "2.8", title: "unsolicited pong with payload (ignored)",
                 steps: [.frames([frame(Op.pong, Array("unsolicited pong payload".utf8)), frame(Op.ping, Array("after".utf8))])],
                 expect: .replies([.pong(Array("after".utf8))])),
            Case(id: "2.9", title: "unsolicited pong, then ping",
                 steps: [.frames([frame(Op.pong, Array("unsolicited pong payload".utf8)), frame(Op.ping, Array("ping payload".utf8))])],
                 expect: .replies([.pong(Array("ping payload".utf8))])),
            Case(id: "2.10", title: "10 pings in one write", steps: [.frames(tenPings)], expect: .replies(tenPongs)),
            Case(id: "2.11", title: "10 pings, written in 1 B chops", steps: [.raw(tenPings.flatMap { $0.encoded() }, chop: 1)], expect: .replies(tenPongs)),
        ]
    }

    // MARK: - 3 Reserved bits

    static var reservedBits: [Case] {
        let hello = WebSocketMessage.text("Hello, world!")
        func sequence(_ rsv: UInt8, _ opcode: UInt8 = Op.text) -> [WebSocketFrame] {
            [text("Hello, world!"), frame(opcode, Array("Hello, world!".utf8), rsv: rsv), frame(Op.ping)]
        }
        return [
            Case(id: "3.1", title: "text with RSV1 (no extension negotiated)", steps: [.frames([frame(Op.text, Array("Hello, world!".utf8), rsv: 4)])],
                 expect: .fails(code: 1002)),
            Case(id: "3.2", title: "text, then text with RSV2, then ping", steps: [.frames(sequence(2))], expect: .fails(code: 1002, after: [hello])),
            Case(id: "3.3", title: "text, then text with RSV=3, then ping, frame by frame",
                 steps: [.framewise(sequence(3), pause: .milliseconds(10))], expect: .fails(code: 1002, after: [hello])),
            Case(id: "3.4", title: "text, then text with RSV=4, then ping, in 1 B chops",
                 steps: [.raw(sequence(4).flatMap { $0.encoded() }, chop: 1)], expect: .fails(code: 1002, after: [hello])),
            Case(id: "3.5", title: "binary with RSV=5", steps: [.frames([frame(Op.binary, [0, 1, 2], rsv: 5)])], expect: .fails(code: 1002)),
            Case(id: "3.6", title: "ping with RSV=6", steps: [.frames([frame(Op.ping, Array("ping".utf8), rsv: 6)])], expect: .fails(code: 1002)),
            Case(id: "3.7", title: "close with RSV=7", steps: [.frames([frame(Op.close, WebSocketFrame.closePayload(code: 1000), rsv: 7)])],
                 expect: .fails(code: 1002)),
        ]
    }

    // MARK: - 4 Opcodes

    static var opcodes: [Case] {
        var cases: [Case] = []
        let hello = WebSocketMessage.text("Hello, world!")
        for (index, opcode) in [3, 4, 5, 6, 7].enumerated() {
            cases.append(Case(id: "4.1.\(index + 1)", title: "reserved non-control opcode \(opcode) after a text, then ping",
                              steps: [.frames([text("Hello, world!"), frame(UInt8(opcode), Array("reserved".utf8)), frame(Op.ping)])],
                              expect: .fails(code: 1002, after: [hello])))
        }
        for (index, opcode) in [11, 12, 13, 14, 15].enumerated() {
            cases.append(Case(id: "4.2.\(index + 1)", title: "reserved control opcode \(opcode) after a text, then ping",
                              steps: [.frames([text("Hello, world!"), frame(UInt8(opcode), Array("reserved".utf8)), frame(Op.ping)])],
                              expect: .fails(code: 1002, after: [hello])))
        }
        cases.append(Case(id: "4.2.6", title: "reserved opcode 11, no payload, alone", steps: [.frames([frame(11)])], expect: .fails(code: 1002)))
        return cases
    }

    // MARK: - 5 Fragmentation

    static var fragmentation: [Case] {
        let joined = WebSocketMessage.text("fragment1fragment2")
        let twoFragments = [text("fragment1", fin: false), cont("fragment2", fin: true)]
        let withPing = [text("fragment1", fin: false), frame(Op.ping, Array("ping payload".utf8)), cont("fragment2", fin: true)]
        let pingThenMessage: [WebSocketMessage] = [.pong(Array("ping payload".utf8)), joined]
        let fiveWithPings = [
            text("fragment1", fin: false), cont("fragment2", fin: false), frame(Op.ping, Array("pongme 1!".utf8)),
            cont("fragment3", fin: false), cont("fragment4", fin: false), frame(Op.ping, Array("pongme 2!".utf8)), cont("fragment5", fin: true),
        ]
        let fiveReplies: [WebSocketMessage] = [.pong(Array("pongme 1!".utf8)), .pong(Array("pongme 2!".utf8)), .text("fragment1fragment2fragment3fragment4fragment5")]
        let binaryFragments = ConformancePayload.fragments(Op.binary, ConformancePayload.binary(3000), size: 1000)
        return [
            Case(id: "5.1", title: "ping in 2 fragments", steps: [.frames([frame(Op.ping, Array("fragment1".utf8), fin: false), cont("fragment2", fin: true)])],
                 expect: .fails(code: 1002)),
            Case(id: "5.2", title: "pong in 2 fragments", steps: [.frames([frame(Op.pong, Array("fragment1".utf8), fin: false), cont("fragment2", fin: true)])],
                 expect: .fails(code: 1002)),
            Case(id: "5.3", title: "text in 2 fragments", steps: [.frames(twoFragments)], expect: .replies([joined])),
            Case(id: "5.4", title: "text in 2 fragments, 1 B chops", steps: [.raw(twoFragments.flatMap { $0.encoded() }, chop: 1)], expect: .replies([joined])),
            Case(id: "5.5", title: "text in 2 fragments, frame by frame", steps: [.framewise(twoFragments, pause: .milliseconds(20))], expect: .replies([joined])),
            Case(id: "5.6", title: "text in 2 fragments with a ping between", steps: [.frames(withPing)], expect: .replies(pingThenMessage)),
            Case(id: "5.7", title: "text in 2 fragments with a ping between, 1 B chops", steps: [.raw(withPing.flatMap { $0.encoded() }, chop: 1)],
                 expect: .replies(pingThenMessage)),
            Case(id: "5.8", title: "text in 2 fragments with a ping between, frame by frame", steps: [.framewise(withPing, pause: .milliseconds(20))],
                 expect: .replies(pingThenMessage)),
            Case(id: "5.9", title: "continuation (FIN) without a message", steps: [.frames([cont("non-continuation payload", fin: true), text("Hello, world!")])],
                 expect: .fails(code: 1002)),
            Case(id: "5.10", title: "continuation (FIN) without a message, 1 B chops",
                 steps: [.raw([cont("non-continuation payload", fin: true), text("Hello, world!")].flatMap { $0.encoded() }, chop: 1)], expect: .fails(code: 1002)),
            Case(id: "5.12", title: "continuation (no FIN) without a message", steps: [.frames([cont("non-continuation payload", fin: false), text("Hello, world!")])],
                 expect: .fails(code: 1002)),
            Case(id: "5.15", title: "message, then a continuation after its end",
                 steps: [.frames([text("fragment1", fin: false), cont("fragment2", fin: true), cont("fragment3", fin: false), text("fragment4")])],
                 expect: .fails(code: 1002, after: [joined])),
            Case(id: "5.16", title: "new text message inside a fragmented one", steps: [.frames([text("fragment1", fin: false), text("fragment2")])],
                 expect: .fails(code: 1002)),
            Case(id: "5.17", title: "new binary message inside a fragmented text",
                 steps: [.frames([text("fragment1", fin: false), frame(Op.binary, [1, 2, 3])])], expect: .fails(code: 1002)),
            Case(id: "5.19", title: "text in 5 fragments, 2 pings between, paused", steps: [.framewise(fiveWithPings, pause: .milliseconds(50))],
                 expect: .replies(fiveReplies)),
            Case(id: "5.20", title: "text in 5 fragments, 2 pings between, 1 B chops", steps: [.raw(fiveWithPings.flatMap { $0.encoded() }, chop: 1)],
                 expect: .replies(fiveReplies)),
            Case(id: "5.21", title: "binary in 3 fragments", steps: [.frames(binaryFragments)], expect: .replies([.binary(ConformancePayload.binary(3000))])),
        ]
    }

    // MARK: - 6 UTF-8

    static var utf8: [Case] {
        let kosme = ConformancePayload.hex("cebae1bdb9cf83cebcceb5")  // κόσμε
        let mixed = Array("Hello-µ@ßöäüàá-UTF-8!!".utf8)
        let invalidMiddle = kosme + ConformancePayload.hex("eda080") + Array("edited".utf8)
        var cases: [Case] = [
            Case(id: "6.1.1", title: "empty text", steps: [.frames([text("")])], expect: .replies([.text([])])),
            Case(id: "6.1.2", title: "empty text in 3 empty fragments", steps: [.frames([text("", fin: false), cont("", fin: false), cont("", fin: true)])],
                 expect: .replies([.text([])])),
            Case(id: "6.1.3", title: "text: empty, middle, empty fragments", steps: [.frames([text("", fin: false), cont("middle", fin: false), cont("", fin: true)])],
                 expect: .replies([.text("middle")])),
            echo("6.2.1", "valid UTF-8 in one frame", Op.text, mixed),
            Case(id: "6.2.2", title: "valid UTF-8 split at a code point boundary",
                 steps: [.frames([frame(Op.text, Array(mixed[0..<7]), fin: false), frame(Op.continuation, Array(mixed[7...]))])], expect: .replies([.text(mixed)])),
            Case(id: "6.2.3", title: "valid UTF-8, one byte per fragment", steps: [.frames(ConformancePayload.fragments(Op.text, mixed, size: 1))],
                 expect: .replies([.text(mixed)])),
            Case(id: "6.2.4", title: "κόσμε, one byte per fragment", steps: [.frames(ConformancePayload.fragments(Op.text, kosme, size: 1))],
                 expect: .replies([.text(kosme)])),
            Case(id: "6.3.1", title: "invalid UTF-8 (surrogate) in one frame", steps: [.frames([frame(Op.text, invalidMiddle)])], expect: .fails(code: 1007)),
            Case(id: "6.3.2", title: "invalid UTF-8 (surrogate), one byte per fragment",
                 steps: [.frames(ConformancePayload.fragments(Op.text, invalidMiddle, size: 1))], expect: .fails(code: 1007)),
        ]
        // 6.4: fail fast. The invalid bytes arrive, then nothing until the server has had
        // time to fail; the rest of the message follows only if it did not.
        let outOfRange = ConformancePayload.hex("f4908080")
        cases.append(Case(id: "6.4.1", title: "fail fast: invalid second fragment (> U+10FFFF)",
                          steps: [.frames([frame(Op.text, kosme, fin: false), frame(Op.continuation, outOfRange, fin: false)])],
                          expect: .fails(code: 1007, rest: frame(Op.continuation, Array("edited".utf8)).encoded())))
        cases.append(Case(id: "6.4.2", title: "fail fast: code point split across fragments",
                          steps: [.frames([frame(Op.text, kosme + [0xF4], fin: false), frame(Op.continuation, [0x90, 0x80, 0x80], fin: false)])],
                          expect: .fails(code: 1007, rest: frame(Op.continuation, Array("edited".utf8)).encoded())))
        let oneFrame = frame(Op.text, kosme + outOfRange + Array("edited".utf8)).encoded()
        let cut = oneFrame.count - 6  // header and payload up to the invalid bytes, without "edited"
        cases.append(Case(id: "6.4.3", title: "fail fast: invalid bytes inside one frame, rest withheld",
                          steps: [.raw(Array(oneFrame[..<cut]), chop: nil)], expect: .fails(code: 1007, rest: Array(oneFrame[cut...]))))
        cases.append(Case(id: "6.4.4", title: "fail fast: invalid bytes inside one frame, 1 B chops",
                          steps: [.raw(Array(oneFrame[..<cut]), chop: 1)], expect: .fails(code: 1007, rest: Array(oneFrame[cut...]))))
        // Single invalid sequences (6.5–6.21 in spirit).
        let invalid: [(String, String)] = [
            ("lone continuation byte", "80"), ("lone continuation bytes", "80bf80bf"), ("overlong '/' (2 B)", "c0af"),
            ("overlong '/' (3 B)", "e080af"), ("overlong '/' (4 B)", "f08080af"), ("overlong U+0000 (2 B)", "c080"),
            ("surrogate U+D800", "eda080"), ("surrogate U+DFFF", "edbfbf"), ("surrogate pair (CESU-8)", "eda080edb080"),
            ("above U+10FFFF", "f4908080"), ("byte F5", "f5"), ("byte FE", "fe"), ("byte FF", "ff"),
            ("truncated 3-byte sequence at the end", "41e282"), ("truncated 2-byte sequence before ASCII", "c241"),
        ]
        for (index, (title, bytes)) in invalid.enumerated() {
            cases.append(Case(id: "6.5.\(index + 1)", title: "invalid: \(title)", steps: [.frames([frame(Op.text, ConformancePayload.hex(bytes))])],
                              expect: .fails(code: 1007)))
        }
        let valid: [(String, String)] = [
            ("U+0000", "00"), ("U+007F", "7f"), ("U+0080", "c280"), ("U+07FF", "dfbf"), ("U+0800", "e0a080"), ("U+D7FF", "ed9fbf"),
            ("U+E000", "ee8080"), ("U+FEFF (BOM)", "efbbbf"), ("U+FFFD", "efbfbd"), ("U+FFFF", "efbfbf"), ("U+10000", "f0908080"),
            ("U+10FFFF", "f48fbfbf"),
        ]
        for (index, (title, bytes)) in valid.enumerated() {
            cases.append(echo("6.6.\(index + 1)", "valid: \(title)", Op.text, ConformancePayload.hex(bytes)))
        }
        return cases
    }

    // MARK: - 7 Close

    static var closing: [Case] {
        let reason123 = ConformancePayload.text(123)
        var cases: [Case] = [
            Case(id: "7.1.1", title: "text, then close", steps: [.frames([text("Hello World!"), close(1000)])],
                 expect: .closes(codes: [1000], after: [.text("Hello World!")])),
            Case(id: "7.1.2", title: "close twice", steps: [.frames([close(1000), close(1000)])], expect: .closes(codes: [1000])),
            Case(id: "7.1.3", title: "ping after close (ignored)", steps: [.frames([close(1000), frame(Op.ping, Array("late".utf8))])], expect: .closes(codes: [1000])),
            Case(id: "7.1.4", title: "text after close (ignored)", steps: [.frames([close(1000), text("late")])], expect: .closes(codes: [1000])),
            Case(id: "7.1.5", title: "close inside a fragmented message", steps: [.frames([text("fragment1", fin: false), close(1000), cont("fragment2", fin: true)])],
                 expect: .closes(codes: [1000])),
            Case(id: "7.1.6", title: "256 KiB text, close, ping", steps: [.frames([frame(Op.text, ConformancePayload.text(262_144)), close(1000), frame(Op.ping)])],
                 expect: .closes(codes: [1000], after: [.text(ConformancePayload.text(262_144))])),
            Case(id: "7.3.1", title: "empty close", steps: [.frames([close(nil)])], expect: .closes(codes: [nil, 1000])),
            Case(id: "7.3.2", title: "close with a 1 B payload", steps: [.frames([frame(Op.close, [0x03])])], expect: .fails(code: 1002)),
            Case(id: "7.3.3", title: "close 1000, no reason", steps: [.frames([close(1000)])], expect: .closes(codes: [1000])),
            Case(id: "7.3.4", title: "close 1000 with a reason", steps: [.frames([close(1000, Array("Hello World!".utf8))])], expect: .closes(codes: [1000])),
            Case(id: "7.3.5", title: "close 1000 with a 123 B reason (125 B payload)", steps: [.frames([close(1000, reason123)])], expect: .closes(codes: [1000])),
            Case(id: "7.3.6", title: "close 1000 with a 124 B reason (126 B payload)", steps: [.frames([close(1000, ConformancePayload.text(124))])],
                 expect: .fails(code: 1002)),
            Case(id: "7.5.1", title: "close reason not UTF-8", steps: [.frames([close(1000, ConformancePayload.hex("cebae1bdb9cf83cebcceb5eda080656469746564"))])],
                 expect: .fails(code: 1007)),
        ]
        for (index, code) in ([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] as [UInt16]).enumerated() {
            cases.append(Case(id: "7.7.\(index + 1)", title: "valid close code \(code) (echoed)", steps: [.frames([close(code)])], expect: .closes(codes: [code])))
        }
        for (index, code) in ([0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as [UInt16]).enumerated() {
            cases.append(Case(id: "7.9.\(index + 1)", title: "invalid close code \(code)", steps: [.frames([close(code)])], expect: .fails(code: 1002)))
        }
        return cases
    }

    // MARK: - 9 Limits and performance

    static var limits: [Case] {
        let text128K = ConformancePayload.text(131_072)
        let textNearLimit = ConformancePayload.text(messageLimit - 1)
        let binary128K = ConformancePayload.binary(131_072)
        let binaryLimit = ConformancePayload.binary(messageLimit)
        let smallTexts = (0..<1000).map { "message \($0) ...." }
        let smallBinaries = (0..<1000).map { index in (0..<128).map { UInt8(truncatingIfNeeded: index &+ $0) } }
        return [
            echo("9.1.1", "text, 64 KiB", Op.text, ConformancePayload.text(65_536)),
            echo("9.1.2", "text, 256 KiB", Op.text, ConformancePayload.text(262_144)),
            echo("9.2.1", "binary, 64 KiB", Op.binary, ConformancePayload.binary(65_536)),
            echo("9.2.2", "binary, 256 KiB", Op.binary, ConformancePayload.binary(262_144)),
            Case(id: "9.3.1", title: "text 128 KiB in 64 B fragments", steps: [.frames(ConformancePayload.fragments(Op.text, text128K, size: 64))],
                 expect: .replies([.text(text128K)])),
            Case(id: "9.3.2", title: "text 1 MiB − 1 in 4 KiB fragments", steps: [.frames(ConformancePayload.fragments(Op.text, textNearLimit, size: 4096))],
                 expect: .replies([.text(textNearLimit)])),
            Case(id: "9.4.1", title: "binary 128 KiB in 64 B fragments", steps: [.frames(ConformancePayload.fragments(Op.binary, binary128K, size: 64))],
                 expect: .replies([.binary(binary128K)])),
            Case(id: "9.4.2", title: "binary 1 MiB in 16 KiB fragments", steps: [.frames(ConformancePayload.fragments(Op.binary, binaryLimit, size: 16_384))],
                 expect: .replies([.binary(binaryLimit)])),
            echo("9.5.1", "text 64 KiB written in 64 B chops", Op.text, ConformancePayload.text(65_536), chop: 64),
            echo("9.5.2", "text 1 MiB − 1 written in 4 KiB chops", Op.text, textNearLimit, chop: 4096),
            Case(id: "9.7.1", title: "1000 small texts in one write", steps: [.frames(smallTexts.map { text($0) })], expect: .replies(smallTexts.map { .text($0) })),
            Case(id: "9.8.1", title: "1000 small binaries in one write", steps: [.frames(smallBinaries.map { frame(Op.binary, $0) })],
                 expect: .replies(smallBinaries.map { .binary($0) })),
            Case(id: "9.9.1", title: "throughput: 100 × 64 KiB binary", steps: [], expect: .throughput(count: 100, size: 65_536)),
        ]
    }

    // MARK: - 10 Misc

    static var misc: [Case] {
        let payload = ConformancePayload.text(65_536)
        let unmaskedText = WebSocketFrame(opcode: Op.text, masked: false, payload: Array("unmasked".utf8))
        let unmaskedPing = WebSocketFrame(opcode: Op.ping, masked: false, payload: Array("unmasked".utf8))
        return [
            Case(id: "10.1.1", title: "text 64 KiB in 1300 B fragments", steps: [.frames(ConformancePayload.fragments(Op.text, payload, size: 1300))],
                 expect: .replies([.text(payload)])),
            Case(id: "10.2.1", title: "unmasked text frame from the client", steps: [.frames([unmaskedText])], expect: .fails(code: 1002)),
            Case(id: "10.2.2", title: "unmasked ping from the client", steps: [.frames([unmaskedPing])], expect: .fails(code: 1002)),
            Case(id: "10.2.3", title: "masked text, then unmasked text", steps: [.frames([text("masked"), unmaskedText])],
                 expect: .fails(code: 1002, after: [.text("masked")])),
            Case(id: "10.3.1", title: "64-bit length with the top bit set",
                 steps: [.raw([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], chop: nil)], expect: .fails(code: 1002)),
        ]
    }
}
