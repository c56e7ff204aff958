import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth
@testable import GenesysJSON

/// No credential ever reaches a log line, an error message or the scrape: driven through successes and every kind of failure.
@Suite("Token secrecy")
struct TokenSecrecyTests {
    /// Everything a user could read, and every credential that must not be in it.
    private final class Exposure {  // used by one test task only, never shared across tasks
        var texts: [String] = []
        var credentials: Set<String> = []

        func add(_ error: some Error) { texts.append("\(error)"); texts.append(String(reflecting: error)) }
        func credential(_ value: String?) { if let value, !value.isEmpty { credentials.insert(value) } }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_credentials_neverAppearInLogsErrorsOrTheScrape() async throws {
        let clientSecret = "client-secret-\(UUID().uuidString)"
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = LogCapture()
        let exposure = Exposure()
        exposure.credential(clientSecret)

        try await withSimulator(SimulatorConfiguration(clientSecret: clientSecret)) { sim in
            // client_credentials: success, revocation, malformed body, 5xx, reset, timeout.
            var configuration = try sim.tokenConfiguration(
                cacheFile: directory + "/cc.json", backoffInitial: .milliseconds(20))
            configuration.requestTimeout = .seconds(2)
            let rig = TokenRig(configuration, logger: capture.logger())
            defer { rig.shutdown() }
            let api = rig.apiClient(sim, logger: capture.logger(label: "genesys.api"))
            _ = try await api.get(.tokensMe)
            exposure.credential(await rig.provider.currentToken?.value.exposedValue)
            sim.revokeAllTokens()
            _ = try await api.get(.tokensMe)
            exposure.credential(await rig.provider.currentToken?.value.exposedValue)
            for fault in [SimulatorFault.malformedBody, .status(500), .connectionReset, .hang] {
                sim.inject(fault, path: "/oauth/token", count: 1)
                sim.revokeAllTokens()
                do { _ = try await api.get(.tokensMe) } catch { exposure.add(error) }
                if let error = await rig.provider.lastError { exposure.add(error) }
                #expect(await eventually { (try? await api.get(.tokensMe)) != nil })
                exposure.credential(await rig.provider.currentToken?.value.exposedValue)
            }
            exposure.texts.append(rig.rendered())

            // A cache file cut off inside the token it holds (jansson quotes up to 20 characters of where it stopped).
            let liveToken = try #require(await rig.provider.currentToken?.value.exposedValue)
            let fragment = String(liveToken.prefix(16))
            exposure.credential(fragment)
            let corruptFile = directory + "/corrupt.json"
            try Data(#"{"version":1,"access_token":"\#(fragment)"#.utf8).write(to: URL(fileURLWithPath: corruptFile))
            #expect(chmod(corruptFile, 0o600) == 0)  // private, so it reaches the JSON parser
            let corrupt = try TokenRig(sim.tokenConfiguration(cacheFile: corruptFile), logger: capture.logger())
            defer { corrupt.shutdown() }
            _ = try await corrupt.provider.validToken()
            exposure.credential(await corrupt.provider.currentToken?.value.exposedValue)

            // An unwritable cache path.
            let unwritable = try TokenRig(
                sim.tokenConfiguration(cacheFile: corruptFile + "/nested/token.json"), logger: capture.logger())
            defer { unwritable.shutdown() }
            exposure.credential(try await unwritable.provider.validToken().value.exposedValue)
            #expect(capture.all.contains { $0.contains("cannot write token cache file") })

            // A wrong secret.
            let wrongSecret = "wrong-secret-\(UUID().uuidString)"
            exposure.credential(wrongSecret)
            let wrong = try TokenRig(sim.tokenConfiguration(secret: wrongSecret), logger: capture.logger())
            defer { wrong.shutdown() }
            do { _ = try await wrong.provider.validToken() } catch { exposure.add(error) }
            do { _ = try await wrong.apiClient(sim, logger: capture.logger(label: "genesys.api")).get(.tokensMe) } catch
            { exposure.add(error) }
            exposure.texts.append(wrong.rendered())

            // The refresh_token grant: rotation, then revocation.
            let refreshToken = sim.issueRefreshToken()
            exposure.credential(refreshToken)
            let refreshFile = directory + "/rt.json"
            let user = try TokenRig(
                sim.tokenConfiguration(grant: .refreshToken, refreshToken: refreshToken, cacheFile: refreshFile),
                logger: capture.logger())
            defer { user.shutdown() }
            let userToken = try await user.provider.validToken()
            exposure.credential(userToken.value.exposedValue)
            if case .loaded(let entry) = TokenCache(path: refreshFile).load() {
                exposure.credential(entry.refreshToken?.exposedValue)
            }
            sim.revokeRefreshTokens()
            await user.provider.invalidate(userToken)
            do { _ = try await user.provider.validToken() } catch { exposure.add(error) }
            exposure.texts.append(user.rendered())
            exposure.texts.append(corrupt.rendered())
            exposure.texts.append(String(describing: userToken))
        }

        let texts = exposure.texts + capture.all
        #expect(capture.all.count >= 10)
        #expect(exposure.credentials.count >= 8)  // 2 secrets, 6+ access tokens, 2 refresh tokens
        for credential in exposure.credentials {
            for text in texts where text.contains(credential) {
                Issue.record("a credential leaked into: \(text)")
            }
        }
    }
}
