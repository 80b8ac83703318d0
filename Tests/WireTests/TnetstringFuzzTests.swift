import SeededRandom
import Testing
import Wire

/// Seeded mutation fuzzing of the tnetstring decoder: mutated input decodes or fails with
/// an error inside the input (never traps), and whatever decodes re-encodes to a value
/// that decodes the same.
@Suite("Tnetstring fuzz")
struct TnetstringFuzzTests {
    static let seed: UInt64 = 0x544E_4554_F022_0001
    static let iterations = 5_000

    static let corpus: [[UInt8]] = [
        TnetstringEncoder.encode(.dict([
            ("channel", .string("news")), ("id", .string("1")),
            ("formats", .dict([("http-stream", .dict([("content", .bytes([0, 0xFF, 0x3A, 0x2C]))]))])),
        ])),
        TnetstringEncoder.encode(.dict([
            ("id", .string("r")), ("method", .string("publish")),
            ("args", .dict([("items", .list([.dict([("size", .int(-12)), ("f", .double(2.5)), ("t", .bool(true)), ("n", .null)])]))])),
        ])),
        TnetstringEncoder.encode(.list([.list([.list([.emptyDict])]), .bool(false)])),
    ]

    static let interesting: [UInt8] = Array("0123456789:,#^!~]}-.".utf8) + [0x00, 0x7F, 0xFF]

    @Test func mutatedInputNeverTrapsAndRoundTrips() {
        var random = SeededRandom(seed: Self.seed)
        var decoded = 0
        var rejected = 0
        for iteration in 0..<Self.iterations {
            var bytes = Self.corpus[iteration % Self.corpus.count]
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !bytes.isEmpty: bytes[at] = Self.interesting.randomElement(using: &random) ?? 0
                case 1: bytes.insert(Self.interesting.randomElement(using: &random) ?? 0, at: at)
                case 2 where !bytes.isEmpty: bytes.remove(at: at)
                default: bytes = Array(bytes.prefix(at))
                }
            }
            do throws(TnetstringError) {
                let value = try TnetstringDecoder.decode(bytes)
                decoded += 1
                #expect(try TnetstringDecoder.decode(TnetstringEncoder.encode(value)) == value, "iteration \(iteration)")
                _ = PublishItemFrame.parse(bytes)
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count, "iteration \(iteration): \(error)")
            }
        }
        #expect(decoded > 100)
        #expect(rejected > 1_000)
    }
}
