import GenesysBase

/// The landing page as a status page, as blackbox_exporter's lists recent probes: per org the token's expiry and per
/// collector its state, last success, last failure with its reason, and next poll; the build and the links on top.
/// Every text that comes from outside the binary (org names, failure reasons, the API URL) is HTML-escaped. Built
/// from a `StatusSnapshot`, so rendering reads no more than a few numbers per collector.
package enum StatusPageHTML {
    /// - Parameter snapshot: nil for a server that has no collectors behind it (tests): build and links only.
    package static func render(_ snapshot: StatusSnapshot?, telemetryPath: String, version: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Genesys Cloud Exporter</title>
            <style>
            body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}
            th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top;white-space:nowrap}
            th{background:#f3f3f3}
            .up{color:#17692b;font-weight:bold}.down{color:#b00020;font-weight:bold}.waiting{color:#8a6d00}
            .reason{font-family:monospace;font-size:.9em;max-width:40em;white-space:normal;overflow-wrap:anywhere}
            </style></head>
            <body><h1>Genesys Cloud Exporter</h1>
            <p>Version \(escape(version))</p>
            <ul><li><a href="\(escape(telemetryPath))">Metrics</a></li><li><a href="/-/healthy">Health</a></li>\
            <li><a href="/-/ready">Readiness</a></li></ul>

            """
        guard let snapshot else { return html + "</body></html>\n" }
        html += "<p>Status at \(escape(timestamp(snapshot.now))); times are UTC.</p>\n"
        if snapshot.orgs.isEmpty { html += "<p>No org is monitored yet.</p>\n" }
        for org in snapshot.orgs {
            html += section(org, now: snapshot.now, telemetryPath: telemetryPath)
        }
        html += "</body></html>\n"
        return html
    }

    private static func section(_ org: StatusSnapshot.Org, now: Double, telemetryPath: String) -> String {
        var html = ""
        if let name = org.name {
            html +=
                "<h2>Org \(escape(name)) <small>(<a href=\"\(escape(telemetryPath))?org=\(PercentEncoding.encode(name))\">"
            html += "metrics</a>)</small></h2>\n"
        } else {
            html += "<h2>Org</h2>\n"
        }
        html += "<p>API \(escape(org.apiBaseURL)). Access token: "
        if let expiry = org.tokenExpiry {
            let verb = expiry >= now ? "expires" : "expired"
            html += "\(verb) \(escape(timestamp(expiry))) (\(relative(expiry, now: now)))"
        } else {
            html += "none yet"
        }
        if let reason = org.tokenFailureReason {
            html += "; last token request failed: <span class=\"down\">\(escape(reason))</span>"
        }
        html += ".</p>\n"
        html += "<table><tr><th>Collector</th><th>State</th><th>Last success</th><th>Last failure</th>"
        html += "<th>Next poll</th></tr>\n"
        for collector in org.collectors {
            html += "<tr><td>\(escape(collector.name))</td>"
            switch collector.up {
            case true?: html += "<td class=\"up\">up</td>"
            case false?: html += "<td class=\"down\">down</td>"
            case nil: html += "<td class=\"waiting\">first poll running</td>"
            }
            html += "<td>\(moment(collector.lastSuccess, now: now))</td><td>"
            html += moment(collector.lastFailure, now: now)
            if let reason = collector.lastFailureReason {
                html += "<div class=\"reason\">\(escape(reason))</div>"
            }
            html += "</td><td>\(collector.nextPoll.map { moment($0, now: now) } ?? "polling now")</td></tr>\n"
        }
        html += "</table>\n"
        return html
    }

    private static func moment(_ unix: Double?, now: Double) -> String {
        guard let unix else { return "never" }
        return "\(escape(timestamp(unix))) (\(relative(unix, now: now)))"
    }

    /// `2026-12-04 17:30:05`; a value that is not a time at all shows as `?`.
    static func timestamp(_ unix: Double) -> String {
        guard unix.isFinite, abs(unix) < 1e12 else { return "?" }
        let iso = UTCTimestamp.format(unixMillis: Int64((unix * 1000).rounded()))
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(8)
    }

    /// `12 s ago`, `in 4 min 5 s`, `in 23 h 59 min`.
    static func relative(_ unix: Double, now: Double) -> String {
        let difference = unix - now
        guard difference.isFinite, abs(difference) < 1e9 else { return "?" }
        let seconds = Int(abs(difference).rounded())
        let text: String
        switch seconds {
        case ..<60: text = "\(seconds) s"
        case ..<3600: text = "\(seconds / 60) min \(seconds % 60) s"
        case ..<86_400: text = "\(seconds / 3600) h \(seconds / 60 % 60) min"
        default: text = "\(seconds / 86_400) d \(seconds / 3600 % 24) h"
        }
        return difference >= 0 ? "in \(text)" : "\(text) ago"
    }

    /// The five characters HTML gives meaning to, in text and in quoted attributes.
    package static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
