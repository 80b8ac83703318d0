// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pushpind",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pushpind", targets: ["pushpind"]),
        // For the load driver in Benchmarks/ (a separate package).
        .library(name: "IOUring", targets: ["IOUring"]),
        .library(name: "Wire", targets: ["Wire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // liburing through a C shim: the shim header settles glibc's feature macros
        // before liburing.h and re-exports the macros Swift cannot import.
        .target(
            name: "CLibUring",
            path: "Sources/IOUring/CLibUring",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        .target(name: "IOUring", dependencies: ["CLibUring"], path: "Sources/IOUring", exclude: ["CLibUring"]),
        .target(name: "Wire"),
        // Between threads: mailboxes, commands and reports, and the resolved routing a shard installs.
        .target(name: "Hub", dependencies: ["IOUring", "Wire"]),
        // zlib, for permessage-deflate (inflating what WebSocket clients send compressed).
        .target(name: "CZlib", path: "Sources/Shard/CZlib", linkerSettings: [.linkedLibrary("z")]),
        // glibc's malloc.h (malloc_trim), for giving freed memory back after a connection peak.
        .target(name: "CMalloc", path: "Sources/Shard/CMalloc"),
        // OpenSSL, for TLS to clients and backends: memory BIOs only, the shard's ring does the socket I/O.
        .target(
            name: "COpenSSL", path: "Sources/Shard/COpenSSL", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        .target(
            name: "Shard",
            dependencies: ["IOUring", "Wire", "Hub", "CZlib", "CMalloc", "COpenSSL", .product(name: "Logging", package: "swift-log")],
            exclude: ["CZlib", "CMalloc", "COpenSSL"],
            // The shard loop's state lives in classes, so every access to it was checked for
            // exclusivity at run time (swift_beginAccess: ~3 % of a proxied GET's CPU). Debug
            // builds, which the tests run, keep the checks.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // libzmq, for the control thread's ZeroMQ inputs and sockets (publish.md §5).
        .target(name: "CZmq", path: "Sources/Control/CZmq", linkerSettings: [.linkedLibrary("zmq")]),
        .target(
            name: "Control",
            dependencies: ["IOUring", "Wire", "Hub", "CZmq", .product(name: "Logging", package: "swift-log")],
            exclude: ["CZmq"]),
        .executableTarget(
            name: "pushpind",
            dependencies: [
                "Shard", "Control", "Wire", "Hub", "IOUring", "CZmq",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One seeded generator for the randomized tests of every target (test-only, no product).
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        .testTarget(name: "WireTests", dependencies: ["Wire", "SeededRandom"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "IOUring", "Wire"]),
        .testTarget(name: "IOUringTests", dependencies: ["IOUring"]),
        .testTarget(name: "ShardTests", dependencies: ["Shard", "Wire", "Hub", "IOUring", "SeededRandom"]),
        .testTarget(
            name: "ControlTests",
            dependencies: ["Control", "Wire", "Hub", "IOUring", "SeededRandom", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "EndToEndTests", dependencies: ["Wire"]),
    ],
    swiftLanguageModes: [.v6]
)
