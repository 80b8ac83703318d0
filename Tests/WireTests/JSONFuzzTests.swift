import SeededRandom
import Testing
import Wire

/// Seeded mutation fuzzing of the JSON parser: mutated documents must parse or
/// fail with an error (never trap), and whatever parses must round-trip.
@Suite("JSON fuzz")
struct JSONFuzzTests {
    static let seed: UInt64 = 0x4A53_4F4E_F022_0001
    static let iterations = 5_000

    static let corpus: [String] = [
        #"{"items":[{"channel":"test","id":"an-id","prev-id":"x","formats":{"http-response":{"code":200,"headers":{"Content-Type":"text/plain"},"body":"hello\n"}}}]}"#,
        #"{"items":[{"channel":"c","formats":{"ws-message":{"content-bin":"aGVsbG8="},"http-stream":{"content":"\u00e9\ud83d\ude00","action":"close"}}}]}"#,
        #"[0,-0,1.5e-3,-12345678901234567890,9223372036854775807,true,false,null,"",[],{},[[{}]]]"#,
        #"{"a":{"b":{"c":[1,{"d":"\"\\\/\b\f\n\r\t"}]}}, "e" : [ 1 , 2 ] }"#,
        "\"héllo wörld €😀\"",
        "  123  ",
    ]

    /// Bytes that steer mutations toward interesting parser states.
    static let interesting: [UInt8] = Array("{}[]\":,\\u0eE+-.tfn \t\n".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xED, 0xF0, 0xF4, 0xFF]

    static func mutate(_ input: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 1...4, using: &random)
        for _ in 0..<rounds {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[at] = interesting.randomElement(using: &random) ?? 0
            case 2:
                bytes.insert(interesting.randomElement(using: &random) ?? 0, at: at)
            case 3 where !bytes.isEmpty:
                bytes.remove(at: at)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &random))
            case 5:
                bytes = Array(bytes.prefix(at))
            default:
                let end = min(bytes.count, at + Int.random(in: 1...8, using: &random))
                bytes.removeSubrange(at..<end)
            }
        }
        return bytes
    }

    @Test func mutatedDocumentsNeverTrapAndRoundTrip() {
        var random = SeededRandom(seed: Self.seed)
        let seeds = Self.corpus.map { Array($0.utf8) }
        var parsed = 0
        var rejected = 0
        for iteration in 0..<Self.iterations {
            let base = seeds[iteration % seeds.count]
            let input = Self.mutate(base, using: &random)
            do throws(JSONError) {
                let value = try JSONValue.parse(input)
                parsed += 1
                let text = value.serialized
                let again = try JSONValue.parse(text)
                #expect(again == value, "iteration \(iteration) seed \(Self.seed): \(text)")
                // The raw-buffer entry point agrees.
                let viaBuffer = input.withUnsafeBytes { try? JSONValue.parse($0) }
                #expect(viaBuffer == value)
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= input.count, "iteration \(iteration): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(parsed + rejected == Self.iterations)
        // The mutations must actually exercise both outcomes.
        #expect(parsed > 100)
        #expect(rejected > 1_000)
    }

    @Test func randomBytesNeverTrap() {
        var random = SeededRandom(seed: Self.seed ^ 0xFFFF)
        for _ in 0..<1_000 {
            let count = Int.random(in: 0..<64, using: &random)
            let input = (0..<count).map { _ in Self.interesting.randomElement(using: &random) ?? 0 }
            _ = try? JSONValue.parse(input)
        }
    }
}
