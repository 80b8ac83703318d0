import Glibc
import Wire

/// One connection to the control API. Pushpin answers one request per connection and closes,
/// so after each answer the connection is either reused (the server said keep-alive) or
/// replaced by a new one.
final class PublisherConnection {
    enum State {
        /// No socket; `retryAt` says when a new one may be opened (after a failed connect).
        case closed(retryAt: UInt64)
        case connecting
        /// Connected, no request outstanding.
        case ready
        case sending
        case awaitingAnswer
    }

    let slot: Int
    var state = State.closed(retryAt: 0)
    var fd: Int32 = -1
    /// Bumped for every new socket so completions of an old one are recognised.
    var generation: UInt32 = 0
    /// Items carried by the request in flight.
    var itemsInFlight = 0

    /// Request bytes; stable memory because the kernel reads it after submission.
    private(set) var sendBuffer: UnsafeMutableRawBufferPointer
    private(set) var sendLength = 0
    var sent = 0
    let receiveBuffer: UnsafeMutableRawBufferPointer

    private var headBytes: [UInt8] = []
    private var parser = HTTPResponseParser()
    private var body: BodyDecoder?
    private var answer: HTTPResponseHead?

    init(slot: Int) {
        self.slot = slot
        sendBuffer = .allocate(byteCount: 4096, alignment: 16)
        receiveBuffer = .allocate(byteCount: 4096, alignment: 16)
    }

    deinit {
        sendBuffer.deallocate()
        receiveBuffer.deallocate()
    }

    /// Copies `request` into the send buffer (growing it) and resets the answer parser.
    func load(_ request: [UInt8], items: Int) {
        if request.count > sendBuffer.count {
            sendBuffer.deallocate()
            sendBuffer = .allocate(byteCount: max(request.count, sendBuffer.count * 2), alignment: 16)
        }
        request.withUnsafeBytes { sendBuffer.copyMemory(from: $0) }
        sendLength = request.count
        sent = 0
        itemsInFlight = items
        headBytes.removeAll(keepingCapacity: true)
        parser.reset()
        body = nil
        answer = nil
    }

    var unsentBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(sendBuffer)[sent..<sendLength])
    }

    enum AnswerProgress {
        case incomplete
        /// The whole answer: its status and whether the connection may carry another request.
        case complete(status: Int, reusable: Bool)
        case invalid(String)
    }

    /// Feeds received answer bytes.
    func consume(_ bytes: UnsafeRawBufferPointer) -> AnswerProgress {
        if answer == nil {
            headBytes.append(contentsOf: bytes)
            let outcome = headBytes.withUnsafeBytes { parser.parse($0) }
            switch outcome {
            case .incomplete:
                return .incomplete
            case .failure(let error):
                return .invalid("control answer head: \(error)")
            case .complete(let head, let consumed):
                if (100...199).contains(head.status) {  // 100 Continue: the real answer follows
                    headBytes.removeFirst(consumed)
                    parser.reset()
                    let rest = headBytes
                    headBytes = []
                    return rest.isEmpty ? .incomplete : rest.withUnsafeBytes { consume($0) }
                }
                answer = head
                do throws(HTTPParseError) {
                    body = BodyDecoder(framing: try head.bodyFraming(requestMethod: "POST"))
                } catch {
                    return .invalid("control answer framing: \(error)")
                }
                let rest = Array(headBytes[consumed...])
                headBytes = []
                return rest.withUnsafeBytes { finishBody($0) }
            }
        }
        return finishBody(bytes)
    }

    private func finishBody(_ bytes: UnsafeRawBufferPointer) -> AnswerProgress {
        guard var decoder = body, let head = answer else { return .incomplete }
        do throws(HTTPParseError) {
            _ = try decoder.decode(bytes) { _ in }
        } catch {
            return .invalid("control answer body: \(error)")
        }
        body = decoder
        return decoder.isComplete ? .complete(status: head.status, reusable: head.keepAlive) : .incomplete
    }

    /// EOF while reading the answer: complete only for a read-until-close body.
    func consumeEOF() -> AnswerProgress {
        guard var decoder = body, let head = answer else { return .invalid("control connection closed before the answer") }
        guard decoder.finishAtEOF() else { return .invalid("control answer truncated") }
        body = decoder
        return .complete(status: head.status, reusable: false)
    }
}
