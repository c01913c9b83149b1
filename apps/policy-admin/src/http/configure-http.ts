import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AUTHENTICATOR, type Authenticator, holdsAnyRole } from '@hum/auth';
import { problemBody } from '@hum/runtime';
import type { AdminConfig } from '../config';
import { SESSION_COOKIE } from '../auth/sessions.service';

type Next = (error?: unknown) => void;

function sendProblem(response: ServerResponse, status: number, code: string, detail: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/problem+json');
  if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="hum"');
  response.end(
    JSON.stringify(
      problemBody({
        status,
        code,
        title: status === 401 ? 'Unauthenticated' : 'Forbidden',
        detail,
      }),
    ),
  );
}

/** Headers every response carries: no sniffing, no framing, no referrer leaks, no caching of API answers. */
function securityHeaders(_request: IncomingMessage, response: ServerResponse, next: Next): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * The OpenAPI document and its UI at /docs, behind the same authentication as the API: any
 * person with a role (a logged-in console session works in the browser).
 */
export function configureHttp(app: INestApplication, _config: AdminConfig): void {
  app.use(securityHeaders);
  const authenticator = app.get<Authenticator>(AUTHENTICATOR);
  const requirePerson = (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    authenticator
      .authenticate({
        method: request.method ?? 'GET',
        url: request.url ?? '',
        headers: request.headers,
      })
      .then((result) => {
        if (!result.ok) return sendProblem(response, 401, 'unauthenticated', result.detail);
        if (!holdsAnyRole(result.principal, ['viewer']))
          return sendProblem(
            response,
            403,
            'forbidden',
            'the API documentation is for people with a role',
          );
        next();
      })
      .catch(next);
  };
  for (const path of ['/docs', '/docs-json', '/docs-yaml']) app.use(path, requirePerson);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('hum policy-admin')
      .setDescription(
        'Per-tier auto-remediation policy with two-person approval, pipeline API keys, risk acceptances, the audit chain and the read model behind the console. Every endpoint needs a session (cookie + X-CSRF-Token for changes, or a bearer session token) or an OIDC bearer token.',
      )
      .setVersion('1')
      .addBearerAuth()
      .addCookieAuth(SESSION_COOKIE)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
