// swift-tools-version:6.2
import PackageDescription

/// Swift 6 language mode is the default for this tools version; warnings fail the build.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

// Linux only (Debian 12 is the reference): the exporter reads /proc, imports Glibc and links libcurl, jansson,
// zlib and libxcrypt from the system; no other platform is declared or tested.
let package = Package(
    name: "genesys-exporter",
    products: [
        .executable(name: "genesys-exporter", targets: ["genesys-exporter"]),
        .executable(name: "genesys-simulator", targets: ["genesys-simulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // C interop only: libcurl and jansson as system libraries with typed shims for the variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        // libyaml for the orgs file and the web config, under a small document layer (GenesysBase/YAML).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // prctl is variadic: a typed shim, like the libcurl ones.
        .systemLibrary(name: "CProcessControl"),
        // glibc's malloc_trim: freed heap back to the system (HeapTrimService).
        .systemLibrary(name: "CMalloc"),
        // bcrypt for the web config's basic_auth_users: libxcrypt's crypt_r behind a typed shim.
        .systemLibrary(
            name: "CCrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        // zlib for the exposition's gzip members (deflateInit2 is a macro: a typed shim).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Writes the git revision into GenesysBase before each build (BuildInfo.revision).
        .plugin(name: "BuildStamp", capability: .buildTool()),
        // Lists the simulator's Routes/<Name>Routes.swift files (simulatorRouteFiles), so a new one needs no list.
        .plugin(name: "SimulatorRouteIndex", capability: .buildTool()),
        // The exporter in layers (docs/ARCHITECTURE.md): each target may use only the ones listed before it.
        // GenesysBase is the bottom: time, validation, YAML, bounded file reads, small standard-library additions.
        .target(name: "GenesysBase", dependencies: ["CYAML"], plugins: ["BuildStamp"]),
        // The libcurl client and the jansson layer: infrastructure that knows nothing of Genesys or the exporter.
        .target(
            name: "GenesysHTTP",
            dependencies: ["GenesysBase", "CCurl", "CProcessControl"]
        ),
        .target(name: "GenesysJSON", dependencies: ["GenesysBase", "CJansson"]),
        .target(
            name: "GenesysTelemetry",
            dependencies: [
                "GenesysBase", "GenesysJSON", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "GenesysAuth",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "CProcessControl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "GenesysAPI",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Genesys notification channels: the WebSocket client (NIOWebSocket over NIOSSL; Debian 12's libcurl has no
        // ws/wss), the channel calls, and the stream that keeps channels subscribed, renewed and watched.
        .target(
            name: "GenesysNotifications",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "GenesysCollectors",
            dependencies: [
                "GenesysBase", "GenesysJSON", "GenesysTelemetry", "GenesysAuth", "GenesysAPI", "GenesysNotifications",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "GenesysServer",
            dependencies: [
                "GenesysBase", "GenesysJSON", "GenesysTelemetry", "CCrypt",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The assembly: configuration, the per-org monitor, the exporter and `check`.
        .target(
            name: "GenesysExporter",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth", "GenesysAPI",
                "GenesysCollectors", "GenesysNotifications", "GenesysServer", "CMalloc",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "GenesysSimulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            plugins: ["SimulatorRouteIndex"]
        ),
        // Command-line parsing lives here; the library takes a plain `ExporterFlags`.
        .executableTarget(
            name: "genesys-exporter",
            dependencies: [
                "GenesysExporter", "GenesysSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "genesys-simulator",
            dependencies: [
                "GenesysSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Starting a simulator and awaiting a condition: shared by the simulator's tests and the exporter's.
        .target(
            name: "SimulatorTestSupport",
            dependencies: [
                "GenesysSimulator",
                // NotificationSocketClient: a WebSocket client for the simulator's notification sockets.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/SimulatorTestSupport"
        ),
        // The civil-date vectors both the exporter's GenesysBase and the independent simulator are tested against.
        .target(name: "CivilDateVectors", path: "Tests/CivilDateVectors"),
        .testTarget(
            name: "GenesysSimulatorTests",
            dependencies: [
                "GenesysSimulator", "SimulatorTestSupport", "CivilDateVectors",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // One test target per layer (hummingbird's HummingbirdCore / HummingbirdCoreTests): each imports its layer and
        // those below it, never the GenesysExporter umbrella; any of them may start the simulator.
        // Test helpers by the layer they need: a manual clock and exposition parsing (GenesysBase), a token rig and
        // simulator token settings (GenesysAuth), and the in-process exporter harness (GenesysExporter).
        .target(
            name: "GenesysBaseTestSupport",
            dependencies: [
                "GenesysBase", "GenesysSimulator", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/GenesysBaseTestSupport"
        ),
        .target(
            name: "GenesysAuthTestSupport",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth",
                "GenesysBaseTestSupport", "GenesysSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/GenesysAuthTestSupport"
        ),
        .target(
            name: "GenesysTestSupport",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysAuth", "GenesysCollectors", "GenesysExporter",
                "GenesysBaseTestSupport", "GenesysAuthTestSupport", "GenesysSimulator",
            ],
            path: "Tests/GenesysTestSupport"
        ),
        .testTarget(
            name: "GenesysBaseTests",
            dependencies: ["GenesysBase", "CivilDateVectors", "SimulatorTestSupport"]
        ),
        .testTarget(
            name: "GenesysHTTPTests",
            dependencies: ["GenesysBase", "GenesysHTTP", "GenesysSimulator", "SimulatorTestSupport"]
        ),
        .testTarget(
            name: "GenesysJSONTests",
            dependencies: ["GenesysBase", "GenesysJSON"]
        ),
        .testTarget(
            name: "GenesysTelemetryTests",
            dependencies: [
                "GenesysBase", "GenesysJSON", "GenesysTelemetry", "GenesysBaseTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "GenesysAuthTests",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth",
                "GenesysBaseTestSupport", "GenesysAuthTestSupport", "GenesysSimulator", "SimulatorTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "GenesysAPITests",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth", "GenesysAPI",
                "GenesysBaseTestSupport", "GenesysAuthTestSupport", "GenesysSimulator", "SimulatorTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "GenesysCollectorsTests",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth", "GenesysAPI",
                "GenesysCollectors", "GenesysNotifications", "GenesysBaseTestSupport",
            ]
        ),
        .testTarget(
            name: "GenesysServerTests",
            dependencies: ["GenesysBase", "GenesysJSON", "GenesysTelemetry", "GenesysServer"]
        ),
        // One entry function per parser that sees outside bytes: run by the libFuzzer driver below and
        // replayed over the committed corpus (Fuzz/corpus) by FuzzCorpusReplayTests.
        .target(
            name: "GenesysFuzzTargets",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysAuth", "GenesysAPI", "GenesysCollectors",
                "GenesysServer", "GenesysExporter", "CCurl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Targets"
        ),
        // The assembly's tests: configuration, the orgs file, the executable's options, the fuzz corpus replay.
        .testTarget(
            name: "GenesysExporterTests",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth", "GenesysAPI",
                "GenesysCollectors", "GenesysServer", "GenesysExporter", "GenesysBaseTestSupport",
                "GenesysAuthTestSupport", "GenesysTestSupport", "GenesysSimulator", "SimulatorTestSupport",
                "GenesysFuzzTargets", "genesys-exporter",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "GenesysBase", "GenesysHTTP", "GenesysJSON", "GenesysTelemetry", "GenesysAuth", "GenesysAPI",
                "GenesysCollectors", "GenesysServer", "GenesysExporter", "GenesysBaseTestSupport",
                "GenesysAuthTestSupport", "GenesysTestSupport", "GenesysSimulator", "SimulatorTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
    ]
)

// The libFuzzer driver exists only for `GENESYS_FUZZ=1` (scripts/fuzz): libFuzzer brings its own `main`, so the
// driver has none and links only with `-sanitize=fuzzer`; a normal build or test never sees it.
if Context.environment["GENESYS_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "genesys-fuzz",
            dependencies: ["GenesysFuzzTargets"],
            path: "Fuzz/Driver",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}

for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + strict
}
