import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Logger } from '@hum/observability';
import { type ProblemBody, problemBody, ProblemException } from './problem';

interface HttpResponseLike {
  status(code: number): HttpResponseLike;
  setHeader(name: string, value: string): void;
  headersSent?: boolean;
  end(body: string): void;
}

interface HttpRequestLike {
  url?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
};

/**
 * Every HTTP error leaves as application/problem+json. 4xx say what and where; a 5xx says only
 * that it failed and gives an error id that is also in the log line with the stack.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const response = http.getResponse<HttpResponseLike>();
    const request = http.getRequest<HttpRequestLike>();
    const instance = request.url?.split('?')[0];
    let body: ProblemBody;
    let headers: Record<string, string> = {};
    if (exception instanceof ProblemException) {
      body = problemBody(exception.problem, instance);
      headers = exception.problem.headers ?? {};
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const detail =
        typeof payload === 'string'
          ? payload
          : Array.isArray((payload as { message?: unknown }).message)
            ? (payload as { message: string[] }).message.join('; ')
            : String((payload as { message?: unknown }).message ?? exception.message);
      body = problemBody(
        { status, code: `http-${status}`, title: TITLES[status] ?? 'Error', detail },
        instance,
      );
    } else {
      const errorId = randomUUID();
      this.logger.error({ err: exception, errorId, path: instance }, 'unhandled error in request');
      body = problemBody(
        {
          status: 500,
          code: 'internal',
          title: 'Internal error',
          detail: `the request failed; quote error id ${errorId} to the operators`,
          extensions: { errorId },
        },
        instance,
      );
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('Content-Type', 'application/problem+json');
    response.status(body.status).end(JSON.stringify(body));
  }
}
