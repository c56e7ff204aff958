#!/usr/bin/env python3
"""Check the operations pack of genesys-exporter: Prometheus config, rules, alerts,
alert tests, the Grafana dashboard, and that every metric they use is really served.

Python 3 with PyYAML (Debian python3-yaml, installed by scripts/install-deps). Needs
promtool; --live and --fixture-live also need prometheus.

  scripts/ops-check.py                                 static checks, metric names from the fixture
  scripts/ops-check.py --metrics-file scrape.prom      ... from a saved scrape
  scripts/ops-check.py --metrics-url http://127.0.0.1:9985/metrics
  scripts/ops-check.py --metrics-url URL --prometheus-url http://127.0.0.1:9090
                                                       also evaluate every query on a running Prometheus
  scripts/ops-check.py --live --exporter-cmd ".build/debug/genesys-exporter --demo --web.listen-address={listen}"
                                                       start exporter + Prometheus on loopback, check, stop
  scripts/ops-check.py --fixture-live                  same, with the fixtures served by a tiny HTTP server

Without --metrics-file/--metrics-url the checks run on both fixtures: the single-org scrape
(no org label) and its multi-org shape (--config.file: two orgs, org="<name>" on every genesys_*
series except the process-wide ones). --fixture-live serves both as two targets of one job and
also checks that every dashboard panel, recording rule and alert keeps the org label.

The last line is always "ops-check: N passed, M failed"; the exit code is 1 if M > 0.
"""

