#!/usr/bin/env python3
"""Hold the simulator, and the exporter's queries, to the official Genesys Cloud Python SDK.

Run through scripts/sdk-check, which keeps the pinned SDK (scripts/sdk-check-requirements.txt) in a venv at
.build-sdk/venv; docs/sdk-check.md says what is checked and how to bump the pin.

  scripts/sdk-check --simulator .build/debug/genesys-simulator --exporter .build/debug/genesys-exporter

(a) Answers: starts the simulator on a free loopback port, calls every endpoint it serves and reads each answer
    into the model the SDK's own API method returns for that path (found in the SDK's apis/*.py), with the SDK's
    ApiClient. Fails on an enum value the SDK does not know (its setters store "outdated_sdk_version"; checked
    here with exact case, the SDK ignores case), on a JSON key the model does not have, on a value of the wrong
    JSON type, and on metric names, group keys and qualifiers outside the SDK's lists.
(b) Queries: runs the exporter against the same simulator with every collector on; the simulator records each
    API request (--record-requests). Every exporter request must be an SDK operation (method and path), and
    every body is read into the SDK's body model for that operation and checked the same way, plus the lists
    the query models leave unchecked: metric names, detail metrics, groupBy dimensions, granularity, interval.
(c) Notifications: on a second simulator (--moving, 1,001 queues, 500 users) the channel and subscription answers
    are read into their SDK models like (a); a stdlib WebSocket client connects to a subscribed channel and reads
    an observation message's eventBody into V2QueueObservationObservationCountNotification, a user routing status
    message's into UserRoutingStatusUserRoutingStatus, a user presence message's into PresenceEventUserPresence
    and, when the simulator shuts down, the v2.system.socket_closing eventBody into SystemMessageSystemMessage.

Prints one line per check and ends with "sdk-check: N passed, M failed"; exits 1 if M > 0.
"""

import argparse
import ast
import base64
import glob
import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request

USER_AGENT = "genesys-exporter-sdk-check"
PROBLEMS_SHOWN = 8  # problems shown per check; the rest are counted


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for problem in problems[:PROBLEMS_SHOWN]:
                print(f"       {problem}")
            if len(problems) > PROBLEMS_SHOWN:
                print(f"       ... and {len(problems) - PROBLEMS_SHOWN} more")
        else:
            self.passed += 1
            print(f"ok   {name}")
        sys.stdout.flush()


# MARK: The SDK: operations, models, enums


class SDK:
    """The pinned SDK: its ApiClient for deserializing, its operation table, and the enums of its models."""

    def __init__(self):
        api_client, self.models, root = _import_sdk()
        self.client = api_client.ApiClient()
        self.operations = _operations(os.path.join(root, "apis"))
        self._enums = {}
        # Lists of enum values the models keep as plain strings (the SDK checks none of them): read from the
        # models that do list them.
        self.observation_metrics = set(
            self.allowed("RoutingActivityQueryMetric", "metric")
            + self.allowed("ConversationActivityQueryMetric", "metric")
        )
        self.observation_dimensions = set(self.allowed("QueueObservationQueryPredicate", "dimension"))
        self.aggregate_metrics = set(self.allowed("ConversationAggregationView", "target"))
        self.conversation_dimensions = set(self.allowed("ConversationAggregateQueryPredicate", "dimension"))
        self.flow_metrics = set(self.allowed("FlowAggregationView", "target"))
        self.flow_dimensions = set(self.allowed("FlowAggregateQueryPredicate", "dimension"))
        self.action_metrics = set(self.allowed("ActionAggregationView", "target"))
        self.action_dimensions = set(self.allowed("ActionAggregateQueryPredicate", "dimension"))
        self.user_metrics = set(self.allowed("UserAggregationView", "target"))
        self.user_dimensions = set(self.allowed("UserAggregateQueryPredicate", "dimension"))
        self.user_observation_dimensions = set(self.allowed("UserObservationQueryPredicate", "dimension"))
        self.routing_statuses = set(self.allowed("RoutingStatus", "status"))
        self.system_presences = set(self.allowed("AnalyticsUserPresenceRecord", "system_presence"))
        # Spelt "OnQueue", not analytics' "ON_QUEUE": what a presence notification's definition names.
        self.definition_system_presences = set(self.allowed("OrganizationPresenceDefinition", "system_presence"))

    def model(self, name):
        return getattr(self.models, name)

    def allowed(self, class_name, attribute):
        """The allowed values the setter of `class_name.attribute` lists, [] when it lists none."""
        key = (class_name, attribute)
        if key not in self._enums:
            prop = getattr(self.model(class_name), attribute, None)
            values = []
            if isinstance(prop, property) and prop.fset is not None:
                match = re.search(r"allowed_values = (\[.*?\])", inspect.getsource(prop.fset), re.S)
                if match:
                    values = ast.literal_eval(match.group(1))
            self._enums[key] = values
        return self._enums[key]

    def deserialize(self, data, class_name):
        return self.client._ApiClient__deserialize(data, class_name)

    def operation(self, method, path):
        """(template, body type, response type) of the SDK operation for a concrete path, or None."""
        matches = [
            (template.count("{"), template, body_type, response_type)
            for op_method, template, pattern, body_type, response_type in self.operations
            if op_method == method and pattern.fullmatch(path)
        ]
        # The most literal template wins: /routing/queues/divisionviews before /routing/queues/{queueId}.
        return min(matches)[1:] if matches else None


def _import_sdk():
    """The SDK's api_client module, its models and its directory. Its package imports all of its ~6,600 models
    (seconds, more on a busy machine); this imports the package's ApiClient alone and a model on first use, and
    falls back to the plain import if the SDK's layout ever changes."""
    name = "PureCloudPlatformClientV2"
    root = os.path.dirname(importlib.util.find_spec(name).origin)
    try:
        with open(os.path.join(root, "models", "__init__.py"), encoding="utf-8") as handle:
            files = {cls: module for module, cls in re.findall(r"^from \.(\w+) import (\w+)$", handle.read(), re.M)}

        class LazyModels(types.ModuleType):
            def __getattr__(self, cls):
                if cls not in files:
                    raise AttributeError(cls)
                value = getattr(importlib.import_module(f"{self.__name__}.{files[cls]}"), cls)
                setattr(self, cls, value)
                return value

        package = types.ModuleType(name)
        package.__path__ = [root]
        models = LazyModels(f"{name}.models")
        models.__path__ = [os.path.join(root, "models")]
        package.models = models
        sys.modules[name] = package
        sys.modules[models.__name__] = models
        api_client = importlib.import_module(f"{name}.api_client")
        api_client.ApiClient().__class__  # noqa: B018 - fails here, not later, if the layout changed
        return api_client, models, root
    except Exception:  # noqa: BLE001 - any surprise: the slow, ordinary import
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
        sdk = importlib.import_module(name)
        return sdk.api_client, sdk.models, root


