import type { IncomingMessage, ServerResponse } from 'node:http';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessGuard, type PersonPrincipal, RequireRoles } from '@hum/auth';
import { ProblemException } from '@hum/runtime';
import { LocalUsersService } from '../auth/local-users.service';
import { SESSION_COOKIE, SessionsService } from '../auth/sessions.service';
import { DeniedAttempts } from '../audit/denied-attempts';
import { openApiSchema } from '../http/openapi';
import { parseInput } from '../http/parse-input';
import { Person } from '../http/principal.decorator';
import { Refused } from '../http/refusal';
import { ADMIN_SETTINGS, type AdminSettings } from '../tokens';

const LoginBody = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    /** Return the session token in the body (API clients) instead of setting the cookie. */
    bearer: z.boolean().optional(),
  })
  .strict();

const PasswordBody = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(1).max(1024),
  })
  .strict();

function sessionView(principal: PersonPrincipal) {
  return {
    username: principal.id,
    roles: [...principal.roles],
    source: principal.source,
    ...(principal.via === 'session-cookie' ? { csrfToken: principal.csrfToken } : {}),
  };
}

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly users: LocalUsersService,
    private readonly denied: DeniedAttempts,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in as a local user',
    description:
      'Sets an http-only SameSite=strict session cookie and returns the CSRF token that cookie-authenticated changes must send as X-CSRF-Token. With `bearer: true` returns the session token instead, for API clients.',
  })
  @ApiBody({ schema: openApiSchema(LoginBody) })
  async login(
    @Req() request: IncomingMessage,
    @Res({ passthrough: true }) response: ServerResponse,
    @Body() body: unknown,
  ) {
    // A cross-site form cannot send JSON without a preflight: this closes login CSRF.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
      throw new ProblemException({
        status: 415,
        code: 'json-required',
        title: 'JSON required',
        detail: 'send the credentials as application/json',
      });
    let input: z.output<typeof LoginBody>;
    try {
      input = parseInput(LoginBody, body);
    } catch (error) {
      if (error instanceof Refused) throw error.toProblem();
      throw error;
    }
    const outcome = await this.sessions.login(
      input.username,
      input.password,
      request.socket.remoteAddress ?? 'unknown',
    );
    if (!outcome.ok && outcome.reason === 'rate-limited') {
      const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
      throw new ProblemException({
        status: 429,
        code: 'rate-limited',
        title: 'Too many login attempts',
        detail: `too many login attempts; retry in ${seconds} s`,
        headers: { 'Retry-After': String(seconds) },
      });
    }
    if (!outcome.ok)
      throw new ProblemException({
        status: 401,
        code: 'login-failed',
        title: 'Login failed',
        detail: 'unknown user or wrong password',
      });
    const { login } = outcome;
    const view = {
      username: login.username,
      roles: login.roles,
      expiresAt: login.expiresAt.toISOString(),
    };
    if (input.bearer === true) return { ...view, token: login.token };
    const maxAge = Math.floor((login.expiresAt.getTime() - Date.now()) / 1000);
    response.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${login.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${this.settings.cookieSecure ? '; Secure' : ''}`,
    );
    return { ...view, csrfToken: login.csrfToken };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(AccessGuard)
  @RequireRoles()
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'End the current session' })
  async logout(
    @Person() person: PersonPrincipal,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<void> {
    await this.sessions.logout(person);
    response.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    );
  }

  @Get('session')
  @UseGuards(AccessGuard)
  @RequireRoles()
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({
    summary: 'Who is logged in, with which roles (and the CSRF token of a cookie session)',
  })
  session(@Person() person: PersonPrincipal) {
    return sessionView(person);
  }

  @Post('password')
  @HttpCode(204)
  @UseGuards(AccessGuard)
  @RequireRoles()
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: "Change one's own local password (ends one's other sessions)" })
  @ApiBody({ schema: openApiSchema(PasswordBody) })
  async password(@Person() person: PersonPrincipal, @Body() body: unknown): Promise<void> {
    await this.denied.guard(
      person,
      'auth.password.change',
      { type: 'user', id: person.id },
      async () => {
        const input = parseInput(PasswordBody, body);
        await this.users.changePassword(person, input.currentPassword, input.newPassword);
      },
    );
  }
}
