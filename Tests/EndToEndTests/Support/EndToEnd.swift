import Testing

/// The parent of every end-to-end suite. `.serialized` makes the whole tree run one test
/// at a time: each test starts its own pushpind (2 shards) on a 2-core machine, and the
/// timing checks (504 after 1 s, drain on SIGTERM) must not compete with each other.
/// The issue handler prints the log of any pushpind the failing test started.
@Suite(
    .serialized,
    .compactMapIssues { issue in
        PushpindLogs.shared.issueRecorded()
        return issue
    }
)
enum EndToEnd {}
