// The Vercel AI SDK (`ai`) against a running gateway through two providers: `@ai-sdk/openai`'s
// default model (the Responses API) and `@ai-sdk/openai-compatible` (Chat Completions). Each runs
// generateText, streamText and generateText with one tool over two steps. Every HTTP answer the
// SDK received is kept (path, status, content type, body) so the Python test can check it against
// OpenAI's schemas. Prints one JSON object.
// Usage: GATEWAY_URL=http://127.0.0.1:PORT/v1 GATEWAY_KEY=... PROVIDER=openai|compatible node ai_sdk_check.mjs
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";

const answers = [];

async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  const body = await response.clone().text();
  answers.push({ path: new URL(response.url).pathname, status: response.status, contentType: response.headers.get("content-type"), body });
  return response;
}

const settings = { baseURL: process.env.GATEWAY_URL, apiKey: process.env.GATEWAY_KEY, fetch: recordingFetch };
const providers = {
  openai: createOpenAI(settings),
  compatible: createOpenAICompatible({ ...settings, name: "gateway", includeUsage: true }),
};

const weather = tool({
  description: "Current weather for a city",
  inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

async function run(provider) {
  const text = await generateText({ model: provider("gemini-2.5-flash"), prompt: "Hello from the AI SDK", maxRetries: 0 });
  const streamed = streamText({ model: provider("gemini-2.5-flash"), prompt: "Streamed by the AI SDK", maxRetries: 0 });
  const pieces = [];
  for await (const piece of streamed.textStream) {
    pieces.push(piece);
  }
  const withTool = await generateText({
    model: provider("gemini-3-flash-preview"),
    prompt: "What is the weather in Paris?",
    tools: { get_weather: weather },
    stopWhen: stepCountIs(2),
    maxRetries: 0,
  });
  return {
    text: { text: text.text, finishReason: text.finishReason, usage: text.usage },
    stream: { pieces, finishReason: await streamed.finishReason },
    tool: {
      steps: withTool.steps.map((step) => ({
        calls: step.toolCalls.map((call) => ({ name: call.toolName, input: call.input })),
        results: step.toolResults.map((result) => result.output),
        text: step.text,
      })),
      text: withTool.text,
    },
  };
}

const result = await run(providers[process.env.PROVIDER]);
process.stdout.write(JSON.stringify({ ...result, answers }));
