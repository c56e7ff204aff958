import Foundation
import GenesysServer
import Testing

@Suite("Basic auth and headers from --web.config.file")
struct WebBasicAuthTests {
    static func webConfig(_ yaml: String) throws -> (WebConfigSource, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-auth-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: "\(directory)/web.yml"))
        return (try WebConfigSource(path: "\(directory)/web.yml"), directory)
    }

    @Test func test_rightPassword200_wrongOrMissing401WithABasicChallenge_everyPath() async throws {
        let (web, directory) = try Self.webConfig(
            "basic_auth_users:\n  \(TestCredentials.user): \(TestCredentials.hashCost4)\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withWebServer(webConfig: web) { _, port in
            let right = try await RawHTTP.send(
                port: port, method: "GET", path: "/metrics",
                headers: [("Authorization", TestCredentials.basicAuthorization())])
            #expect(right.status == 200)
            #expect(String(decoding: right.body, as: UTF8.self) == "test_metric 1\n")
            for path in ["/metrics", "/-/ready", "/-/healthy", "/"] {
                let missing = try await RawHTTP.send(port: port, method: "GET", path: path)
                #expect(missing.status == 401, "\(path)")
                #expect(missing.headers["www-authenticate"] == "Basic")
                #expect(
                    String(decoding: missing.body, as: UTF8.self) == "401 Unauthorized\n",
                    "terse for unauthenticated callers")
            }
            let wrong = try await RawHTTP.send(
                port: port, method: "GET", path: "/metrics",
                headers: [("Authorization", TestCredentials.basicAuthorization(password: "guess"))])
            #expect(wrong.status == 401)
            #expect(wrong.headers["www-authenticate"] == "Basic")
            let unknownUser = try await RawHTTP.send(
                port: port, method: "GET", path: "/metrics",
                headers: [("Authorization", TestCredentials.basicAuthorization(user: "mallory"))])
            #expect(unknownUser.status == 401)
            let garbage = try await RawHTTP.send(
                port: port, method: "GET", path: "/metrics", headers: [("Authorization", "Basic !!!")])
            #expect(garbage.status == 401)
        }
    }

    @Test(arguments: ["$2a$", "$2b$", "$2y$"])
    func test_everyBcryptPrefix_isAccepted(_ prefix: String) async throws {
        let hash = prefix + TestCredentials.hashCost4.dropFirst(4)
        let (web, directory) = try Self.webConfig("basic_auth_users:\n  \(TestCredentials.user): '\(hash)'\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withWebServer(webConfig: web) { _, port in
            let reply = try await RawHTTP.send(
                port: port, method: "GET", path: "/metrics",
                headers: [("Authorization", TestCredentials.basicAuthorization())])
            #expect(reply.status == 200)
        }
    }

    @Test func test_thousandScrapesWithTheRightPassword_costOneBcrypt() async throws {
        let (web, directory) = try Self.webConfig(
            "basic_auth_users:\n  \(TestCredentials.user): \(TestCredentials.hashCost10)\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withWebServer(webConfig: web) { _, port in
            let started = ContinuousClock.now
            // Mostly on one kept-alive connection, as Prometheus scrapes; some on fresh ones (the verdict is not per connection).
            let connection = try RawConnection(port: port)
            let request =
                "GET /metrics HTTP/1.1\r\nHost: test\r\nAuthorization: \(TestCredentials.basicAuthorization())\r\n\r\n"
            for _ in 0..<990 { #expect(try await connection.exchange(request).status == 200) }
            for _ in 0..<10 {
                let reply = try await RawHTTP.send(
                    port: port, method: "GET", path: "/metrics",
                    headers: [("Authorization", TestCredentials.basicAuthorization())])
                #expect(reply.status == 200)
            }
            #expect(web.bcrypt.computations == 1, "bcrypt ran \(web.bcrypt.computations) times for 1,000 scrapes")
            print(
                "1,000 authenticated scrapes took \(ContinuousClock.now - started); bcrypt computations: \(web.bcrypt.computations)"
            )
        }
    }

    @Test func test_aUserRemovedFromTheFile_isRefusedOnAnAlreadyOpenConnection() async throws {
        let (web, directory) = try Self.webConfig(
            "basic_auth_users:\n  \(TestCredentials.user): \(TestCredentials.hashCost4)\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withWebServer(webConfig: web) { _, port in
            let connection = try RawConnection(port: port)
            let request =
                "GET /metrics HTTP/1.1\r\nHost: test\r\nAuthorization: \(TestCredentials.basicAuthorization())\r\n\r\n"
            #expect(try await connection.exchange(request).status == 200)
            try Data("basic_auth_users:\n  someone-else: \(TestCredentials.hashCost4)\n".utf8)
                .write(to: URL(fileURLWithPath: "\(directory)/web.yml"), options: .atomic)
            try await awaitCondition("a new connection being refused") {
                try await RawHTTP.send(
                    port: port, method: "GET", path: "/metrics",
                    headers: [("Authorization", TestCredentials.basicAuthorization())]
                ).status == 401
            }
            #expect(try await connection.exchange(request).status == 401)
        }
    }

    @Test func test_configuredSecurityHeaders_areOnEveryAnswer_including401() async throws {
        let (web, directory) = try Self.webConfig(
            """
            basic_auth_users:
              \(TestCredentials.user): \(TestCredentials.hashCost4)
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
                Strict-Transport-Security: max-age=31536000
            """)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withWebServer(webConfig: web) { _, port in
            let denied = try await RawHTTP.send(port: port, method: "GET", path: "/metrics")
            #expect(denied.headers["x-content-type-options"] == "nosniff")
            let allowed = try await RawHTTP.send(
                port: port, method: "GET", path: "/metrics",
                headers: [("Authorization", TestCredentials.basicAuthorization())])
            #expect(allowed.headers["strict-transport-security"] == "max-age=31536000")
        }
    }

    @Test func test_tlsAndBasicAuthTogether_withCurl() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        try fixtures.writeTLSAndBasicAuthConfig()
        let web = try WebConfigSource(path: fixtures.path("web.yml"))
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let right = try await curl([
                "--cacert", fixtures.path("ca.crt"), "-u", "\(TestCredentials.user):\(TestCredentials.password)", "-w",
                "%{http_code}", url,
            ])
            #expect(right.stdout == "test_metric 1\n200")
            let wrong = try await curl([
                "--cacert", fixtures.path("ca.crt"), "-u", "\(TestCredentials.user):nope", "-o", "/dev/null", "-w",
                "%{http_code}", url,
            ])
            #expect(wrong.stdout == "401")
        }
    }
}
