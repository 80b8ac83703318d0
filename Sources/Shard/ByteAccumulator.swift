/// Received bytes not yet consumed by a parser: a growable array read from the front.
///
/// Most requests are parsed straight from the receive buffer and never land here; this
/// only holds partial heads, pipelined requests and the like.
struct ByteAccumulator {
    private var storage: [UInt8] = []
    private var readIndex = 0

    var count: Int { storage.count - readIndex }
    var isEmpty: Bool { readIndex == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0 && readIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    mutating func consume(_ n: Int) {
        readIndex += n
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 65536)
            readIndex = 0
        } else if readIndex > 4096 && readIndex * 2 > storage.count {
            storage.removeFirst(readIndex)
            readIndex = 0
        }
    }

    /// Releases the storage entirely (connection idle), so an idle connection costs nothing here.
    mutating func release() {
        storage = []
        readIndex = 0
    }

    func withReadable<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[readIndex...])) }
    }
}
