"""The emulator's WSGI application: routing, authentication, validation, answers.

Order of checks on a model call, as on the real service: authentication (401/400 for keys), the
project's IAM (403), the model (404), the body's structure (400 with field violations), the
semantic rules (400), then the scripted reply or the default answer. Every request is recorded,
rejected ones included; a rejected request never consumes a scripted reply.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from . import access as a
from . import answers, chunking, errors, rules, schema, wire
from .errors import RpcError, invalid_argument
from .models import ModelFacts
from .openai_compat import ChatHandler
from .records import CallRecord
from .respond import Responder, StartResponse, success_outcome
from .script import Faults, Reply
from .state import EmulatorState, Identity
from .streaming import Connection

VERSIONS = ("v1", "v1beta1")
RPCS: dict[str, str] = {
    "generateContent": "GenerateContent", "streamGenerateContent": "StreamGenerateContent",
    "countTokens": "CountTokens", "predict": "Predict",
}
GEMINI_PREDICT = (
    "Gemini cannot be accessed through Vertex Predict/RawPredict API. Please follow "
    "https://cloud.google.com/vertex-ai/docs/generative-ai/start/quickstarts/quickstart-multimodal for Gemini usage."
)
OUTCOMES: dict[int, str] = {400: "rejected", 401: "unauthenticated", 403: "unauthenticated", 404: "not_found"}


def collect_signatures(value: Any, found: set[str]) -> set[str]:
    """Every ``thoughtSignature`` / ``thought_signature`` string inside ``value``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("thoughtSignature", "thought_signature") and isinstance(item, str):
                found.add(item)
            else:
                collect_signatures(item, found)
    elif isinstance(value, list):
        for item in value:
            collect_signatures(item, found)
    return found


def stream_error(reply: Reply | None) -> RpcError | None:
    """A stream reply holding an ``{"error": ...}`` event, served to a unary call, is that error."""
    if reply is None or reply.kind != "stream":
        return None
    for event in reply.events:
        error = event.get("error") if isinstance(event, Mapping) else None
        if isinstance(error, Mapping):
            return RpcError(int(error.get("code", 500)), {"error": dict(error)})
    return None


def parse_json(raw: bytes) -> tuple[Any, bool]:
    """(parsed body, ok); an unparsable body is kept as text for the record."""
    try:
        return json.loads(raw.decode("utf-8")) if raw else {}, True
    except (UnicodeDecodeError, ValueError):
        return raw.decode("utf-8", "replace"), False