def _installed_version():
    try:
        import importlib.metadata

        return importlib.metadata.version("purecloudplatformclientv2")
    except Exception:  # noqa: BLE001 - only for the banner
        return "unknown"


def _operations(apis_dir):
    """Every operation in the SDK's apis/*.py: method, path template, body model and response model."""
    operations = []
    seen = set()
    for path in sorted(glob.glob(os.path.join(apis_dir, "*_api.py"))):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for chunk in text.split("\n    def ")[1:]:
            resource = re.search(r"resource_path = '([^']+)'", chunk)
            call = re.search(r"call_api\(resource_path, '(\w+)'", chunk)
            if not resource or not call:
                continue
            # The body parameter, wherever it is in the signature (after the path parameters for the per-client usage).
            # Written 'Model' or, for a list body (the notification subscriptions), List['Model'].
            signature = chunk.split("\n", 1)[0]
            body = re.search(r"\bbody: '([\w\[\]]+)'", signature)
            listed = re.search(r"\bbody: List\['(\w+)'\]", signature)
            response = re.search(r"response_type=(?:'([^']+)'|None)", chunk)
            template = resource.group(1)
            key = (call.group(1), template)
            if key in seen:
                continue
            seen.add(key)
            pattern = re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)))
            operations.append(
                (
                    call.group(1),
                    template,
                    pattern,
                    body.group(1) if body else f"list[{listed.group(1)}]" if listed else None,
                    response and response.group(1),
                )
            )
    return operations


# MARK: Checking a JSON document against a model


ISO_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})")


class Checker:
    """Walks a JSON document beside the SDK model it should fit and collects every misfit."""

    def __init__(self, sdk):
        self.sdk = sdk
        # Lists the SDK keeps as plain strings, checked here: (model, attribute) -> (allowed values, what).
        self.string_lists = {
            ("QueueObservationQuery", "metrics"): (sdk.observation_metrics, "observation metric"),
            ("QueueObservationQuery", "detail_metrics"): (sdk.observation_metrics, "observation metric"),
            ("ObservationMetricData", "metric"): (sdk.observation_metrics, "observation metric"),
            ("ConversationAggregationQuery", "metrics"): (sdk.aggregate_metrics, "conversation aggregate metric"),
            ("ConversationAggregationQuery", "group_by"): (sdk.conversation_dimensions, "conversation dimension"),
            ("FlowAggregationQuery", "metrics"): (sdk.flow_metrics, "flow aggregate metric"),
            ("FlowAggregationQuery", "group_by"): (sdk.flow_dimensions, "flow dimension"),
            ("ActionAggregationQuery", "metrics"): (sdk.action_metrics, "action aggregate metric"),
            ("ActionAggregationQuery", "group_by"): (sdk.action_dimensions, "action dimension"),
            ("UserAggregationQuery", "metrics"): (sdk.user_metrics, "user aggregate metric"),
            ("UserAggregationQuery", "group_by"): (sdk.user_dimensions, "user dimension"),
            ("UserObservationQuery", "metrics"): (sdk.observation_metrics, "observation metric"),
            ("UserObservationQuery", "detail_metrics"): (sdk.observation_metrics, "observation metric"),
            ("PresenceEventOrganizationPresence", "system_presence"): (
                sdk.definition_system_presences,
                "presence definition system presence",
            ),
        }
        # dict(str, …) attributes whose keys are names from an SDK list.
        self.key_lists = {
            ("QueueObservationDataContainer", "group"): (sdk.observation_dimensions, "observation dimension"),
            ("ConversationAggregateDataContainer", "group"): (sdk.conversation_dimensions, "conversation dimension"),
            ("FlowAggregateDataContainer", "group"): (sdk.flow_dimensions, "flow dimension"),
            ("ActionAggregateDataContainer", "group"): (sdk.action_dimensions, "action dimension"),
            ("UserAggregateDataContainer", "group"): (sdk.user_dimensions, "user dimension"),
            ("UserObservationDataContainer", "group"): (sdk.user_observation_dimensions, "user observation dimension"),
            ("UserAggregateQueryResponse", "system_to_organization_mappings"): (sdk.system_presences, "system presence"),
            ("QueueObservationQueryResponse", "system_to_organization_mappings"): (
                sdk.system_presences,
                "system presence",
            ),
        }

    def check(self, data, class_name):
        problems = []
        self._value(data, class_name, "$", problems)
        try:
            model = self.sdk.deserialize(data, class_name)
        except Exception as error:  # noqa: BLE001 - any failure of the SDK's reader is a finding
            problems.append(f"the SDK cannot read it as {class_name}: {' '.join(str(error).split())}")
            return problems
        _outdated(model, "$", problems)
        return problems

    def _value(self, value, kind, path, problems):
        if value is None:
            return
        if kind.startswith("list["):
            if not isinstance(value, list):
                problems.append(f"{path}: {_short(value)} is not a list ({kind})")
                return
            for index, item in enumerate(value):
                self._value(item, kind[5:-1], f"{path}[{index}]", problems)
        elif kind.startswith("dict("):
            if not isinstance(value, dict):
                problems.append(f"{path}: {_short(value)} is not an object ({kind})")
                return
            inner = re.match(r"dict\(([^,]*), (.*)\)", kind).group(2)
            for key, item in value.items():
                self._value(item, inner, f"{path}.{key}", problems)
        elif kind in ("str", "int", "float", "bool", "object", "datetime", "date", "LocalDateTime", "YearMonth"):
            if not _primitive_fits(value, kind):
                problems.append(f"{path}: {_short(value)} is not of type {kind}")
        else:
            self._model(value, kind, path, problems)

    def _model(self, value, class_name, path, problems):
        if not isinstance(value, dict):
            problems.append(f"{path}: {_short(value)} is not an object ({class_name})")
            return
        model = self.sdk.model(class_name)()
        known = set(model.attribute_map.values())
        for key in value:
            if key not in known:
                problems.append(f"{path}.{key}: {class_name} has no such field (the SDK drops it)")
        for attribute, key in model.attribute_map.items():
            if key not in value or value[key] is None:
                continue
            item = value[key]
            where = f"{path}.{key}"
            kind = model.swagger_types[attribute]
            self._value(item, kind, where, problems)
            allowed = self.sdk.allowed(class_name, attribute)
            if allowed and isinstance(item, str) and item not in allowed:
                problems.append(f"{where}: {item!r} is not one of {class_name}.{key}'s values {_list(allowed)}")
            if (class_name, attribute) in self.string_lists:
                names, what = self.string_lists[(class_name, attribute)]
                for name in item if isinstance(item, list) else [item]:
                    if name not in names:
                        problems.append(f"{where}: {name!r} is not an SDK {what}")
            if (class_name, attribute) in self.key_lists and isinstance(item, dict):
                names, what = self.key_lists[(class_name, attribute)]
                for name in item:
                    if name not in names:
                        problems.append(f"{where}: key {name!r} is not an SDK {what}")
        self._extra(value, class_name, path, problems)

    def _extra(self, value, class_name, path, problems):
        """What the SDK's models say only in words."""
        if class_name == "ObservationMetricData" and isinstance(value.get("qualifier"), str):
            metric, qualifier = value.get("metric"), value["qualifier"]
            if metric in ("oOnQueueUsers", "oUserRoutingStatuses") and qualifier not in self.sdk.routing_statuses:
                problems.append(f"{path}.qualifier: {qualifier!r} is not an SDK routing status")
        if class_name == "AggregateMetricData" and isinstance(value.get("qualifier"), str):
            metric, qualifier = value.get("metric"), value["qualifier"]
            if metric == "tAgentRoutingStatus" and qualifier not in self.sdk.routing_statuses:
                problems.append(f"{path}.qualifier: {qualifier!r} is not an SDK routing status")
            if metric == "tSystemPresence" and qualifier not in self.sdk.system_presences:
                problems.append(f"{path}.qualifier: {qualifier!r} is not an SDK system presence")
        if class_name == "ConversationAggregationQuery":
            granularity = value.get("granularity")
            if isinstance(granularity, str) and not ISO_DURATION.fullmatch(granularity):
                problems.append(f"{path}.granularity: {granularity!r} is not an ISO-8601 duration")
        if class_name in ("ConversationAggregationQuery", "StatisticalResponse"):
            interval = value.get("interval")
            if isinstance(interval, str):
                ends = interval.split("/")
                if len(ends) != 2 or not all(ISO_INSTANT.fullmatch(end) for end in ends):
                    problems.append(f"{path}.interval: {interval!r} is not two ISO-8601 instants joined by '/'")
        if class_name.endswith("QueryPredicate"):
            kind = value.get("type", "dimension")
            if kind == "dimension" and not value.get("dimension"):
                problems.append(f"{path}: a dimension predicate without a dimension")
            if value.get("operator", "matches") == "matches" and "value" not in value and "range" not in value:
                problems.append(f"{path}: a matches predicate without a value")


