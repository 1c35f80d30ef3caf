// Small HTTP helpers shared by the router and the resource routes.
import type { IncomingMessage } from 'node:http';

/** Thrown by handlers; the server turns it into a JSON response (DRF's error shapes). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'detail' in body ? String((body as { detail: unknown }).detail) : `HTTP ${status}`);
  }
}

/**
 * An exception authentik itself would not handle (a Python error in a serializer): Django's
 * handler500 answers with its HTML "Server Error" page. Thrown where the stand-in models such a
 * crash on purpose, so it is not reported as a stand-in bug.
 */
export class ServerCrash extends Error {}

// DRF's standard messages (rest_framework/exceptions.py), which authentik passes through.
export const MSG = {
  notProvided: 'Authentication credentials were not provided.',
  tokenInvalid: 'Token invalid/expired',
  denied: 'You do not have permission to perform this action.',
  invalidPage: 'Invalid page.',
  notFound: 'Not found.',
} as const;

export const forbidden = (detail: string = MSG.denied): HttpError => new HttpError(403, { detail });
/** Django's get_object_or_404 message, passed through by DRF >= 3.15. */
export const notFound = (objectName?: string): HttpError =>
  new HttpError(404, { detail: objectName ? `No ${objectName} matches the given query.` : MSG.notFound });
export const badRequest = (body: Record<string, unknown> | string[]): HttpError => new HttpError(400, body);

export const MAX_BODY_BYTES = 64 * 1024 * 1024; // above the files API's 25 MB so its own check answers

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, { detail: 'Request body too large.' });
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** A parsed request as the handlers see it. */
export interface ApiRequest {
  method: string;
  template: string; // schema path template, e.g. '/core/users/{id}/'
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown; // parsed JSON object, multipart fields, or undefined
  files: Record<string, { filename: string; contentType: string; data: Buffer }>;
  principal: Principal | null;
  baseUrl: string; // e.g. http://127.0.0.1:1234
}

export interface Principal {
  username: string;
  userPk: number;
  superuser: boolean;
  permissions: Set<string>;
}

export interface ApiResponse {
  status: number;
  body?: unknown; // undefined -> empty body
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });
export const noContent = (): ApiResponse => ({ status: 204 });