class EmulatorApp:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.chat = ChatHandler(self)
        self.urls = Map([
            Rule("/token", endpoint="token", methods=["POST"]),
            Rule("/<version>/projects/<project>/locations/<location>/publishers/google/models/<target>",
                 endpoint="project_model", methods=["POST"]),
            Rule("/<version>/publishers/google/models/<target>", endpoint="express_model", methods=["POST"]),
            Rule("/<version>/projects/<project>/locations/<location>/endpoints/openapi/chat/completions",
                 endpoint="chat_completions", methods=["POST"]),
        ])

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        connection = Connection(environ, self.state.stopping)
        try:
            endpoint, args = self.urls.bind_to_environ(environ).match()
        except HTTPException:
            endpoint, args = "unknown", {}
        return getattr(self, f"_{endpoint}")(request, connection, start_response, **args)

    def new_record(self, request: Request, rpc: str, **fields: Any) -> CallRecord:
        body, _ = parse_json(request.get_data())
        call = CallRecord(seq=0, method=request.method, path=request.path, query=request.args.to_dict(),
                          headers=dict(request.headers.items()), rpc=rpc, body=body, **fields)
        return self.state.record(call)

    def _unknown(self, request: Request, connection: Connection, start_response: StartResponse) -> Iterable[bytes]:
        record = self.new_record(request, "unknown", outcome="not_found")
        return Responder(start_response, connection, record, "json").not_found_html()

    def _token(self, request: Request, connection: Connection, start_response: StartResponse) -> Iterable[bytes]:
        form = request.form.to_dict()
        record = self.new_record(request, "token")
        record.body = form
        status, body = self.state.grant(form)
        record.outcome = "ok" if status == 200 else "rejected"
        record.error_message = None if status == 200 else str(body.get("error_description", ""))
        return Responder(start_response, connection, record, "json").whole(status, wire.pretty(body), "application/json; charset=utf-8")

    def _project_model(self, request: Request, connection: Connection, start_response: StartResponse,
                       version: str, project: str, location: str, target: str) -> Iterable[bytes]:
        return self.model_call(request, connection, start_response, version, target, project, location)

    def _express_model(self, request: Request, connection: Connection, start_response: StartResponse,
                       version: str, target: str) -> Iterable[bytes]:
        return self.model_call(request, connection, start_response, version, target, None, None)

    def _chat_completions(self, request: Request, connection: Connection, start_response: StartResponse,
                          version: str, project: str, location: str) -> Iterable[bytes]:
        return self.chat.handle(request, connection, start_response, version, project, location)

    # -- shared steps ---------------------------------------------------------------------------------
    def authenticate(self, request: Request, express: bool, rpc_method: str) -> Identity:
        authorization = request.headers.get("Authorization", "")
        key = request.headers.get("x-goog-api-key") or request.args.get("key")
        if authorization[:7].lower() == "bearer ":
            identity = self.state.identify_bearer(authorization[7:].strip())
            if identity is None:
                raise errors.token_rejected(rpc_method)
            return identity
        if key:
            if not express:
                raise errors.api_key_not_supported(rpc_method)
            return self.state.identify_key(key)
        raise errors.credentials_missing(rpc_method)

    def authorize(self, identity: Identity, project: str | None, resource: str) -> None:
        if project is not None and project not in identity.projects:
            raise errors.permission_denied(resource)

    def remember(self, value: Any) -> None:
        self.state.remember_signatures(collect_signatures(value, set()))

    # -- model calls ----------------------------------------------------------------------------------
    def model_call(self, request: Request, connection: Connection, start_response: StartResponse, version: str,
                   target: str, project: str | None, location: str | None) -> Iterable[bytes]:
        model, _, rpc = target.rpartition(":")
        stream = rpc == "streamGenerateContent"
        style = ("sse" if request.args.get("alt") == "sse" else "array") if stream else "json"
        record = self.new_record(request, rpc, api_version=version, model=model, project=project,
                                 location=location, express=project is None)
        responder = Responder(start_response, connection, record, style)
        if version not in VERSIONS or rpc not in RPCS:
            record.outcome = "not_found"
            return responder.not_found_html()
        try:
            identity = self.authenticate(request, project is None, f"google.cloud.aiplatform.{version}.PredictionService.{RPCS[rpc]}")
            record.credential, record.credential_label = identity.credential, identity.label
            resource = f"projects/{project or identity.project}/locations/{location or 'global'}/publishers/google/models/{model}"
            self.authorize(identity, project, resource)
            facts = self.state.models.get(model)
            if facts is None:
                raise errors.model_not_found(resource)
            self.validate(request, record, version, rpc, facts)
        except RpcError as err:
            record.outcome = OUTCOMES.get(err.status, "rejected")
            return responder.error(err)
        reply = self.state.take_reply(model, identity, rpc)
        return self.answer(responder, reply, record.body, facts, rpc)

    def validate(self, request: Request, record: CallRecord, version: str, rpc: str, facts: ModelFacts) -> None:
        body, ok = parse_json(request.get_data())
        if not ok:
            raise errors.bad_request([(None, "Invalid JSON payload received. Unexpected token.")])
        root = {"predict": "PredictRequest", "countTokens": "CountTokensRequest"}.get(rpc, "GenerateContentRequest")
        if (rpc == "predict") != (facts.kind == "embedding"):
            raise invalid_argument(GEMINI_PREDICT if rpc == "predict" else
                                   f"Unable to submit request because {facts.name} does not support {rpc}. Learn more: {errors.DOCS}")
        violations = schema.validate(body, root, version)
        if violations:
            raise errors.bad_request(violations)
        if rpc == "predict":
            answers.check_predict(body, facts)
        elif rpc == "countTokens":
            rules.check_contents(a.as_list(a.get(body, "contents")), facts)
        else:
            rules.check_generate_request(body, facts, self.state.is_issued)

    def answer(self, responder: Responder, reply: Reply | None, body: Any, facts: ModelFacts, rpc: str) -> Iterable[bytes]:
        record = responder.record
        record.reply_label = reply.label if reply is not None else "default"
        faults = reply.faults if reply is not None else Faults()
        if reply is not None and reply.kind == "error":
            record.outcome = "scripted_error"
            return responder.error(RpcError(reply.status, reply.body, headers=dict(reply.headers)), faults)
        failed = stream_error(reply) if rpc != "streamGenerateContent" else None
        if failed is not None:
            record.outcome = "scripted_error"
            return responder.error(failed, faults)
        record.outcome = success_outcome(faults)
        if rpc == "streamGenerateContent":
            events = reply.stream_events() if reply is not None else chunking.to_stream_events(self.default(body, facts, rpc))
            self.remember(events)
            return responder.events(events, faults, self.state.track_stream)
        unary = reply.unary_body() if reply is not None else self.default(body, facts, rpc)
        self.remember(unary)
        return responder.unary(unary, faults)

    def default(self, body: Any, facts: ModelFacts, rpc: str) -> dict[str, Any]:
        if rpc == "countTokens":
            return answers.count_tokens(body)
        if rpc == "predict":
            return answers.predict(body, facts)
        return answers.generate(body, facts, self.state.issue_signature)
