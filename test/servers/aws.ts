// Talking to moto's server from the tests (it checks no signatures): S3 over
// plain path-style HTTP, CloudWatch Logs as JSON-1.1 calls routed by the
// credential scope of the Authorization header. The collector gets fixed fake
// credentials through the environment (the AWS SDK's default chain).
import { gunzipSync } from 'node:zlib';

export const AWS_REGION = 'us-east-1';
export const AWS_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'otel-audit-test',
  AWS_SECRET_ACCESS_KEY: 'otel-audit-test-secret',
  AWS_REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
};

function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${AWS_ENV.AWS_ACCESS_KEY_ID}/20260101/${AWS_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const response = await fetch(`${endpoint}/${bucket}`, { method: 'PUT', headers: { authorization: authorization('s3') } });
  if (!response.ok) throw new Error(`create bucket ${bucket}: ${response.status} ${await response.text()}`);
}

export interface S3Object {
  key: string;
  contentEncoding: string | null;
  contentType: string | null;
  /** The object's bytes, gunzipped when they are gzip. */
  text: string;
}

/** Every object under `prefix`, with its content. */
export async function listObjects(endpoint: string, bucket: string, prefix = ''): Promise<S3Object[]> {
  const listing = await (await fetch(`${endpoint}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`, { headers: { authorization: authorization('s3') } })).text();
  const keys = [...listing.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  return Promise.all(keys.map(async (key) => {
    const response = await fetch(`${endpoint}/${bucket}/${key}`, { headers: { authorization: authorization('s3'), 'accept-encoding': 'identity' } });
    const bytes = Buffer.from(await response.arrayBuffer());
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    return { key, contentEncoding: response.headers.get('content-encoding'), contentType: response.headers.get('content-type'), text: (gzip ? gunzipSync(bytes) : bytes).toString('utf8') };
  }));
}

/** One CloudWatch Logs API call (e.g. `GetLogEvents`); throws with moto's answer on an error. */
export async function cloudWatchLogs<T = Record<string, unknown>>(endpoint: string, action: string, body: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${action}`, authorization: authorization('logs') },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${action}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
