import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { consoleScript } from '../console/console-app';

const CONSOLE_DIR = path.join(__dirname, '..', 'console');

/** No inline script or style anywhere: the console runs under a strict policy. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web console: static files only (plain HTML, CSS and a script), no data. Everything it
 * shows comes from the authenticated API, so these files are the one thing served without a
 * session — a login page has to load before anyone has logged in.
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  private readonly html = readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
  private readonly css = readFileSync(path.join(CONSOLE_DIR, 'console.css'), 'utf8');
  private readonly script = consoleScript();

  @Get()
  @Redirect('/console', 302)
  root(): void {
    // The redirect decorator answers; there is no body to build.
  }

  @Get('console')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  page(): string {
    return this.html;
  }

  /**
   * A ticket group's page (`/console/groups/<URL-encoded group key>`), where a ticket's detail
   * link points: the same static page, whose script reads the key from the path and shows the
   * group once the person has logged in.
   */
  @Get('console/groups/:groupKey')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  groupPage(): string {
    return this.html;
  }

  @Get('console/console.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(): string {
    return this.css;
  }

  @Get('console/console.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  app(): string {
    return this.script;
  }
}
