"""The emulator as a server: byte-exact wire format, scripting, faults and stream lifecycle."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.emulator import Reply, VertexEmulator, payloads
from tests.emulator.fixtures import example_path, load_json, load_sse_events

BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


def post(emulator: VertexEmulator, key: str, model: str = "gemini-2.5-flash", method: str = "generateContent",
         sse: bool = True, **kwargs: object) -> requests.Response:
    return requests.post(emulator.model_url(model, method, sse=sse), json=kwargs.pop("json", BODY),
                         headers={"x-goog-api-key": key}, timeout=kwargs.pop("timeout", 5), **kwargs)


def test_starts_fast_and_stops_cleanly() -> None:
    started = time.monotonic()
    emulator = VertexEmulator().start()
    assert time.monotonic() - started < 0.3
    assert emulator.url.startswith("http://127.0.0.1:")
    emulator.stop()
    with pytest.raises(RuntimeError):
        _ = emulator.url


def test_unknown_routes_get_googles_html_404(emulator: VertexEmulator) -> None:
    answer = requests.get(f"{emulator.url}/v1/models", timeout=5)
    assert answer.status_code == 404 and "text/html" in answer.headers["Content-Type"]
    assert requests.post(f"{emulator.url}/v2/publishers/google/models/x:generateContent", timeout=5).status_code == 404


# -- byte-exact wire format -------------------------------------------------------------------------

def test_unary_bytes_match_a_real_capture(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_fixture("generate/structured-output.response.json"))
    answer = post(emulator, key)
    assert answer.content == example_path("generate/structured-output.response.json").read_bytes()
    assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"


def test_unary_json_is_raw_utf8(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(payloads.text_response("18°C, 東京"))
    assert "18°C, 東京".encode("utf-8") in post(emulator, key).content


@pytest.mark.parametrize("fixture", ["stream/text.gemini-2.5.sse", "stream/function-call.parallel.gemini-3.sse",
                                     "stream/thoughts-then-text.gemini-3.sse", "stream/error-mid-stream.sse"])
def test_sse_bytes_match_the_captures(emulator: VertexEmulator, key: str, fixture: str) -> None:
    emulator.enqueue(Reply.from_sse_fixture(fixture))
    answer = post(emulator, key, method="streamGenerateContent")
    assert answer.headers["Content-Type"] == "text/event-stream"
    assert answer.content == example_path(fixture).read_bytes()
    assert b"[DONE]" not in answer.content and answer.content.count(b"\r\n\r\n") == answer.content.count(b"data: ")


def test_without_alt_sse_the_stream_is_one_json_array(emulator: VertexEmulator, key: str) -> None:
    events = load_json("stream/no-alt-sse.json-array.json")
    emulator.enqueue(Reply.stream(events))
    answer = post(emulator, key, method="streamGenerateContent", sse=False)
    assert answer.content == example_path("stream/no-alt-sse.json-array.json").read_bytes()


def test_errors_without_alt_sse_are_wrapped_in_an_array(emulator: VertexEmulator) -> None:
    token = emulator.access_token(emulator.new_service_account("my-project"))
    url = emulator.model_url("gemini-9.9-flash", "streamGenerateContent", project="my-project", location="us-central1", sse=False)
    answer = requests.post(url, json=BODY, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == 404
    assert answer.content == example_path("errors/404.publisher-model-not-found.no-alt-sse.json").read_bytes()


def test_errors_before_a_sse_stream_are_pretty_json(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.error(429))
    answer = post(emulator, key, method="streamGenerateContent")
    assert answer.status_code == 429
    assert answer.content == example_path("errors/429.resource-exhausted.json").read_bytes()
    assert answer.headers["Content-Type"] == "text/event-stream"


# -- scripting ----------------------------------------------------------------------------------------

def test_replies_wait_for_their_model_and_are_visible_until_used(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(payloads.text_response("for pro"), model="gemini-2.5-pro")
    assert "Hello from gemini-2.5-flash" in post(emulator, key).text
    assert [p["model"] for p in emulator.pending()] == ["gemini-2.5-pro"]
    assert post(emulator, key, model="gemini-2.5-pro").json()["candidates"][0]["content"]["parts"][0]["text"] == "for pro"
    assert emulator.pending() == []


def test_replies_are_used_in_order_and_times(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.error(503), times=2)
    emulator.enqueue(Reply.error(500))
    assert [post(emulator, key).status_code for _ in range(4)] == [503, 503, 500, 200]
    assert [c.outcome for c in emulator.calls_for("generateContent")] == ["scripted_error"] * 3 + ["ok"]


def test_replies_can_target_a_credential_and_a_method(emulator: VertexEmulator, key: str) -> None:
    other = emulator.new_express_key()
    label = emulator.register_express_key(other)
    emulator.enqueue(Reply.error(429), credential=label)
    emulator.enqueue(Reply.error(500), method="streamGenerateContent")
    assert post(emulator, key).status_code == 200
    assert post(emulator, other).status_code == 429
    assert post(emulator, key, method="streamGenerateContent").status_code == 500
    assert emulator.calls_for(credential=other)[-1].credential_label == label


def test_standing_reply_and_retry_after(emulator: VertexEmulator, key: str) -> None:
    emulator.always(Reply.error(429, retry_after=7), model="gemini-2.5-pro")
    answers = [post(emulator, key, model="gemini-2.5-pro") for _ in range(2)]
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].headers["Retry-After"] == "7"
    assert emulator.pending() == []


def test_error_with_a_message(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.error(400, message="Something specific."))
    assert post(emulator, key).json() == {"error": {"code": 400, "message": "Something specific.", "status": "INVALID_ARGUMENT"}}


def test_unary_reply_on_a_stream_call_is_split(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_fixture("generate/function-call.parallel.gemini-3.response.json"))
    events = _events(post(emulator, key, method="streamGenerateContent"))
    assert events == load_sse_events("stream/function-call.parallel.gemini-3.sse")


def test_stream_reply_on_a_unary_call_is_merged(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_sse_fixture("stream/thoughts-then-text.gemini-3.sse"))
    assert post(emulator, key).json() == load_json("generate/thoughts.gemini-3.response.json")


def test_dict_and_list_shortcuts(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(payloads.text_response("a"), payloads.to_stream_events(payloads.text_response("b c")))
    assert post(emulator, key).json()["candidates"][0]["content"]["parts"][0]["text"] == "a"
    assert len(_events(post(emulator, key, method="streamGenerateContent"))) == 2


def _events(answer: requests.Response) -> list[dict[str, object]]:
    return [json.loads(line[6:]) for line in answer.text.split("\r\n") if line.startswith("data: ")]


# -- faults -------------------------------------------------------------------------------------------

def test_delay_before_headers(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.unary(payloads.text_response("late")).delay(0.3))
    started = time.monotonic()
    assert post(emulator, key).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_hang_ends_in_a_client_timeout(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.unary(payloads.text_response("never")).hang(5))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(emulator, key, timeout=0.3)
    assert emulator.last_call().outcome == "fault"


def test_hang_then_connection_dropped(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.error(500).hang(0.1))
    with pytest.raises(requests.exceptions.ConnectionError):
        post(emulator, key)


def test_error_event_mid_stream(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_sse_fixture("stream/text.gemini-2.5.sse").error_after(1, status=429))
    answer = post(emulator, key, method="streamGenerateContent")
    assert answer.status_code == 200
    events = _events(answer)
    assert len(events) == 2 and events[1]["error"]["code"] == 429
    assert answer.content.endswith(b'"status": "RESOURCE_EXHAUSTED"}}\r\n\r\n')
    assert emulator.last_call().stream.outcome == "completed"


def test_cut_mid_stream_breaks_the_chunked_body(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_sse_fixture("stream/text.gemini-2.5.sse").cut_after(2))
    received = b""
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        with post(emulator, key, method="streamGenerateContent", stream=True) as answer:
            for chunk in answer.iter_content(None):
                received += chunk
    assert received.count(b"data: ") == 2
    assert emulator.last_call().stream.outcome == "cut"


def test_cut_on_a_unary_call_sends_half_the_body(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.unary(payloads.text_response("x" * 200)).cut_after(0))
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        post(emulator, key)
    assert emulator.last_call().outcome == "fault"


def test_slow_bytes_and_gaps_between_events(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_sse_fixture("stream/text.gemini-2.5.sse").slow(chunk=64, interval=0.01).between(0.05))
    started = time.monotonic()
    with post(emulator, key, method="streamGenerateContent", stream=True) as answer:
        chunks = list(answer.iter_content(None))
    assert time.monotonic() - started >= 0.1
    assert len(chunks) > 3
    assert b"".join(chunks) == example_path("stream/text.gemini-2.5.sse").read_bytes()


# -- stream lifecycle ---------------------------------------------------------------------------------

def _raw_stream_request(emulator: VertexEmulator, key: str) -> tuple[socket.socket, bytes]:
    parts = urlsplit(emulator.model_url("gemini-2.5-flash", "streamGenerateContent"))
    body = json.dumps(BODY).encode()
    sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
    head = (f"POST {parts.path}?{parts.query} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    sock.sendall(head + body)
    return sock, sock.recv(4096)


def test_client_going_away_is_noticed_at_once(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.stream([payloads.text_response(f"word {i}") for i in range(20)]).between(0.5))
    sock, first = _raw_stream_request(emulator, key)
    assert b"200 OK" in first
    assert emulator.wait_until(lambda: emulator.open_streams() == 1)
    closed_at = time.monotonic()
    sock.close()
    assert emulator.wait_for_streams_closed(timeout=1.0)
    stream = emulator.last_call().stream
    assert stream.outcome == "client_disconnected" and stream.client_went_away
    assert stream.ended_at is not None and stream.ended_at - closed_at < 0.3
    assert stream.events_sent < 20


def test_stream_read_to_the_end_is_completed(emulator: VertexEmulator, key: str) -> None:
    answer = post(emulator, key, method="streamGenerateContent")
    stream = emulator.last_call().stream
    assert answer.status_code == 200 and stream.outcome == "completed"
    assert stream.events_sent == len(_events(answer)) and stream.duration is not None
    assert emulator.open_streams() == 0


def test_http_client_sees_chunked_sse(emulator: VertexEmulator, key: str) -> None:
    parts = urlsplit(emulator.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("POST", urlsplit(emulator.model_url("gemini-2.5-flash", "streamGenerateContent")).path + "?alt=sse",
                       body=json.dumps(BODY), headers={"x-goog-api-key": key, "Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.read().endswith(b"}\r\n\r\n")
    connection.close()


def test_recording_keeps_request_details(emulator: VertexEmulator, key: str) -> None:
    post(emulator, key)
    record = emulator.last_call("generateContent")
    assert record.method == "POST" and record.path.endswith("/publishers/google/models/gemini-2.5-flash:generateContent")
    assert record.api_version == "v1" and record.model == "gemini-2.5-flash" and record.express
    assert record.headers["X-Goog-Api-Key"] == key
    assert record.body == BODY and record.contents == BODY["contents"] and record.status == 200 and record.accepted


def test_stream_with_an_error_event_served_to_a_unary_call_is_that_error(emulator: VertexEmulator, key: str) -> None:
    emulator.enqueue(Reply.from_sse_fixture("stream/error-mid-stream.sse"))
    answer = post(emulator, key)
    assert answer.status_code == 429 and answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
