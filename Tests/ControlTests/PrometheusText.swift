import Testing

/// A strict reader of the Prometheus text exposition format, enough to check what pushpind
/// writes: every line is a comment or `name[{labels}] value`, each family's HELP and TYPE
/// come before its samples, families are contiguous and no series repeats.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        var type: String
        var help: String
        var samples: [Sample] = []
    }

    var families: [Family] = []

    init?(_ text: String) {
        guard text.hasSuffix("\n") else {
            Issue.record("exposition must end with a newline")
            return nil
        }
        var seenSeries = Set<String>()
        var pendingHelp: (name: String, text: String)? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                guard let space = rest.firstIndex(of: " "), Self.isMetricName(rest[..<space]) else {
                    Issue.record("bad HELP line: \(line)")
                    return nil
                }
                let name = String(rest[..<space])
                guard !families.contains(where: { $0.name == name }) else {
                    Issue.record("family \(name) described twice")
                    return nil
                }
                pendingHelp = (name, String(rest[rest.index(after: space)...]))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, let help = pendingHelp, help.name == parts[0],
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1])
                else {
                    Issue.record("TYPE without a matching HELP just before it, or bad type: \(line)")
                    return nil
                }
                families.append(Family(name: help.name, type: String(parts[1]), help: help.text))
                pendingHelp = nil
            } else if line.hasPrefix("#") || line.isEmpty {
                Issue.record("unexpected line: \(line.debugDescription)")
                return nil
            } else {
                guard let sample = Self.sample(line) else {
                    Issue.record("not a sample line: \(line)")
                    return nil
                }
                guard let family = families.last, Self.belongs(sample.name, to: family), pendingHelp == nil else {
                    Issue.record("sample outside its family's block (HELP/TYPE first, families contiguous): \(line)")
                    return nil
                }
                let series = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
                guard seenSeries.insert(series).inserted else {
                    Issue.record("series repeated: \(series)")
                    return nil
                }
                families[families.count - 1].samples.append(sample)
            }
        }
    }

    func family(_ name: String) -> Family? { families.first { $0.name == name } }

    /// The value of the one sample called `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for family in families {
            if let sample = family.samples.first(where: { $0.name == name && $0.labels == labels }) { return sample.value }
        }
        return nil
    }

    private static func belongs(_ sample: String, to family: Family) -> Bool {
        if sample == family.name { return family.type != "histogram" }
        guard family.type == "histogram" else { return false }
        return ["_bucket", "_sum", "_count"].contains { sample == family.name + $0 }
    }

    static func isMetricName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" }
    }

    private static func isLabelName<S: StringProtocol>(_ name: S) -> Bool {
        isMetricName(name) && !name.contains(":")
    }

    private static func sample(_ line: Substring) -> Sample? {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = rest[..<nameEnd]
        guard isMetricName(name) else { return nil }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "="), isLabelName(rest[..<equals]) else { return nil }
                let label = String(rest[..<equals])
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first, ["\\", "\"", "n"].contains(escaped) else { return nil }
                        value.append(escaped == "n" ? "\n" : escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"", labels.updateValue(value, forKey: label) == nil else { return nil }
                rest = rest.dropFirst()
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        let text = rest.dropFirst()
        let value: Double?
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = text.allSatisfy { $0.isNumber || "+-.eE".contains($0) } ? Double(text) : nil
        }
        guard let value else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
