import Foundation

/// A parsed Prometheus text exposition (what pushpind serves at `GET /metrics`): samples
/// looked up or summed by name and labels, plus the `# TYPE` of each metric family.
struct MetricsText: Sendable {
    struct Sample: Sendable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    private(set) var samples: [Sample] = []
    /// Metric family name → type (`counter`, `gauge`, …) from `# TYPE` lines.
    private(set) var types: [String: String] = [:]

    init(parsing text: String) throws {
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count >= 4 && words[1] == "TYPE" { types[String(words[2])] = String(words[3]) }
                continue
            }
            samples.append(try Self.parseSample(line))
        }
    }

    /// `name{label="value",…} value [timestamp]`
    private static func parseSample(_ line: String) throws -> Sample {
        let scalars = Array(line.unicodeScalars)
        var index = 0
        var name = ""
        while index < scalars.count, scalars[index] != "{", scalars[index] != " " {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        var labels: [String: String] = [:]
        if index < scalars.count, scalars[index] == "{" {
            index += 1
            while index < scalars.count, scalars[index] != "}" {
                var key = ""
                while index < scalars.count, scalars[index] != "=" {
                    if scalars[index] != "," && scalars[index] != " " { key.unicodeScalars.append(scalars[index]) }
                    index += 1
                }
                index += 1  // '='
                guard index < scalars.count, scalars[index] == "\"" else { throw HarnessError.malformed("metrics label in \(line)") }
                index += 1
                var value = ""
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count {
                        index += 1
                        value.unicodeScalars.append(scalars[index] == "n" ? "\n" : scalars[index])
                    } else {
                        value.unicodeScalars.append(scalars[index])
                    }
                    index += 1
                }
                guard index < scalars.count else { throw HarnessError.malformed("unterminated label value in \(line)") }
                index += 1  // closing quote
                labels[key] = value
                while index < scalars.count, scalars[index] == "," || scalars[index] == " " { index += 1 }
            }
            index += 1  // '}'
        }
        let rest = String(String.UnicodeScalarView(scalars[min(index, scalars.count)...]))
        let fields = rest.split(separator: " ")
        guard !name.isEmpty, let first = fields.first, let value = Self.number(first) else {
            throw HarnessError.malformed("metrics sample \(line.debugDescription)")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    /// Samples named `name` whose labels include every pair in `labels`.
    func matching(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The value of the one sample with exactly these labels (nil if absent).
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The `shard="total"` sample of `name` (with any further `labels`), 0 when absent.
    func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
        value(name, labels.merging(["shard": "total"]) { $1 }) ?? 0
    }

    /// Sum over the per-shard samples (`shard` = "0" … "N-1") of `name` with `labels`.
    func sumOverShards(_ name: String, shards: Int, _ labels: [String: String] = [:]) -> Double {
        (0..<shards).reduce(0) { sum, shard in
            sum + (value(name, labels.merging(["shard": String(shard)]) { $1 }) ?? 0)
        }
    }
}

extension PushpindProcess {
    /// `GET /metrics` on the control port, parsed.
    func metrics() throws -> MetricsText {
        let response = try RawHTTPClient.fetch(port: controlPort, "/metrics")
        guard response.status == 200 else {
            throw HarnessError.setup("GET /metrics answered \(response.status): \(response.bodyText.prefix(200))")
        }
        return try MetricsText(parsing: response.bodyText)
    }

    /// `GET /status` on the control port, as a JSON object.
    func status() throws -> [String: Any] {
        let response = try RawHTTPClient.fetch(port: controlPort, "/status")
        guard response.status == 200 else {
            throw HarnessError.setup("GET /status answered \(response.status): \(response.bodyText.prefix(200))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw HarnessError.malformed("GET /status body is not a JSON object: \(response.bodyText.prefix(200).debugDescription)")
        }
        return object
    }
}
