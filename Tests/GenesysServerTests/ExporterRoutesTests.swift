import GenesysServer
import GenesysTelemetry
import Synchronization
import Testing

@Suite("Routes: ?org= picks one org, POST /-/reload reloads")
struct ExporterRoutesTests {
    static func routes(reload: (@Sendable () -> (ok: Bool, message: String))? = nil) -> ExporterRoutes {
        ExporterRoutes(
            renderMetrics: { encoding, _, org in
                switch org {
                case nil: RenderedExposition(page: Array("all\n".utf8), encoding: encoding)
                case "acme", "a b": RenderedExposition(page: Array("\(org!)\n".utf8), encoding: encoding)
                default: nil
                }
            }, readiness: { (true, "") }, reload: reload)
    }

    @Test func test_orgQuery_selectsTheOrg_andAnUnknownOrgIs404() {
        let routes = Self.routes()
        #expect(routes.reply(method: "GET", path: "/metrics").body == Array("all\n".utf8))
        #expect(routes.reply(method: "GET", path: "/metrics?org=acme").body == Array("acme\n".utf8))
        #expect(routes.reply(method: "GET", path: "/metrics?x=1&org=a%20b").body == Array("a b\n".utf8))
        let unknown = routes.reply(method: "GET", path: "/metrics?org=%3Cscript%3E")
        #expect(unknown.status == 404)
        #expect(routes.reply(method: "GET", path: "/metrics?org=%zz").status == 404, "bad escapes name no org")
    }

    @Test func test_reload_onlyWithPOST_andItsOutcomeIsTheStatus() {
        let calls = Mutex(0)
        let outcomes = Mutex([(true, "3 orgs"), (false, "orgs.yml: line 2: bad")])
        let routes = Self.routes(reload: {
            calls.withLock { $0 += 1 }
            return outcomes.withLock { $0.removeFirst() }
        })
        #expect(routes.reply(method: "GET", path: "/-/reload").status == 405)
        #expect(calls.withLock { $0 } == 0, "a GET never reloads")
        let ok = routes.reply(method: "POST", path: "/-/reload")
        #expect(ok.status == 200 && String(decoding: ok.body, as: UTF8.self) == "Reloaded: 3 orgs\n")
        let failed = routes.reply(method: "POST", path: "/-/reload")
        #expect(failed.status == 500 && String(decoding: failed.body, as: UTF8.self).contains("line 2"))
        #expect(Self.routes().reply(method: "POST", path: "/-/reload").status == 404, "single-org: nothing to reload")
    }
}