def _primitive_fits(value, kind):
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("datetime", "LocalDateTime"):
        return isinstance(value, str) and ISO_INSTANT.fullmatch(value) is not None
    if kind in ("date", "YearMonth"):
        return isinstance(value, str)
    return True  # object


def _outdated(model, path, problems):
    """Every attribute the SDK's setters turned into "outdated_sdk_version" (an enum value it does not know)."""
    if isinstance(model, list):
        for index, item in enumerate(model):
            _outdated(item, f"{path}[{index}]", problems)
    elif isinstance(model, dict):
        for key, item in model.items():
            _outdated(item, f"{path}.{key}", problems)
    elif isinstance(model, str) and model == "outdated_sdk_version":
        problems.append(f"{path}: the SDK reads this value as outdated_sdk_version (not one of its enum values)")
    elif hasattr(model, "swagger_types") and hasattr(model, "attribute_map"):
        for attribute in model.swagger_types:
            _outdated(getattr(model, attribute), f"{path}.{model.attribute_map[attribute]}", problems)


def _short(value):
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _list(values):
    return "[" + ", ".join(values) + "]" if len(values) <= 12 else f"({len(values)} values)"


# MARK: Processes


class Process:
    """A child process whose stdout lines are read on a thread, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, argv, env=None, cwd=None):
        self.argv = argv
        self.popen = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            text=True,
            start_new_session=True,
        )
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self.output.append(line.rstrip("\n"))
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for_line(self, pattern, deadline):
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            match = re.search(pattern, line)
            if match:
                return match
        return None

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def tail(self, count=15):
        return self.output[-count:]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# MARK: HTTP against the simulator


class API:
    def __init__(self, base, client_id, client_secret):
        self.base = base
        self.client_id = client_id
        self.basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()

    def request(self, method, path, token=None, body=None, form=None):
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Authorization"] = f"Basic {self.basic}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def token(self, form):
        status, raw = self.request("POST", "/oauth/token", form=form)
        if status != 200:
            raise RuntimeError(f"token request {form.get('grant_type')} answered {status}: {raw[:200]!r}")
        return json.loads(raw)["access_token"]


# MARK: (a) every answer the simulator gives


def answer_checks(sdk, checker, api, report, refresh_token):
    client = api.token({"grant_type": "client_credentials"})
    user = api.token({"grant_type": "refresh_token", "refresh_token": refresh_token}) if refresh_token else None
    status, raw = api.request("GET", "/api/v2/routing/queues?pageSize=100&pageNumber=1", client)
    queue_ids = [entity["id"] for entity in json.loads(raw)["entities"]] if status == 200 else []
    some = queue_ids[:12] or ["00000000-0000-4000-8000-000000000000"]
    now = time.time()
    hour = int(now // 3600) * 3600
    interval = f"{_iso(hour - 6 * 3600)}/{_iso(hour)}"
    queue_filter = {
        "type": "or",
        "predicates": [{"type": "dimension", "dimension": "queueId", "operator": "matches", "value": i} for i in some],
    }
    # Every metric the simulator answers: these queries are checked against the SDK too, so the check's own
    # requests cannot ask for a name Genesys does not have.
    observation_metrics = [
        "oActiveUsers", "oAlerting", "oInteracting", "oMemberUsers", "oOffQueueUsers", "oOnQueueUsers",
        "oUserPresences", "oUserRoutingStatuses", "oWaiting",
    ]  # fmt: skip
    aggregate_metrics = [
        "nOffered", "tAnswered", "tAbandon", "tShortAbandon", "nOverSla", "tHandle", "tWait", "oServiceLevel",
        "oServiceTarget",
    ]  # fmt: skip
    # queue_performance's conversation counters (--collector.queue_performance.conversation-metrics).
    conversation_metrics = [
        "nTransferred", "nBlindTransferred", "nConsultTransferred", "nConsult", "tHeld", "tAcw", "tTalk", "tAlert",
        "tNotResponding", "tFlowOut", "tVoicemail", "nError", "nCallbackScheduled", "nCallbackAttempts", "nOutbound",
        "nOutboundAttempted", "nOutboundConnected", "nOutboundAbandoned", "nBotInteractions",
    ]  # fmt: skip
    cases = [
        ("GET", "/api/v2/tokens/me", client, None, 200, "client token"),
        ("GET", "/api/v2/organizations/me", client, None, 200, ""),
        ("GET", "/api/v2/users/me", client, None, 400, "client token: no user context"),
        ("GET", "/api/v2/routing/queues", client, None, 200, "default page"),
        ("GET", "/api/v2/routing/queues?pageSize=25&pageNumber=1", client, None, 200, "first of several pages"),
        ("GET", "/api/v2/routing/queues?pageSize=25&pageNumber=2", client, None, 200, "a later page"),
        ("GET", "/api/v2/routing/queues?pageSize=500&pageNumber=9", client, None, 200, "past the last page"),
        ("GET", "/api/v2/routing/queues?pageSize=501", client, None, 400, "page size too large"),
        ("GET", "/api/v2/routing/wrapupcodes?pageSize=100&pageNumber=1", client, None, 200, "every code"),
        ("GET", "/api/v2/routing/wrapupcodes?pageSize=5&pageNumber=2", client, None, 200, "a later page"),
        (
            "POST",
            "/api/v2/analytics/queues/observations/query",
            client,
            {"filter": queue_filter, "metrics": observation_metrics},
            200,
            "every metric",
        ),
        (
            "POST",
            "/api/v2/analytics/queues/observations/query",
            client,
            {"filter": queue_filter, "metrics": ["oWaiting", "oInteracting"], "detailMetrics": ["oWaiting"]},
            200,
            "with detailMetrics",
        ),
        (
            "POST",
            "/api/v2/analytics/conversations/aggregates/query",
            client,
            {
                "interval": interval,
                "groupBy": ["queueId", "mediaType"],
                "filter": queue_filter,
                "metrics": aggregate_metrics,
            },
            200,
            "every metric",
        ),
        (
            "POST",
            "/api/v2/analytics/conversations/aggregates/query",
            client,
            {
                "interval": interval,
                "groupBy": ["queueId", "mediaType", "direction"],
                "filter": queue_filter,
                "metrics": aggregate_metrics + conversation_metrics,
            },
            200,
            "every metric, by direction",
        ),
        (
            "POST",
            "/api/v2/analytics/conversations/aggregates/query",
            client,
            {"interval": interval, "groupBy": ["queueId", "wrapUpCode"], "filter": queue_filter, "metrics": ["tHandle"]},
            200,
            "handled by wrap-up code",
        ),
        (
            "POST",
            "/api/v2/analytics/conversations/aggregates/query",
            client,
            {
                "interval": interval,
                "groupBy": ["queueId", "mediaType"],
                "filter": {"type": "or", "predicates": [dict(queue_filter["predicates"][0], value="no-such-queue")]},
                "metrics": ["nOffered"],
            },
            200,
            "nothing matched",
        ),
    ]
    if user:
        cases[1:1] = [
            ("GET", "/api/v2/tokens/me", user, None, 200, "user token"),
            ("GET", "/api/v2/users/me", user, None, 200, "user token"),
        ]
    for media_type in ("call", "callback", "chat", "email", "message"):
        path = f"/api/v2/routing/queues/{some[0]}/mediatypes/{media_type}/estimatedwaittime"
        cases.append(("GET", path, client, None, 200, media_type))
    unknown = "/api/v2/routing/queues/00000000-0000-4000-8000-000000000000/mediatypes/call/estimatedwaittime"
    cases.append(("GET", unknown, client, None, 404, "unknown queue"))
    # Telephony: the listings the telephony collector pages through and the batched metrics it asks for.
    edges = "/api/v2/telephony/providers/edges"
    listed = {}
    for kind, path in (("edge", edges), ("trunk", f"{edges}/trunks")):
        status, raw = api.request("GET", f"{path}?pageSize=100&pageNumber=1", client)
        listed[kind] = [entity["id"] for entity in json.loads(raw)["entities"]] if status == 200 else []
    cases += [
        ("GET", edges, client, None, 200, "default page"),
        ("GET", f"{edges}?pageSize=1&pageNumber=2", client, None, 200, "a later page"),
        ("GET", f"{edges}?pageSize=100&pageNumber=9", client, None, 200, "past the last page"),
        ("GET", f"{edges}/trunks?pageSize=100&pageNumber=1", client, None, 200, ""),
        ("GET", f"{edges}/trunks?pageSize=1&pageNumber=3", client, None, 200, "a later page"),
        ("GET", f"{edges}/phones?pageSize=100&pageNumber=1&expand=status", client, None, 200, "with status"),
        ("GET", f"{edges}/phones?pageSize=5&pageNumber=2", client, None, 200, "without status"),
        ("GET", f"{edges}/metrics?edgeIds={','.join(listed['edge'])}", client, None, 200, "every edge"),
        ("GET", f"{edges}/trunks/metrics?trunkIds={','.join(listed['trunk'])}", client, None, 200, "every trunk"),
        ("GET", f"{edges}/trunks/metrics", client, None, 400, "no trunkIds"),
    ]
    # Flows and data actions: the listings the flows and data_actions collectors page through, and their
    # aggregates queries (every metric the simulator answers; actions with and without errorType).
    flow_metrics = ["nFlow", "nFlowOutcome", "nFlowOutcomeFailed", "tFlowDisconnect", "tFlowExit"]
    for kind, path in (("flow", "/api/v2/flows"), ("action", "/api/v2/integrations/actions")):
        status, raw = api.request("GET", f"{path}?pageSize=100&pageNumber=1", client)
        listed[kind] = [entity["id"] for entity in json.loads(raw)["entities"]] if status == 200 else []

    def id_filter(dimension, ids):
        values = ids or ["no-such-id"]
        predicates = [{"type": "dimension", "dimension": dimension, "operator": "matches", "value": i} for i in values]
        return {"type": "or", "predicates": predicates}

    flow_query = {"interval": interval, "groupBy": ["flowId"], "filter": id_filter("flowId", listed["flow"])}
    action_query = {"interval": interval, "filter": id_filter("actionId", listed["action"])}
    cases += [
        ("GET", "/api/v2/flows", client, None, 200, "default page"),
        ("GET", "/api/v2/flows?pageSize=5&pageNumber=2", client, None, 200, "a later page"),
        ("GET", "/api/v2/flows?pageSize=100&pageNumber=9", client, None, 200, "past the last page"),
        ("GET", "/api/v2/integrations/actions?pageSize=100&pageNumber=1", client, None, 200, ""),
        ("GET", "/api/v2/integrations/actions?pageSize=3&pageNumber=2", client, None, 200, "a later page"),
        (
            "POST",
            "/api/v2/analytics/flows/aggregates/query",
            client,
            dict(flow_query, metrics=flow_metrics),
            200,
            "every metric",
        ),
        (
            "POST",
            "/api/v2/analytics/flows/aggregates/query",
            client,
            dict(flow_query, filter=id_filter("flowId", []), metrics=["nFlow"]),
            200,
            "nothing matched",
        ),
        (
            "POST",
            "/api/v2/analytics/flows/aggregates/query",
            client,
            dict(flow_query, groupBy=["queueId"], metrics=["nFlow"]),
            400,
            "an unsupported groupBy",
        ),
        (
            "POST",
            "/api/v2/analytics/actions/aggregates/query",
            client,
            dict(action_query, groupBy=["actionId", "errorType"], metrics=["tTotalExecution"]),
            200,
            "by error type",
        ),
        (
            "POST",
            "/api/v2/analytics/actions/aggregates/query",
            client,
            dict(action_query, groupBy=["actionId"], metrics=["tTotalExecution"]),
            200,
            "by action",
        ),
    ]
    # Users: the active-user listing the agents collector pages through, their observations and their aggregates
    # (every metric the simulator answers).
    status, raw = api.request("GET", "/api/v2/users?pageSize=100&pageNumber=1&state=active", client)
    listed["user"] = [entity["id"] for entity in json.loads(raw)["entities"]] if status == 200 else []
    user_filter = id_filter("userId", listed["user"][:40])
    user_query = {"interval": interval, "groupBy": ["userId"], "filter": user_filter}
    cases += [
        ("GET", "/api/v2/users?pageSize=100&pageNumber=1&state=active", client, None, 200, "active users"),
        ("GET", "/api/v2/users?pageSize=7&pageNumber=2&state=active", client, None, 200, "a later page"),
        ("GET", "/api/v2/users?state=inactive", client, None, 200, "no inactive user"),
        ("GET", "/api/v2/users?state=asleep", client, None, 400, "not a state"),
        (
            "POST",
            "/api/v2/analytics/users/observations/query",
            client,
            {"filter": user_filter, "metrics": ["oUserRoutingStatuses", "oUserPresences"]},
            200,
            "routing status and presence",
        ),
        (
            "POST",
            "/api/v2/analytics/users/observations/query",
            client,
            {"metrics": ["oUserRoutingStatuses"]},
            400,
            "no filter",
        ),
        (
            "POST",
            "/api/v2/analytics/users/aggregates/query",
            client,
            dict(user_query, metrics=["tAgentRoutingStatus", "tSystemPresence", "tOrganizationPresence"]),
            200,
            "every metric",
        ),
        (
            "POST",
            "/api/v2/analytics/users/aggregates/query",
            client,
            dict(user_query, filter=id_filter("userId", []), metrics=["tAgentRoutingStatus"]),
            200,
            "nothing matched",
        ),
        (
            "POST",
            "/api/v2/analytics/users/aggregates/query",
            client,
            dict(user_query, interval=f"{_iso(hour - 8 * 86400)}/{_iso(hour)}", metrics=["tAgentRoutingStatus"]),
            400,
            "an interval over 7 days",
        ),
    ]
    # API usage: both asynchronous queries, and a result of each fetched by its execution id.
    today = int(now // 86400) * 86400
    usage_query = {
        "interval": f"{_iso(today)}/{_iso(now)}",
        "granularity": "Day",
        "metrics": ["Requests", "Status200", "Status300", "Status400", "Status429", "Status500"],
        "groupBy": ["OAuthClientId"],
    }
    own_query = {key: value for key, value in usage_query.items() if key != "groupBy"}
    own = f"/api/v2/oauth/clients/{api.client_id}/usage"
    executions = {}
    for kind, path, body in (("org", "/api/v2/usage/query", usage_query), ("own", f"{own}/query", own_query)):
        status, raw = api.request("POST", path, client, body)
        executions[kind] = json.loads(raw).get("executionId", "none") if status < 300 else "none"
    cases += [
        ("POST", "/api/v2/usage/query", client, usage_query, 202, "by OAuth client"),
        ("GET", f"/api/v2/usage/query/{executions['org']}/results", client, None, 200, "complete"),
        ("POST", f"{own}/query", client, own_query, 202, "this client"),
        ("GET", f"{own}/query/results/{executions['own']}", client, None, 200, "complete"),
    ]
    run_cases(sdk, checker, api, report, cases)


def run_cases(sdk, checker, api, report, cases):
    """Sends each (method, path, token, body, expected status, note) and reads the answer into the model the SDK's
    operation returns (ErrorBody for an error); an operation that returns nothing (HEAD, DELETE) must answer no
    body."""
    for method, path, token, body, expected, note in cases:
        bare = path.split("?")[0]
        operation = sdk.operation(method, bare)
        shown = re.sub(r"/queues/[0-9a-f-]{36}/", "/queues/{queueId}/", path)
        shown = re.sub(r"(edgeIds|trunkIds)=[0-9a-f,-]+", r"\1=…", shown)
        shown = re.sub(r"/usage/query/[0-9a-f-]{36}/", "/usage/query/{executionId}/", shown)
        shown = re.sub(r"/clients/[^/]+/usage/query(/results/[0-9a-f-]{36})?", lambda m: "/clients/{clientId}/usage/query" + ("/results/{executionId}" if m.group(1) else ""), shown)
        shown = re.sub(r"/channels/streaming-[^/]+", "/channels/{channelId}", shown)
        name = f"answer {method} {shown}" + (f" ({note})" if note else "")
        if operation is None:
            report.check(name, [f"the SDK has no operation {method} {bare}"])
            continue
        template, body_type, response_type = operation
        problems = []
        if body is not None:
            problems += [f"request: {p}" for p in checker.check(body, body_type)]
        status, raw = api.request(method, path, token, body)
        if status != expected:
            problems.append(f"HTTP {status}, expected {expected}: {raw[:200]!r}")
        elif method == "HEAD" or (response_type is None and status < 400):
            name += " without a body"
            if raw:
                problems.append(f"a body where the SDK's operation returns none: {raw[:200]!r}")
        else:
            model = response_type if status < 400 else "ErrorBody"
            name += f" as {model}"
            try:
                problems += checker.check(json.loads(raw), model)
            except ValueError as error:
                problems.append(f"not JSON: {error}")
        report.check(name, problems)


def _iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


# MARK: (c) the notification service: channels, subscriptions and the messages of its WebSocket


WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
UNKNOWN_QUEUE = "00000000-0000-4000-8000-000000000000"
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class WebSocketReader:
    """A minimal stdlib WebSocket client (RFC 6455, ws:// only): the handshake (its Sec-WebSocket-Accept checked),
    masked text frames out, and a thread that reads every frame until the server closes."""

    def __init__(self, uri, timeout=15):
        parts = urllib.parse.urlsplit(uri)
        if parts.scheme != "ws" or not parts.hostname or not parts.port:
            raise ValueError(f"not a ws://host:port URL: {uri}")
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: {USER_AGENT}\r\n\r\n"
            ).encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        expected = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        self.accept_ok = headers.get("sec-websocket-accept") == expected
        self.frames = []  # (opcode, payload bytes), in arrival order
        self.lock = threading.Lock()
        self.sock.settimeout(None)
        self.thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 101:
            self.thread.start()

    def _exactly(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _read(self):
        try:
            while True:
                first, second = self._exactly(2)
                length = second & 0x7F
                if length == 126:
                    length = int.from_bytes(self._exactly(2), "big")
                elif length == 127:
                    length = int.from_bytes(self._exactly(8), "big")
                mask = self._exactly(4) if second & 0x80 else None
                payload = self._exactly(length)
                if mask:
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                with self.lock:
                    self.frames.append((first & 0x0F, payload))
                if first & 0x0F == 0x8:
                    return
        except (ConnectionError, OSError):
            return

    def send_text(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81, 0x80 | len(payload)]) if len(payload) < 126 else None
        if header is None:
            raise ValueError("only short frames")
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def messages(self):
        """The text frames that are JSON objects, parsed."""
        with self.lock:
            texts = [payload for opcode, payload in self.frames if opcode == 0x1]
        parsed = []
        for text in texts:
            try:
                value = json.loads(text)
            except ValueError:
                continue
            if isinstance(value, dict):
                parsed.append(value)
        return parsed

    def wait(self, predicate, deadline):
        """The first message satisfying `predicate`, waiting until `deadline` (time.monotonic)."""
        while True:
            found = next((m for m in self.messages() if predicate(m)), None)
            if found is not None or time.monotonic() > deadline or not self.thread.is_alive():
                return found or next((m for m in self.messages() if predicate(m)), None)
            time.sleep(0.1)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def observation_topic(queue_id):
    return f"v2.analytics.queues.{queue_id}.observations"


# The user topics and the SDK model of each one's eventBody.
USER_TOPICS = {"routingStatus": "UserRoutingStatusUserRoutingStatus", "presence": "PresenceEventUserPresence"}


def user_topic(user_id, kind):
    return f"v2.users.{user_id}.{kind}"


class NotificationChecks:
    """(c) A simulator of its own (`--moving`, so observation values change every 10 s, 1,001 queues, one more
    than a channel may subscribe to, and 500 users). `start` subscribes a channel to a few queues and the routing
    status and presence of 496 users (1,000 topics: users change every 30 s to 10 min, so among that many some have
    changed within seconds) and connects its WebSocket early, so a slot change has come by the time `finish` runs
    the REST checks, reads the observation and user messages and stops the simulator, whose shutdown sends the
    socket-closing notice."""

    def __init__(self, binary):
        self.process = Process([binary, "--port", "0", "--queues", "1001", "--users", "500", "--moving"])
        self.socket = None
        self.started = None
        self.problems = []

    def start(self):
        deadline = time.monotonic() + 30
        listening = self.process.wait_for_line(r"listening on (http://\S+)", deadline)
        client_id = self.process.wait_for_line(r"client id:\s+(\S+)", deadline)
        client_secret = self.process.wait_for_line(r"client secret:\s+(\S+)", deadline)
        if not (listening and client_id and client_secret):
            self.problems.append("the notification simulator did not start: " + " | ".join(self.process.tail()))
            return
        self.api = API(listening.group(1), client_id.group(1), client_secret.group(1))
        self.token = self.api.token({"grant_type": "client_credentials"})
        self.queue_ids = []
        for page in (1, 2, 3):
            status, raw = self.api.request("GET", f"/api/v2/routing/queues?pageSize=500&pageNumber={page}", self.token)
            self.queue_ids += [entity["id"] for entity in json.loads(raw)["entities"]] if status == 200 else []
        status, raw = self.api.request("GET", "/api/v2/users?pageSize=500", self.token)
        user_ids = [entity["id"] for entity in json.loads(raw)["entities"]][:496] if status == 200 else []
        status, raw = self.api.request("POST", "/api/v2/notifications/channels", self.token)
        channel = json.loads(raw) if status == 200 else {}
        self.subscribed = [observation_topic(i) for i in self.queue_ids[:8]]
        self.user_topics = {kind: {user_topic(i, kind) for i in user_ids} for kind in USER_TOPICS}
        user_topics = [user_topic(i, kind) for i in user_ids for kind in USER_TOPICS]
        status, raw = self.api.request(
            "PUT", f"/api/v2/notifications/channels/{channel.get('id')}/subscriptions", self.token,
            [{"id": topic} for topic in self.subscribed + user_topics],
        )  # fmt: skip
        if status != 200 or not channel.get("connectUri"):
            self.problems.append(f"could not make and subscribe a channel: HTTP {status} {raw[:200]!r}")
            return
        self.socket = WebSocketReader(channel["connectUri"])
        self.started = time.monotonic()
        if self.socket.status != 101:
            self.problems.append(f"the WebSocket upgrade answered {self.socket.status}, not 101")
        elif not self.socket.accept_ok:
            self.problems.append("Sec-WebSocket-Accept is not the key's SHA-1 with the RFC 6455 GUID")
        else:
            self.socket.send_text(json.dumps({"message": "ping"}))

    def finish(self, sdk, checker, report):
        try:
            if self.problems or not self.socket:
                report.check("notification service: a channel, its subscriptions and its WebSocket", self.problems)
                return
            self._rest(sdk, checker, report)
            self._socket(checker, report)
        finally:
            self.stop()

    def _rest(self, sdk, checker, report):
        status, raw = self.api.request("POST", "/api/v2/notifications/channels", self.token)
        channel = json.loads(raw).get("id", "none") if status == 200 else "none"
        channels = "/api/v2/notifications/channels"
        subscriptions = f"{channels}/{channel}/subscriptions"
        topics = [{"id": observation_topic(i)} for i in self.queue_ids]
        cases = [
            ("POST", channels, self.token, None, 200, ""),
            ("GET", channels, self.token, None, 200, ""),
            ("HEAD", f"{channels}/{channel}", self.token, None, 200, "a live channel"),
            ("HEAD", f"{channels}/streaming-0-nosuchchannel", self.token, None, 404, "unknown"),
            ("PUT", subscriptions, self.token, topics[:3], 200, "three queues"),
            (
                "POST",
                subscriptions,
                self.token,
                [topics[3], {"id": observation_topic(UNKNOWN_QUEUE)}, {"id": "v2.users.x.presence"}],
                200,
                "one more queue, an unknown queue and an unknown user's topic rejected",
            ),
            ("GET", subscriptions, self.token, None, 200, ""),
            ("PUT", subscriptions, self.token, topics[:1001], 400, "1,001 topics"),
            ("DELETE", subscriptions, self.token, None, 204, ""),
            ("GET", f"{channels}/streaming-0-nosuchchannel/subscriptions", self.token, None, 404, "unknown channel"),
        ]
        run_cases(sdk, checker, self.api, report, cases)

    def _socket(self, checker, report):
        # Slots are 10 s long and counted from the simulator's start: one has passed within 25 s of connecting.
        deadline = self.started + 25
        observation = self.socket.wait(lambda m: m.get("topicName") in self.subscribed, deadline)
        problems = []
        if observation is None:
            problems.append("no observation message within 25 s of subscribing 8 queues (moving observations)")
        else:
            problems += checker.check(observation.get("eventBody"), "V2QueueObservationObservationCountNotification")
            problems += self._envelope(observation)
        report.check(
            "socket message v2.analytics.queues.{queueId}.observations: eventBody as "
            "V2QueueObservationObservationCountNotification",
            problems,
        )
        for kind, model in USER_TOPICS.items():
            topics = self.user_topics[kind]
            message = self.socket.wait(lambda m: m.get("topicName") in topics, deadline)
            problems = []
            if message is None:
                problems.append(f"no {kind} message within 25 s of subscribing {len(topics)} users")
            else:
                body = message.get("eventBody")
                problems += checker.check(body, model)
                problems += self._envelope(message)
                if kind == "routingStatus" and message.get("topicName") != user_topic((body or {}).get("id"), kind):
                    problems.append(f"eventBody.id {(body or {}).get('id')!r} is not the topic's user")
            report.check(f"socket message v2.users.{{userId}}.{kind}: eventBody as {model}", problems)
        pong = self.socket.wait(lambda m: m.get("topicName") == "channel.metadata", time.monotonic() + 5)
        expected = {"topicName": "channel.metadata", "eventBody": {"message": "pong"}}
        report.check(
            'socket message channel.metadata: pong for {"message":"ping"} (no SDK model: the documented shape)',
            [] if pong == expected else [f"got {_short(pong)}"],
        )
        # Shutting the simulator down sends every socket the close notice.
        self.process.stop()
        closing = self.socket.wait(lambda m: m.get("topicName") == "v2.system.socket_closing", time.monotonic() + 10)
        problems = ["no v2.system.socket_closing message at shutdown"] if closing is None else []
        if closing is not None:
            problems += checker.check(closing.get("eventBody"), "SystemMessageSystemMessage")
            if set(closing) != {"topicName", "eventBody"}:
                problems.append(f"keys {sorted(closing)}, expected topicName and eventBody")
        report.check("socket message v2.system.socket_closing: eventBody as SystemMessageSystemMessage", problems)

    def _envelope(self, message):
        """What no SDK model holds: the message around the eventBody, and oLongestWaiting beside oWaiting."""
        problems = []
        if set(message) != {"topicName", "version", "eventBody", "metadata"}:
            problems.append(f"keys {sorted(message)}, expected topicName, version, eventBody, metadata")
        if message.get("version") != "2":
            problems.append(f"version {message.get('version')!r}, expected '2'")
        correlation = (message.get("metadata") or {}).get("CorrelationId")
        if not isinstance(correlation, str) or not UUID_PATTERN.fullmatch(correlation):
            problems.append(f"metadata.CorrelationId {correlation!r} is not a UUID")
        for group in (message.get("eventBody") or {}).get("results") or []:
            data = {d.get("metric"): d for d in group.get("data") or []}
            media = group.get("mediaType")
            waiting = (data.get("oWaiting") or {}).get("count", 0)
            longest = data.get("oLongestWaiting")
            if (longest is not None) != (waiting > 0):
                problems.append(f"{media}: oLongestWaiting {'without' if longest else 'missing with'} waiting")
            waited = (longest or {}).get("calculatedMetricValue", 0)
            if not isinstance(waited, int) or waited < 0:
                problems.append(f"{media}: oLongestWaiting's calculatedMetricValue {waited!r} is not a count of ms")
        return problems

    def stop(self):
        if self.socket:
            self.socket.close()
        self.process.stop()


# MARK: (b) every request the exporter sends


# The queries a run with every collector on sends each poll, by a short name.
EXPECTED_EXPORTER_POSTS = {
    "/api/v2/analytics/queues/observations/query": "observations",
    "/api/v2/analytics/conversations/aggregates/query": "aggregates",
    "/api/v2/analytics/users/observations/query": "user observations",
}
# Sent by `check` and by a run's first poll (the flows and actions with traffic in the last day), then only once a
# whole minute has settled: asked for once, not twice.
# The user aggregates likewise: the first poll asks for the last settled minute, for the org's presence mapping.
EXPECTED_ONCE = (
    "/api/v2/analytics/flows/aggregates/query",
    "/api/v2/analytics/actions/aggregates/query",
    "/api/v2/analytics/users/aggregates/query",
)


def read_requests(path):
    records = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    records.append(json.loads(line))
    return records


def exporter_requests(path):
    return [r for r in read_requests(path) if r.get("userAgent") != USER_AGENT]


def _json_or_empty(text):
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def wait_for_exporter(requests_path, since, exporter, deadline):
    """Waits until the exporter, after the first `since` requests, has sent every expected query twice (two
    polls), has exited, or the deadline passed; returns how many of each it sent."""
    while True:
        posts = [r["path"] for r in read_requests(requests_path)[since:] if r["method"] == "POST"]
        counts = {path: posts.count(path) for path in EXPECTED_EXPORTER_POSTS}
        if all(n >= 2 for n in counts.values()) or exporter.popen.poll() is not None or time.monotonic() > deadline:
            return counts
        time.sleep(0.25)


def request_checks(sdk, checker, requests, report):
    by_operation = {}
    problems_unknown = []
    # A notification channel's WebSocket (its connectUri, another host in reality) is no Platform API operation.
    requests = [record for record in requests if not record["path"].startswith("/channels/")]
    for record in requests:
        operation = sdk.operation(record["method"], record["path"])
        if operation is None:
            problems_unknown.append(f"{record['method']} {record['path']}: not an operation of the SDK")
            continue
        by_operation.setdefault((record["method"], operation), []).append(record)
    posted = {record["path"] for record in requests if record["method"] == "POST"}
    missing = [f"no POST {path}" for path in EXPECTED_ONCE if path not in posted]
    report.check(
        f"exporter requests: {len(requests)}, every one an SDK operation ({len(by_operation)} operations)",
        sorted(set(problems_unknown)) + ([] if requests else ["the exporter sent no request"]) + missing,
    )
    for (method, (template, body_type, _)), records in sorted(by_operation.items(), key=lambda item: item[0][1][0]):
        with_body = [r for r in records if r.get("body")]
        if method == "GET" and not with_body:
            continue
        problems = []
        if body_type is None and not with_body:
            # POST /notifications/channels, HEAD and DELETE: no body, as the SDK's operation takes none.
            report.check(f"exporter {method} {template}: no body, as the SDK's", [])
            continue
        if body_type is None:
            problems.append(f"the SDK's {method} {template} takes no body, the exporter sent one")
        else:
            for record in with_body:
                try:
                    body = json.loads(record["body"])
                except ValueError as error:
                    problems.append(f"a body that is not JSON: {error}")
                    continue
                problems += checker.check(body, body_type)
        unique = list(dict.fromkeys(problems))
        metrics = sorted({m for r in with_body for m in _json_or_empty(r["body"]).get("metrics", [])})
        shown = f", metrics {' '.join(metrics)}" if metrics else ""
        report.check(f"exporter {method} {template}: {len(with_body)} bodies as {body_type}{shown}", unique)


# MARK: Main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--simulator", required=True, help="the built genesys-simulator")
    parser.add_argument("--exporter", help="the built genesys-exporter; without it (b) is skipped")
    parser.add_argument("--wait", type=float, default=40, help="seconds to wait for the exporter's queries (40)")
    args = parser.parse_args()
    started = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="sdk-check.") as work:
        requests_path = os.path.join(work, "requests.jsonl")
        simulator = Process(
            [os.path.abspath(args.simulator), "--port", "0", "--queues", "30"]
            + ["--record-requests", requests_path, "--issue-refresh-token"]
        )
        exporter = None
        # (c) on a simulator of its own, started now: its observation values change 10 s after it starts.
        notifications = NotificationChecks(os.path.abspath(args.simulator))
        try:
            deadline = time.monotonic() + 30
            listening = simulator.wait_for_line(r"listening on (http://\S+)", deadline)
            client_id = simulator.wait_for_line(r"client id:\s+(\S+)", deadline)
            client_secret = simulator.wait_for_line(r"client secret:\s+(\S+)", deadline)
            refresh = simulator.wait_for_line(r"refresh token:\s+(\S+)", deadline)
            if not (listening and client_id and client_secret and refresh):
                print("\n".join(simulator.tail()))
                report.check("the simulator starts and prints its URL, credentials and a refresh token", ["it did not"])
                return finish(report, started)
            base, client_id, client_secret = listening.group(1), client_id.group(1), client_secret.group(1)
            if args.exporter:
                exporter = Exporter(os.path.abspath(args.exporter), base, client_id, client_secret, work)
                # `check` first, while the SDK loads: it sends each collector's query once, among them the
                # aggregates window query, which a run sends only once a whole minute has settled.
                exporter.start_check()
            sdk = SDK()
            print(f"sdk-check: purecloudplatformclientv2 {_installed_version()}, {len(sdk.operations)} operations")
            checker = Checker(sdk)
            notifications.start()
            answer_checks(sdk, checker, API(base, client_id, client_secret), report, refresh.group(1))
            if exporter:
                exporter.finish_check(report, args.wait)
                # Then a run for two polls: its requests are the ones recorded from here on.
                since = len(read_requests(requests_path))
                exporter.start_run()
                polls = wait_for_exporter(requests_path, since, exporter.run, time.monotonic() + args.wait)
                report.check(
                    "exporter run sent every expected query twice (two polls): "
                    + ", ".join(f"{polls[path]} {name}" for path, name in EXPECTED_EXPORTER_POSTS.items()),
                    [
                        f"only {polls[path]} POST {path} within {args.wait:g} s"
                        for path in EXPECTED_EXPORTER_POSTS
                        if polls[path] < 2
                    ],
                )
                exporter.finish_run(report)
                request_checks(sdk, checker, exporter_requests(requests_path), report)
            else:
                print("skip (b) the exporter's queries: no --exporter given")
            notifications.finish(sdk, checker, report)
        finally:
            if exporter:
                exporter.stop()
            notifications.stop()
            simulator.stop()
    return finish(report, started)


class Exporter:
    """genesys-exporter against the simulator with every collector on: `check` once, then a run."""

    def __init__(self, binary, base, client_id, client_secret, work):
        self.binary = binary
        self.work = work
        self.env = dict(os.environ, GENESYS_CLIENT_SECRET=client_secret, HOME=work)
        for variable in ("GENESYS_CLIENT_ID", "GENESYS_REFRESH_TOKEN", "GENESYS_REGION", "GENESYS_API_HOST"):
            self.env.pop(variable, None)
        self.flags = [
            "--genesys.api-url", base,
            "--genesys.login-url", base,
            "--genesys.client-id", client_id,
            "--token.cache-file", os.path.join(work, "token-cache"),
            "--collector.estimated_wait",
            "--collector.estimated_wait.media-types", "voice,chat,email,callback,message",
            "--collector.queue_performance",
            "--collector.agents",
            "--collector.observations.mode", "stream",
            "--collector.agents.mode", "stream",
            "--collector.queue_performance.conversation-metrics", "all",
            "--collector.queue_performance.wrapup-codes", "5",
            "--collector.telephony.edge-metrics", "true",
        ]  # fmt: skip
        self.check = self.run = None

    def start_check(self):
        self.check = Process([self.binary, "check", *self.flags], env=self.env, cwd=self.work)

    def finish_check(self, report, wait):
        try:
            self.check.popen.wait(timeout=max(1, wait))
        except subprocess.TimeoutExpired:
            self.check.stop()
        status = self.check.popen.returncode
        if status != 0:
            print("\n".join(self.check.tail()))
        failed = [] if status == 0 else ["failed (its output is above)"]
        report.check(f"exporter check (each collector's queries once): exit {status}", failed)

    def start_run(self):
        run_flags = ["--web.listen-address", f"127.0.0.1:{free_port()}", "--poll.interval", "1s"]
        run_flags += ["--collector.estimated_wait.interval", "10s"]
        # Today's service level and the queue listing at every poll (5 minutes by default): two polls then send two
        # aggregates queries, where the window query needs a whole settled minute.
        run_flags += ["--collector.queue_performance.service-level-interval", "0s"]
        run_flags += ["--collector.queues.listing-interval", "0s"]
        self.run = Process([self.binary, *self.flags, *run_flags], env=self.env, cwd=self.work)

    def finish_run(self, report):
        self.run.stop()
        status = self.run.popen.returncode
        stopped = status in (0, -signal.SIGTERM)
        if not stopped:
            print("\n".join(self.run.tail()))
        report.check(f"exporter run until stopped: exit {status}", [] if stopped else ["it exited by itself"])

    def stop(self):
        for process in (self.check, self.run):
            if process:
                process.stop()


def finish(report, started):
    print(f"sdk-check: took {time.monotonic() - started:.1f} s")
    print(f"sdk-check: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
