// The openai npm package against a running gateway: chat, stream, tools (two turns), embeddings,
// Responses (create and stream) and an error. Prints one JSON object with what the SDK returned; the Python test checks it.
// Usage: GATEWAY_URL=http://127.0.0.1:PORT/v1 GATEWAY_KEY=... node client_check.mjs
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.GATEWAY_URL, apiKey: process.env.GATEWAY_KEY, maxRetries: 0, timeout: 30000 });
const hello = [{ role: "user", content: "Hello from Node" }];
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

async function chat() {
  const { data, response } = await client.chat.completions.create({ model: "gemini-2.5-flash", messages: hello }).withResponse();
  return { completion: data, credential: response.headers.get("x-gateway-credential"), requestId: response.headers.get("x-request-id") };
}

async function stream() {
  const chunks = [];
  const events = await client.chat.completions.create({
    model: "gemini-2.5-flash",
    messages: hello,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of events) {
    chunks.push(chunk);
  }
  return chunks;
}

async function tools() {
  const messages = [{ role: "user", content: "What is the weather in Paris?" }];
  const first = await client.chat.completions.create({ model: "gemini-3-flash-preview", messages, tools: [weatherTool] });
  const call = first.choices[0].message.tool_calls[0];
  messages.push(first.choices[0].message);
  messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify({ city: "Paris", celsius: 21 }) });
  const second = await client.chat.completions.create({ model: "gemini-3-flash-preview", messages, tools: [weatherTool] });
  return { first, second };
}

async function embeddings() {
  return client.embeddings.create({ model: "text-embedding-005", input: ["one", "two"], dimensions: 8 });
}

async function responses() {
  const created = await client.responses.create({ model: "gemini-2.5-flash", input: "Hello from Node Responses" });
  const events = [];
  const stream = await client.responses.create({ model: "gemini-2.5-flash", input: "Streamed to Node Responses", stream: true });
  for await (const event of stream) {
    events.push(event);
  }
  return { created, outputText: created.output_text, events };
}

async function error() {
  try {
    await client.chat.completions.create({ model: "gemini-2.5-flash", messages: hello, temperature: 9 });
    return null;
  } catch (err) {
    if (!(err instanceof OpenAI.BadRequestError)) throw err;
    return { status: err.status, body: { error: err.error } };
  }
}

const result = {
  chat: await chat(),
  stream: await stream(),
  tools: await tools(),
  embeddings: await embeddings(),
  responses: await responses(),
  error: await error(),
};
process.stdout.write(JSON.stringify(result));
