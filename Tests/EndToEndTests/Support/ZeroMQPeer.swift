import Foundation

/// pyzmq as a real ZeroMQ peer: a short script that connects a socket of the given type
/// to pushpind and sends messages, each a list of frames (bytes given as hex, so tests can
/// send anything). Every wait inside is bounded; the script exits once all is sent.
enum ZeroMQPeer {
    static var available: Bool { PythonProcess.hasModule("zmq") }

    /// A frame the script expands to `count` bytes of `x` (too big for an argument).
    static func filler(_ count: Int) -> [UInt8] { Array("*\(count)".utf8) }

    /// Sends `messages` over a `PUSH` or `PUB` (XPUB) socket connected to `endpoint` (a
    /// comma list connects to each). A PUB peer first waits (up to 10 s per subscription)
    /// until `subscriptions` subscriptions to `waitForTopic` arrived.
    static func send(
        _ messages: [[[UInt8]]], type: String = "PUSH", to endpoint: String, waitForTopic: String? = nil, subscriptions: Int = 1
    ) throws {
        let encoded = messages.map {
            $0.map { $0.first == UInt8(ascii: "*") ? String(decoding: $0, as: UTF8.self) : $0.map { String(format: "%02x", $0) }.joined() }
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: encoded), as: UTF8.self)
        _ = try PythonProcess.run(sendScript, arguments: [type, endpoint, json, waitForTopic ?? "", String(subscriptions)], timeout: .seconds(30))
    }

    static let sendScript = #"""
    import json, sys, time, zmq
    kind, endpoint, messages, topic, wanted = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    ctx = zmq.Context()
    sock = ctx.socket(zmq.XPUB if kind == "PUB" else zmq.PUSH)
    sock.setsockopt(zmq.LINGER, 10000)
    sock.setsockopt(zmq.SNDTIMEO, 10000)
    if kind == "PUB":
        # Every subscription, not only the first per topic.
        sock.setsockopt(zmq.XPUB_VERBOSE, 1)
    for one in endpoint.split(","):
        sock.connect(one)
    if kind == "PUB" and topic:
        # XPUB hears the subscription pushpind's SUB sends once the channel has a subscriber.
        sock.setsockopt(zmq.RCVTIMEO, 10000)
        seen = 0
        while seen < wanted:
            if sock.recv() == b"\x01" + topic.encode():
                seen += 1
    for message in messages:
        sock.send_multipart([b"x" * int(f[1:]) if f.startswith("*") else bytes.fromhex(f) for f in message])
    sock.close()
    ctx.term()
    print("SENT", len(messages))
    """#

    /// An XPUB peer that prints `SUBSCRIBED` when pushpind subscribes to `topic`, then
    /// `UNSUBSCRIBED` when it unsubscribes (or exits 1 after 20 s).
    static func watchSubscription(_ topic: String, at endpoint: String) throws -> PythonProcess {
        try PythonProcess(script: watchScript, arguments: [endpoint, topic])
    }

    static let watchScript = #"""
    import sys, zmq
    endpoint, topic = sys.argv[1], sys.argv[2].encode()
    ctx = zmq.Context()
    sock = ctx.socket(zmq.XPUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 20000)
    sock.connect(endpoint)
    for wanted, word in ((b"\x01", "SUBSCRIBED"), (b"\x00", "UNSUBSCRIBED")):
        while sock.recv() != wanted + topic:
            pass
        print(word, flush=True)
    """#

    /// Sends each request from a fresh REQ socket and returns the replies in order. A
    /// request of `fireAndForget` parts goes out from a DEALER socket that waits for nothing.
    static func request(_ requests: [[[UInt8]]], at endpoint: String, fireAndForget: Set<Int> = []) throws -> [[UInt8]] {
        let encoded = requests.enumerated().map { index, parts in
            [fireAndForget.contains(index) ? "dealer" : "req"]
                + parts.map { $0.first == UInt8(ascii: "*") ? String(decoding: $0, as: UTF8.self) : $0.map { String(format: "%02x", $0) }.joined() }
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: encoded), as: UTF8.self)
        let output = try PythonProcess.run(requestScript, arguments: [endpoint, json], timeout: .seconds(60))
        return output.split(separator: "\n").filter { $0.hasPrefix("REPLY ") }.map { line in
            let hex = Array(line.dropFirst(6).utf8)
            return stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) }
        }
    }

    static let requestScript = #"""
    import json, sys, zmq
    endpoint, requests = sys.argv[1], json.loads(sys.argv[2])
    ctx = zmq.Context()
    for request in requests:
        kind, parts = request[0], [b"x" * int(f[1:]) if f.startswith("*") else bytes.fromhex(f) for f in request[1:]]
        sock = ctx.socket(zmq.DEALER if kind == "dealer" else zmq.REQ)
        sock.setsockopt(zmq.LINGER, 10000)
        sock.setsockopt(zmq.RCVTIMEO, 10000)
        sock.connect(endpoint)
        if kind == "dealer":
            sock.send_multipart([b""] + parts)
        else:
            sock.send_multipart(parts)
            print("REPLY " + sock.recv().hex(), flush=True)
        sock.close()
    ctx.term()
    """#
}

extension ZeroMQPeer {
    /// A SUB peer on the stats socket, the way Pushpin's tooling reads it: subscribed to
    /// everything, one `MSG <hex>` line per message. Killed when the test is done.
    static func readStats(at endpoint: String) throws -> PythonProcess {
        try PythonProcess(script: statsScript, arguments: [endpoint])
    }

    static let statsScript = #"""
    import sys, zmq
    ctx = zmq.Context()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.setsockopt(zmq.RCVTIMEO, 60000)
    sock.connect(sys.argv[1])
    while True:
        print("MSG " + sock.recv().hex(), flush=True)
    """#

    /// The stats messages a `readStats` peer printed so far: type word and encoded body.
    static func statsMessages(_ reader: PythonProcess) -> [(type: String, body: [UInt8])] {
        reader.output.split(separator: "\n").filter { $0.hasPrefix("MSG ") }.compactMap { line in
            let hex = Array(line.dropFirst(4).utf8)
            let bytes = stride(from: 0, to: hex.count - 1, by: 2).compactMap {
                UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16)
            }
            guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return nil }
            return (String(decoding: bytes[..<space], as: UTF8.self), Array(bytes[(space + 1)...]))
        }
    }
}