import argparse
import http.server
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import yaml
except ImportError:
    sys.exit("ops-check: needs PyYAML (apt-get install python3-yaml, or scripts/install-deps)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROM_DIR = os.path.join(ROOT, "etc", "prometheus")
PROM_CONFIG = os.path.join(PROM_DIR, "prometheus.yml")
RULES = os.path.join(PROM_DIR, "rules.yml")
ALERTS = os.path.join(PROM_DIR, "alerts.yml")
ALERT_TESTS = os.path.join(PROM_DIR, "alerts.test.yml")
DASHBOARD = os.path.join(ROOT, "dashboards", "genesys-exporter.json")
RUNBOOK = os.path.join(ROOT, "docs", "runbook.md")
OPERATING = os.path.join(ROOT, "docs", "operating.md")  # lists every alert
FIXTURE = os.path.join(ROOT, "scripts", "ops-fixtures", "metrics-sample.prom")
FIXTURE_ORGS = os.path.join(ROOT, "scripts", "ops-fixtures", "metrics-sample-orgs.prom")
MAKE_FIXTURE_ORGS = os.path.join(ROOT, "scripts", "ops-fixtures", "make-orgs-fixture.py")

RUNBOOK_URL = "https://github.com/genesys-exporter/genesys-exporter/blob/main/docs/runbook.md"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SEVERITIES = ("critical", "warning", "info")
REQUIRED_ROWS = ("Token health", "API health", "Queues", "Service", "Exporter")

LIVE_DEADLINE = 85.0  # the whole --live run, seconds
EXPORTER_READY_DEADLINE = 60.0
SUBPROCESS_TIMEOUT = 60.0
MAX_PROBLEM_LINES = 40


class CheckFailed(Exception):
    """A check found a problem; the message says what and where."""


# --------------------------------------------------------------------------- YAML


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# --------------------------------------------------------------------------- helpers


def run(cmd, stdin_text=None, timeout=SUBPROCESS_TIMEOUT):
    try:
        p = subprocess.run(cmd, input=stdin_text, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise CheckFailed(f"{cmd[0]} not found (Debian: apt-get install -y prometheus)")
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{' '.join(cmd)} did not finish within {timeout:.0f}s")
    return p.returncode, (p.stdout + p.stderr).strip()


def rel(path):
    return os.path.relpath(path, ROOT)


def load_rule_groups(path):
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise CheckFailed(f"{rel(path)}: no 'groups' list")
    rules = []
    for g in data["groups"]:
        for r in g.get("rules") or []:
            rules.append(r)
    return rules


def recording_rule_names():
    return {r["record"] for r in load_rule_groups(RULES) if "record" in r}


def dashboard():
    with open(DASHBOARD, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise CheckFailed(f"{rel(DASHBOARD)} is not valid JSON: {e}")


def all_panels(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:  # panels inside collapsed rows
            yield q


def dashboard_queries(dash):
    """(where, expr) for every PromQL expression in the dashboard, variables included."""
    out = []
    for p in all_panels(dash):
        for t in p.get("targets", []) or []:
            if t.get("expr"):
                out.append((f"panel {p.get('id')} '{p.get('title')}' {t.get('refId')}", t["expr"]))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            if q:
                out.append((f"variable ${v['name']}", q))
    return out


def rule_queries():
    out = []
    for path in (RULES, ALERTS):
        for r in load_rule_groups(path):
            out.append((f"{rel(path)} {r.get('record') or r.get('alert')}", r["expr"]))
    return out


STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
GROUPING_RE = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
IDENT_RE = re.compile(r"(?<![A-Za-z0-9_:$.])[A-Za-z_:][A-Za-z0-9_:]*")
EXPORTER_METRIC_RE = re.compile(r"^(genesys_[a-z0-9_]+|process_[a-z_]+|up)$")
# Series of the whole exporter process: no org label in multi-org mode (issue 13). Every other genesys_*
# series, and every recording rule built on them, carries org="<name>" in multi-org mode.
PROCESS_WIDE_RE = re.compile(r"^(process_[a-z_]+|up|genesys_exporter_[a-z0-9_]+)$")
# Served only in multi-org mode (--config.file): a single-org exporter may lack them.
MULTI_ORG_ONLY = {"genesys_exporter_config_last_reload_successful",
                  "genesys_exporter_config_last_reload_success_timestamp_seconds",
                  "genesys_exporter_config_reloads_total", "genesys_exporter_orgs"}
# Aggregations and joins that may leave org out on purpose: (rule, clause).
ORG_CLAUSE_EXEMPT = {
    # your objectives are recorded per queue_id (ids are unique across orgs) and joined onto each org's queues
    ("queue:genesys_queue_service_level_target:ratio", "by (queue_id)"),
    ("queue:genesys_queue_service_level_target:ratio", "on (queue_id)"),
}
AGGREGATION_RE = re.compile(r"\b(sum|max|min|avg|count|group|stddev|stdvar|quantile|count_values)\s*"
                            r"(?:(by|without)\s*\(([^)]*)\))?\s*\(")
JOIN_RE = re.compile(r"\b(on|ignoring)\s*\(([^)]*)\)")


def metric_identifiers(expr):
    """Metric names in a PromQL expression (or a Grafana label_values() query)."""
    s = STRING_RE.sub('""', expr)
    s = re.sub(r"\{[^}]*\}", "{}", s)  # label matchers
    s = GROUPING_RE.sub(" ", s)
    s = re.sub(r"\[[^\]]*\]", "[]", s)  # range/subquery durations
    s = re.sub(r"\$\{?\w+\}?", " ", s)  # Grafana variables
    s = re.sub(r"\blabel_values\s*\(([^,)]*),[^)]*\)", r"\1", s)
    names = set()
    for m in IDENT_RE.finditer(s):
        tok = m.group(0)
        after = s[m.end():].lstrip()
        if after.startswith("("):  # function call
            continue
        if ":" in tok or EXPORTER_METRIC_RE.match(tok):
            names.add(tok)
    return names


def org_bearing(names, rec):
    """The metric names of an expression whose series carry org in multi-org mode."""
    return {n for n in names if (n in rec and not n.startswith("genesys:")) or
            (EXPORTER_METRIC_RE.match(n) and not PROCESS_WIDE_RE.match(n))}


def org_clause_problems(expr, owner=""):
    """Aggregations (by, or none at all) and joins (on) that drop or ignore org in an expression."""
    problems = []
    s = STRING_RE.sub('""', expr)
    for m in AGGREGATION_RE.finditer(s):
        op, mode, labels = m.group(1), m.group(2), m.group(3)
        if mode == "without":
            continue
        clause = f"by ({labels})" if mode else f"{op}(...)"
        if (owner, clause) in ORG_CLAUSE_EXEMPT:
            continue
        if not mode:
            problems.append(f"{op}(...) without by: aggregates all orgs together")
        elif "org" not in [l.strip() for l in labels.split(",")]:
            problems.append(f"{op} {clause} drops org")
    for m in JOIN_RE.finditer(s):
        kw, labels = m.group(1), m.group(2)
        clause = f"{kw} ({labels})"
        if (owner, clause) in ORG_CLAUSE_EXEMPT:
            continue
        if kw == "on" and "org" not in [l.strip() for l in labels.split(",")]:
            problems.append(f"{clause} matches series of different orgs")
    return problems


def parse_exposition(text):
    """(families {name: type}, sample names) of a Prometheus text exposition."""
    families, samples = {}, set()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == "TYPE":
                families[parts[2]] = parts[3].strip()
            continue
        m = re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line)
        if m:
            samples.add(m.group(0))
    return families, samples


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def grafana_to_promql(expr, values=None):
    """Replace Grafana's variables with values Prometheus accepts (values: {name: regex} for some of them)."""
    m = re.fullmatch(r"\s*label_values\s*\((.*),\s*(\w+)\s*\)\s*", expr)
    if m:
        expr = m.group(1)
    elif re.fullmatch(r"\s*label_values\s*\(\s*(\w+)\s*\)\s*", expr):
        expr = "up"
    for var, value in (("__rate_interval", "5m"), ("__interval", "1m"), ("__range_s", "3600"),
                       ("__range_ms", "3600000"), ("__range", "1h"), ("__interval_ms", "60000")):
        expr = expr.replace("${" + var + "}", value).replace("$" + var, value)
    for var, value in (values or {}).items():
        expr = re.sub(r"\$\{%s(:\w+)?\}|\$%s\b" % (var, var), lambda _: value, expr)
    expr = re.sub(r"\$\{(\w+)(:\w+)?\}|\$(\w+)|\[\[(\w+)\]\]", ".*", expr)
    return expr


def prom_query(base, expr, timeout=10.0):
    url = base.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        try:
            body = json.load(e)
        except Exception:
            raise CheckFailed(f"HTTP {e.code} for {expr!r}")
    except (urllib.error.URLError, OSError) as e:
        raise CheckFailed(f"cannot reach Prometheus at {base}: {e}")
    if body.get("status") != "success":
        raise CheckFailed(f"{body.get('errorType')}: {body.get('error')}")
    return body["data"]


def github_slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def runbook_anchors():
    anchors = set()
    with open(RUNBOOK, encoding="utf-8") as f:
        in_code = False
        for line in f:
            if line.startswith("```"):
                in_code = not in_code
            m = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if m and not in_code:
                anchors.add(github_slug(m.group(2)))
    return anchors


# --------------------------------------------------------------------------- checks


def check_config(ctx):
    rc, out = run([ctx.promtool, "check", "config", PROM_CONFIG])
    if rc != 0:
        raise CheckFailed(out)
    return "config and its rule files are valid"


def check_rules(ctx):
    rc, out = run([ctx.promtool, "check", "rules", RULES, ALERTS])
    if rc != 0:
        raise CheckFailed(out)
    return ", ".join(l.strip() for l in out.splitlines() if "rules found" in l)


def check_rule_tests(ctx):
    rc, out = run([ctx.promtool, "test", "rules", ALERT_TESTS])
    if rc != 0:
        raise CheckFailed(out)
    return "all unit tests pass"


def check_alert_conventions(ctx):
    problems = []
    anchors = runbook_anchors()
    alerts = [r for r in load_rule_groups(ALERTS) if "alert" in r]
    with open(OPERATING, encoding="utf-8") as f:
        operating = f.read()
    for r in alerts:
        name = r["alert"]
        labels, ann = r.get("labels") or {}, r.get("annotations") or {}
        if labels.get("severity") not in SEVERITIES:
            problems.append(f"{name}: labels.severity must be one of {SEVERITIES}")
        if not r.get("for"):
            problems.append(f"{name}: no 'for:' duration")
        if not ann.get("summary"):
            problems.append(f"{name}: no summary annotation")
        if "$value" not in (ann.get("description") or ""):
            problems.append(f"{name}: description does not show {{{{ $value }}}}")
        url = ann.get("runbook_url") or ""
        if not url.startswith(RUNBOOK_URL + "#"):
            problems.append(f"{name}: runbook_url must start with {RUNBOOK_URL}#")
        elif url.split("#", 1)[1] not in anchors:
            problems.append(f"{name}: runbook anchor #{url.split('#', 1)[1]} is not a heading in docs/runbook.md")
        if name not in operating:
            problems.append(f"{name}: not listed in docs/operating.md")
    # every alert is tested firing and not firing
    tests = load_yaml(ALERT_TESTS)
    firing, silent = set(), set()
    for t in tests.get("tests", []):
        for a in t.get("alert_rule_test", []) or []:
            (firing if a.get("exp_alerts") else silent).add(a.get("alertname"))
    for r in alerts:
        if r["alert"] not in firing:
            problems.append(f"{r['alert']}: no test case where it fires")
        if r["alert"] not in silent:
            problems.append(f"{r['alert']}: no test case with exp_alerts: [] (must not fire)")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{len(alerts)} alerts have severity, for, summary, $value, runbook anchor, docs entry, firing and silent tests"


def check_dashboard(ctx):
    dash = dashboard()
    problems = []
    if int(dash.get("schemaVersion", 0)) < 39:
        problems.append(f"schemaVersion {dash.get('schemaVersion')} < 39")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.append("no 'datasource' variable of type datasource (query prometheus)")
    for name in ("job", "instance"):
        v = variables.get(name)
        q = v and (v["query"].get("query") if isinstance(v.get("query"), dict) else v.get("query"))
        if not v or v.get("type") != "query" or "label_values(genesys_up" not in (q or ""):
            problems.append(f"no '{name}' query variable using label_values(genesys_up...)")
    # multi-org: an org variable before queue; All must also match series without org (single-org mode)
    names = [v.get("name") for v in dash.get("templating", {}).get("list", [])]
    v = variables.get("org")
    q = v and (v["query"].get("query") if isinstance(v.get("query"), dict) else v.get("query"))
    if not v or v.get("type") != "query" or not re.match(r"label_values\(genesys_up\b.*,\s*org\s*\)$", q or ""):
        problems.append("no 'org' query variable using label_values(genesys_up..., org)")
    elif not (v.get("multi") and v.get("includeAll") and v.get("allValue") == ".*"):
        problems.append("variable $org must be multi-value with All = .* (matches single-org series, which have no org)")
    if "org" in names and "queue" in names and names.index("org") > names.index("queue"):
        problems.append("variable $org must come before $queue")
    v = variables.get("queue")
    q = v and (v["query"].get("query") if isinstance(v.get("query"), dict) else v.get("query"))
    if v and 'org=~"$org"' not in (q or ""):
        problems.append("variable $queue is not filtered on org=~\"$org\"")

    # no hard-coded data source anywhere
    def walk(node, where):
        if isinstance(node, dict):
            d = node.get("datasource")
            if isinstance(d, str):
                problems.append(f"{where}: datasource given by name {d!r}")
            elif isinstance(d, dict) and d.get("uid") not in ("${datasource}", "$datasource", "-- Grafana --"):
                problems.append(f"{where}: hard-coded datasource uid {d.get('uid')!r}")
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for k, v in enumerate(node):
                walk(v, f"{where}[{k}]")
    walk(dash, "dashboard")

    ids, rows = set(), []
    rec = recording_rule_names()
    for p in all_panels(dash):
        pid, title = p.get("id"), p.get("title")
        where = f"panel {pid} '{title}'"
        if pid is None or pid in ids:
            problems.append(f"{where}: missing or duplicate id")
        ids.add(pid)
        if p.get("type") == "row":
            rows.append(title)
            continue
        defaults = (p.get("fieldConfig") or {}).get("defaults") or {}
        if not defaults.get("unit"):
            problems.append(f"{where}: no fieldConfig.defaults.unit")
        if not (p.get("description") or "").strip():
            problems.append(f"{where}: no description")
        if not ((defaults.get("thresholds") or {}).get("steps")):
            problems.append(f"{where}: no thresholds")
        pds = p.get("datasource")
        if not isinstance(pds, dict) or pds.get("type") != "prometheus":  # a wrong uid is reported by walk()
            problems.append(f"{where}: datasource must be {json.dumps(DATASOURCE)}")
        if not p.get("targets"):
            problems.append(f"{where}: no queries")
        for t in p.get("targets") or []:
            tds = t.get("datasource")
            if tds is not None and (not isinstance(tds, dict) or tds.get("type") != "prometheus"):
                problems.append(f"{where} {t.get('refId')}: target datasource must be {json.dumps(DATASOURCE)}")
            expr = t.get("expr") or ""
            # every selector must filter on the dashboard's job and instance
            stripped = STRING_RE.sub(lambda m: m.group(0) if "$" in m.group(0) else '""', expr)
            for m in re.finditer(r"(?<![A-Za-z0-9_:])([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})?", stripped):
                name, sel = m.group(1), m.group(2)
                if not (name in rec or EXPORTER_METRIC_RE.match(name)):
                    continue
                if stripped[m.end():].lstrip().startswith("("):
                    continue
                if not sel or 'job=~"$job"' not in sel or 'instance=~"$instance"' not in sel:
                    problems.append(f"{where} {t.get('refId')}: {name} is not filtered on job=~\"$job\", instance=~\"$instance\"")
                if org_bearing({name}, rec) and (not sel or 'org=~"$org"' not in sel):
                    problems.append(f"{where} {t.get('refId')}: {name} is not filtered on org=~\"$org\"")
            if org_bearing(metric_identifiers(expr), rec):
                for prob in org_clause_problems(expr):
                    problems.append(f"{where} {t.get('refId')}: {prob}")
    for r in REQUIRED_ROWS:
        if r not in rows:
            problems.append(f"no row titled {r!r}")
    if problems:
        raise CheckFailed("\n".join(problems))
    return (f"{len(ids)} panels ({len(rows)} rows), unique ids, units, descriptions, thresholds, ${{datasource}} "
            f"everywhere, $org filter and org kept in every aggregation")


def check_org_conventions(ctx):
    """Multi-org mode: every recording rule and alert on org-bearing series keeps org (aggregations group by
    it, joins match on it) and every such alert names the org in its summary."""
    problems, rules, alerts = [], 0, 0
    rec = recording_rule_names()
    for path in (RULES, ALERTS):
        for r in load_rule_groups(path):
            owner = r.get("record") or r.get("alert")
            if not org_bearing(metric_identifiers(r["expr"]), rec):
                continue
            for prob in org_clause_problems(r["expr"], owner):
                problems.append(f"{rel(path)} {owner}: {prob}")
            if "alert" in r:
                alerts += 1
                if "$labels.org" not in ((r.get("annotations") or {}).get("summary") or ""):
                    problems.append(f"{rel(path)} {owner}: summary does not mention {{{{ $labels.org }}}}")
            else:
                rules += 1
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{rules} recording rules and {alerts} alerts on per-org series keep org; the alerts name it in their summary"


def check_metric_names(ctx):
    text = ctx.metrics_text()
    families, samples = parse_exposition(text)
    if not samples:
        raise CheckFailed(f"{ctx.metrics_source}: no samples")
    rec = recording_rule_names()
    problems, used, multi_only = [], set(), set()
    for where, expr in dashboard_queries(dashboard()) + rule_queries():
        for name in metric_identifiers(expr):
            used.add(name)
            if ":" in name:
                if name not in rec:
                    problems.append(f"{where}: {name} is not a recording rule in {rel(RULES)}")
                continue
            if name == "up" or name in samples or name in families:
                continue
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if base != name and families.get(base) in ("histogram", "summary"):
                continue
            if name in MULTI_ORG_ONLY and not ctx.is_fixture:
                multi_only.add(name)  # a single-org exporter need not serve them
                continue
            problems.append(f"{where}: {name} is not in {ctx.metrics_source}")
    if problems:
        raise CheckFailed("\n".join(sorted(set(problems))))
    unused = sorted(f for f in families if f not in used and not any(u.startswith(f + "_") for u in used))
    note = f"; served but unused: {', '.join(unused)}" if unused else ""
    if multi_only:
        note += f"; not served (multi-org mode only): {', '.join(sorted(multi_only))}"
    return f"{len(used)} metric names used by dashboard and rules all exist in {ctx.metrics_source}{note}"


def check_orgs_fixture(ctx):
    """The multi-org fixture is what make-orgs-fixture.py makes of the single-org one, and has the right shape."""
    rc, out = run([sys.executable, MAKE_FIXTURE_ORGS, "--check"])
    if rc != 0:
        raise CheckFailed(out)
    with open(FIXTURE_ORGS, encoding="utf-8") as f:
        text = f.read()
    problems, orgs = [], set()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?', line)
        name, labels = m.group(1), m.group(2) or ""
        o = re.search(r'(?:^\{|,)org="([^"]*)"', labels)
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if PROCESS_WIDE_RE.match(name) or PROCESS_WIDE_RE.match(base):
            if o:
                problems.append(f"process-wide series has an org label: {line}")
        elif name.startswith("genesys_"):
            if not o:
                problems.append(f"no org label: {line}")
            else:
                orgs.add(o.group(1))
    if len(orgs) < 2:
        problems.append(f"want two orgs or more, found {sorted(orgs)}")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{rel(FIXTURE_ORGS)} is up to date; orgs {', '.join(sorted(orgs))} on every genesys_* series, none on process-wide ones"


def check_exposition_lint(ctx):
    rc, out = run([ctx.promtool, "check", "metrics"], stdin_text=ctx.metrics_text())
    if rc != 0:
        raise CheckFailed(f"promtool check metrics on {ctx.metrics_source}:\n{out}")
    return f"promtool check metrics is clean on {ctx.metrics_source}"


def check_queries(ctx):
    base, job = ctx.prometheus_url, ctx.job
    problems, empty = [], 0
    queries = dashboard_queries(dashboard()) + rule_queries()
    for where, expr in queries:
        promql = grafana_to_promql(expr)
        try:
            data = prom_query(base, promql)
        except CheckFailed as e:
            problems.append(f"{where}: {e}\n    query: {promql}")
            continue
        if not data.get("result"):
            empty += 1
    up = prom_query(base, f'up{{job="{job}"}}')["result"]
    if not up:
        problems.append(f'up{{job="{job}"}} has no series: Prometheus does not scrape the exporter under job "{job}"')
    for s in up:
        if float(s["value"][1]) != 1:
            problems.append(f"up{{job=\"{job}\", instance=\"{s['metric'].get('instance')}\"}} is {s['value'][1]}, want 1")
    if not prom_query(base, f'genesys_token_expires_in_seconds{{job="{job}"}}')["result"]:
        problems.append(f'genesys_token_expires_in_seconds{{job="{job}"}} is missing')
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{len(queries)} queries evaluated without error ({empty} returned no data yet); up == 1; token gauge present"


def check_org_kept(ctx):
    """On the target serving the multi-org fixture: every dashboard query, recording rule and alert over
    per-org series returns only series that carry org (nothing aggregates orgs together)."""
    base, target = ctx.prometheus_url, ctx.org_target
    rec = recording_rule_names()
    problems, checked, seen_orgs = [], 0, set()
    queries = [(w, grafana_to_promql(e, {"instance": re.escape(target).replace("\\", "\\\\")})) for w, e in dashboard_queries(dashboard())]
    queries += [(f"{rel(RULES)} {r}", f'{{__name__="{r}", instance="{target}"}}') for r in sorted(rec)
                if not r.startswith("genesys:")]
    queries += [(w, e) for w, e in rule_queries() if w.startswith(rel(ALERTS))]
    for where, promql in queries:
        if where.startswith("variable "):
            continue
        if not org_bearing(metric_identifiers(promql), rec) and "__name__" not in promql:
            continue
        try:
            result = prom_query(base, promql)["result"]
        except CheckFailed as e:
            problems.append(f"{where}: {e}\n    query: {promql}")
            continue
        checked += 1
        for series in result:
            labels = series.get("metric", {})
            if labels.get("instance") not in (None, target):
                continue  # an alert also sees the single-org target, whose series have no org
            if not labels.get("org"):
                problems.append(f"{where}: a result series has no org label: {labels}\n    query: {promql}")
                break
            seen_orgs.add(labels["org"])
    if len(seen_orgs) < 2:
        problems.append(f"saw orgs {sorted(seen_orgs)} in the results, want the fixture's two")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{checked} queries on the multi-org target keep org (orgs seen: {', '.join(sorted(seen_orgs))})"


# --------------------------------------------------------------------------- live mode


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, predicate, deadline, interval=0.2):
    """Poll predicate() until it returns a true value or the monotonic deadline passes."""
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except CheckFailed:  # fatal, e.g. the process exited
            raise
        except Exception as e:  # not ready yet
            last_error = e
        time.sleep(interval)
    raise CheckFailed(f"timed out waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def http_ok(url):
    try:
        status, _ = http_get(url, timeout=2.0)
        return status == 200
    except (urllib.error.URLError, OSError):
        return False


class FixtureServer:
    """Serves a metrics file like the exporter does: /metrics, /-/healthy, /-/ready."""

    def __init__(self, path, port):
        with open(path, "rb") as f:
            body = f.read()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.split("?")[0] == "/metrics":
                    self.reply(200, body, "text/plain; version=0.0.4; charset=utf-8")
                elif self.path in ("/-/healthy", "/-/ready"):
                    self.reply(200, b"OK\n", "text/plain")
                else:
                    self.reply(404, b"not found\n", "text/plain")

            def reply(self, code, data, ctype):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def start_process(cmd, log_path):
    log = open(log_path, "wb")
    try:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    except FileNotFoundError:
        raise CheckFailed(f"{cmd[0]} not found")
    finally:
        log.close()


def stop_process(proc):
    """SIGTERM the process group we started, SIGKILL it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def tail(path, n=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class LiveStack:
    """Exporter (or fixture server) and Prometheus on loopback ports, in temporary dirs."""

    def __init__(self, ctx, args):
        self.ctx, self.args = ctx, args
        self.tmp = tempfile.mkdtemp(prefix="ops-check-")
        self.exporter = self.fixture = self.fixture_orgs = self.prometheus = None
        self.org_listen = None
        self.deadline = time.monotonic() + LIVE_DEADLINE

    def remaining(self, cap):
        return min(time.monotonic() + cap, self.deadline)

    def start(self):
        exporter_port, prom_port = free_port(), free_port()
        listen = f"127.0.0.1:{exporter_port}"
        self.exporter_url = f"http://{listen}"
        self.exporter_log = os.path.join(self.tmp, "exporter.log")
        targets = [listen]
        if self.args.fixture_live:
            self.fixture = FixtureServer(self.args.metrics_file or FIXTURE, exporter_port)
            if not self.args.metrics_file:  # also the multi-org shape, as a second target of the job
                org_port = free_port()
                self.org_listen = f"127.0.0.1:{org_port}"
                self.fixture_orgs = FixtureServer(FIXTURE_ORGS, org_port)
                targets.append(self.org_listen)
        else:
            cmd = shlex.split(self.args.exporter_cmd.replace("{listen}", listen))
            print(f"       starting exporter: {shlex.join(cmd)}", flush=True)
            self.exporter = start_process(cmd, self.exporter_log)

        def exporter_ready():
            if self.exporter and self.exporter.poll() is not None:
                raise CheckFailed(f"exporter exited with {self.exporter.returncode}:\n{tail(self.exporter_log)}")
            return http_ok(self.exporter_url + "/-/ready")
        try:
            wait_until(f"{self.exporter_url}/-/ready", exporter_ready, self.remaining(EXPORTER_READY_DEADLINE))
        except CheckFailed as e:
            if self.exporter and self.exporter.poll() is None:
                raise CheckFailed(f"{e}; exporter log:\n{tail(self.exporter_log)}")
            raise

        config = os.path.join(self.tmp, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                f"rule_files:\n  - {json.dumps(RULES)}\n  - {json.dumps(ALERTS)}\n"
                f"scrape_configs:\n  - job_name: {json.dumps(self.ctx.job)}\n"
                f"    static_configs:\n      - targets: [{', '.join(json.dumps(t) for t in targets)}]\n")
        self.prom_url = f"http://127.0.0.1:{prom_port}"
        self.prom_log = os.path.join(self.tmp, "prometheus.log")
        cmd = [self.ctx.prometheus, f"--config.file={config}", f"--storage.tsdb.path={os.path.join(self.tmp, 'data')}",
               f"--web.listen-address=127.0.0.1:{prom_port}", "--storage.tsdb.retention.time=1h", "--log.level=warn"]
        print(f"       starting prometheus on 127.0.0.1:{prom_port}", flush=True)
        self.prometheus = start_process(cmd, self.prom_log)

        def prom_ready():
            if self.prometheus.poll() is not None:
                raise CheckFailed(f"prometheus exited with {self.prometheus.returncode}:\n{tail(self.prom_log)}")
            return http_ok(self.prom_url + "/-/ready")
        wait_until("Prometheus /-/ready", prom_ready, self.remaining(30))

        def scraped_twice():
            r = prom_query(self.prom_url, f'count_over_time(up{{job="{self.ctx.job}"}}[5m])')["result"]
            return len(r) == len(targets) and all(float(s["value"][1]) >= 2 for s in r)
        wait_until("two scrapes of every target", scraped_twice, self.remaining(30))
        _, self.scrape = http_get(self.exporter_url + "/metrics", timeout=10)
        self.scrape_orgs = None
        if self.org_listen:
            _, self.scrape_orgs = http_get(f"http://{self.org_listen}/metrics", timeout=10)

    def stop(self):
        stop_process(self.prometheus)
        stop_process(self.exporter)
        for server in (self.fixture, self.fixture_orgs):
            if server:
                server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------- main


class Context:
    def __init__(self, args, fixture=FIXTURE):
        self.args = args
        self.promtool = args.promtool or shutil.which("promtool") or "promtool"
        self.prometheus = args.prometheus or shutil.which("prometheus") or "prometheus"
        self.job = args.job
        self.prometheus_url = args.prometheus_url
        self._metrics = None
        self.metrics_file = args.metrics_file or fixture
        self.is_fixture = not (args.metrics_url or args.metrics_file)  # one of the shipped fixtures
        self.org_target = None  # --fixture-live: the target serving the multi-org fixture
        if args.metrics_url:
            self.metrics_source = args.metrics_url
        else:
            self.metrics_source = rel(os.path.abspath(self.metrics_file))

    def metrics_text(self):
        if self._metrics is None:
            if self.args.metrics_url:
                try:
                    _, self._metrics = http_get(self.args.metrics_url, timeout=10)
                except (urllib.error.URLError, OSError) as e:
                    raise CheckFailed(f"cannot fetch {self.args.metrics_url}: {e}")
            else:
                try:
                    with open(self.metrics_file, encoding="utf-8") as f:
                        self._metrics = f.read()
                except OSError as e:
                    raise CheckFailed(str(e))
        return self._metrics


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__[__doc__.index("  scripts/ops-check.py "):])
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--metrics-file", metavar="PATH", help="exposition text to check metric names against "
                     f"(default: {rel(FIXTURE)})")
    src.add_argument("--metrics-url", metavar="URL", help="fetch the exposition from the exporter instead")
    ap.add_argument("--prometheus-url", metavar="URL", help="a running Prometheus that scrapes the exporter: "
                    "evaluate every dashboard and alert query on it")
    ap.add_argument("--job", default="genesys", help="scrape job name of the exporter (default: genesys)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true", help="start the exporter (--exporter-cmd) and Prometheus "
                      "on loopback, check everything against them, stop them")
    mode.add_argument("--fixture-live", action="store_true", help="like --live, but serve --metrics-file "
                      "(default the fixture) from a small HTTP server instead of running the exporter")
    ap.add_argument("--exporter-cmd", metavar="CMD", help="command line starting the exporter in demo mode; "
                    "{listen} is replaced by 127.0.0.1:PORT")
    ap.add_argument("--promtool", help="path to promtool (default: from PATH)")
    ap.add_argument("--prometheus", help="path to prometheus (default: from PATH)")
    args = ap.parse_args()
    if args.live and not args.exporter_cmd:
        ap.error("--live needs --exporter-cmd")
    if args.live and "{listen}" not in args.exporter_cmd:
        ap.error("--exporter-cmd must contain {listen}")
    if (args.live or args.fixture_live) and (args.prometheus_url or args.metrics_url):
        ap.error("--live/--fixture-live start their own exporter and Prometheus")

    ctx = Context(args)
    passed, failed = [], []

    def check(name, fn):
        try:
            detail = fn(ctx)
        except CheckFailed as e:
            failed.append(name)
            lines = str(e).splitlines()
            if len(lines) > MAX_PROBLEM_LINES:
                lines = lines[:MAX_PROBLEM_LINES] + [f"... and {len(lines) - MAX_PROBLEM_LINES} more lines"]
            msg = "\n       ".join(lines)
            print(f"FAIL  {name}\n       {msg}", flush=True)
        except Exception as e:  # a bug or an unreadable file: report it as a failure, not a traceback
            failed.append(name)
            print(f"FAIL  {name}\n       {type(e).__name__}: {e}", flush=True)
        else:
            passed.append(name)
            print(f"ok    {name}: {detail}", flush=True)

    check("promtool check config", check_config)
    check("promtool check rules", check_rules)
    check("promtool test rules", check_rule_tests)
    check("alert conventions", check_alert_conventions)
    check("org label conventions", check_org_conventions)
    check("dashboard lint", check_dashboard)

    stack = None
    try:
        if args.live or args.fixture_live:
            stack = LiveStack(ctx, args)
            try:
                stack.start()
            except CheckFailed as e:
                failed.append("live stack")
                print(f"FAIL  live stack\n       {str(e).replace(chr(10), chr(10) + '       ')}", flush=True)
            else:
                passed.append("live stack")
                orgs = f" and the multi-org fixture at http://{stack.org_listen}" if stack.org_listen else ""
                print(f"ok    live stack: exporter at {stack.exporter_url}{orgs}, Prometheus at {stack.prom_url}, "
                      "scraped twice")
                ctx._metrics = stack.scrape
                ctx.metrics_source = "the live scrape"
                ctx.is_fixture = bool(args.fixture_live and not args.metrics_file)
                ctx.prometheus_url = stack.prom_url
                check("metric names exist", check_metric_names)
                check("promtool check metrics", check_exposition_lint)
                if stack.org_listen:
                    ctx_orgs = Context(args, FIXTURE_ORGS)
                    ctx_orgs._metrics, ctx_orgs.metrics_source = stack.scrape_orgs, "the live multi-org scrape"
                    check("metric names exist (multi-org)", lambda _: check_metric_names(ctx_orgs))
                    check("promtool check metrics (multi-org)", lambda _: check_exposition_lint(ctx_orgs))
                check("queries evaluate on Prometheus", check_queries)
                if stack.org_listen:
                    ctx.org_target = stack.org_listen
                    check("org label kept (multi-org target)", check_org_kept)
        else:
            check("metric names exist", check_metric_names)
            check("promtool check metrics", check_exposition_lint)
            if ctx.is_fixture:
                ctx_orgs = Context(args, FIXTURE_ORGS)
                check("multi-org fixture shape", check_orgs_fixture)
                check("metric names exist (multi-org)", lambda _: check_metric_names(ctx_orgs))
                check("promtool check metrics (multi-org)", lambda _: check_exposition_lint(ctx_orgs))
            if args.prometheus_url:
                check("queries evaluate on Prometheus", check_queries)
    finally:
        if stack:
            stack.stop()

    print(f"ops-check: {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
