import { CATEGORIES, SEVERITIES } from '../findings';

/**
 * The findings contract as a strict JSON schema, for `response_format: { type: 'json_schema',
 * json_schema: { name, strict: true, schema } }`. Strict mode (OpenAI, Azure, vLLM, LM Studio)
 * requires every property to be listed in `required` and `additionalProperties: false` on every
 * object; "optional" is expressed as nullable. It mirrors `modelFindingSchema` in ../findings.ts
 * (a unit test keeps the two in step).
 */
export const FINDINGS_SCHEMA_NAME = 'review_findings';

const fixJsonSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['startLine', 'endLine', 'replacement'],
  properties: {
    startLine: { type: 'integer', description: 'First line the replacement replaces (as numbered in the prompt).' },
    endLine: { type: 'integer', description: 'Last line the replacement replaces (inclusive).' },
    replacement: { type: 'string', description: 'The new text for those whole lines, indentation included.' },
  },
} as const;

const findingJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'title',
    'severity',
    'category',
    'startLine',
    'endLine',
    'quote',
    'message',
    'suggestion',
    'fix',
    'confidence',
  ],
  properties: {
    title: { type: 'string', description: 'One line.' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    category: { type: 'string', enum: [...CATEGORIES] },
    startLine: { type: 'integer', description: '1-based, as numbered in the prompt.' },
    endLine: { type: 'integer', description: '1-based, inclusive, as numbered in the prompt.' },
    quote: { type: 'string', description: 'The exact code the finding is about, copied verbatim from those lines.' },
    message: { type: 'string', description: 'What is wrong and why it matters in production.' },
    suggestion: { type: 'string', description: 'What to do instead.' },
    fix: fixJsonSchema,
    confidence: { type: 'number', description: 'How sure you are, from 0 to 1.' },
  },
} as const;

const overkillJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'reason'],
  properties: {
    title: { type: 'string', description: 'The hardening idea left out, in one line.' },
    reason: { type: 'string', description: 'Why it would be overkill for this code, in one sentence.' },
  },
} as const;

export const FINDINGS_JSON_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'findings', 'overkill'],
  properties: {
    summary: { type: 'string', description: 'Two or three sentences on the overall state of the code.' },
    findings: { type: 'array', items: findingJsonSchema },
    overkill: {
      type: 'array',
      description: 'Ideas that would be overkill for this code, said instead of raised as findings; usually empty.',
      items: overkillJsonSchema,
    },
  },
};

/**
 * The prompt text that tells the model the exact answer shape. It is sent whatever the response
 * format, because endpoints that fall back to `json_object` or plain text only have this to go by.
 */
export const OUTPUT_CONTRACT_INSTRUCTIONS = [
  'Answer with one JSON object and nothing else (no prose, no code fences), exactly in this shape:',
  '{',
  '  "summary": string,',
  '  "findings": [ {',
  '    "title": string,            // one line',
  `    "severity": ${SEVERITIES.map((s) => `"${s}"`).join(' | ')},`,
  `    "category": ${CATEGORIES.map((c) => `"${c}"`).join(' | ')},`,
  '    "startLine": number,        // first line of the code the finding is about',
  '    "endLine": number,          // last line (inclusive)',
  '    "quote": string,            // that code, copied character for character',
  '    "message": string,          // what is wrong and why it matters in production',
  '    "suggestion": string,       // what to do instead',
  '    "fix": { "startLine": number, "endLine": number, "replacement": string } | null,',
  '    "confidence": number        // 0 to 1',
  '  } ],',
  '  "overkill": [ { "title": string, "reason": string } ]   // ideas that would be overkill here; usually []',
  '}',
  'Rules:',
  '- Line numbers are the numbers printed at the start of each line of the code above; use them as they are, never count lines yourself.',
  '- "quote" must be copied verbatim from the cited lines (without the printed line numbers), so it can be found in the file.',
  '- "fix" replaces whole lines startLine..endLine with "replacement"; use null when there is no safe, local fix.',
  '- Report only real problems you can point at in the code shown. An empty "findings" list is a fine answer when there is nothing worth raising.',
  '- A hardening idea that would be overkill for this code goes in "overkill" (what, and why not here), not in "findings".',
].join('\n');

/** Said again after the code: the last thing the model reads is the answer it must give. */
export const OUTPUT_CONTRACT_REMINDER =
  'Answer now with the JSON object of the output contract only ("summary", "findings", "overkill"): no prose, no headings, no diagrams, no full implementations, no questions, whatever the persona asks for.';
