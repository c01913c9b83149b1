import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { composeService } from './compose-service';

interface ServiceConfig {
  HOST: string;
  PORT: number;
  KAFKA_BROKERS: readonly string[] | string;
}

/**
 * The checks every service's compose.spec.ts makes: docker-compose.yml runs the service, and
 * its environment (secrets and mounted files included) passes the service's own config
 * schema — or `docker compose up` would start a crash loop.
 */
export function describeComposeService(
  app: string,
  load: (env: NodeJS.ProcessEnv) => ServiceConfig,
  port: number,
): void {
  describe(`docker-compose.yml: ${app}`, () => {
    const service = composeService(app);

    afterAll(() => rmSync(service.secretsDir, { recursive: true, force: true }));

    it('loads through the config schema, reachable on its published port', () => {
      const config = load(service.env);
      expect(config.HOST).toBe('0.0.0.0');
      expect(config.PORT).toBe(port);
      expect(String(config.KAFKA_BROKERS)).toContain('kafka:19092');
    });

    it('runs the built entry point of the app, after the broker and PostgreSQL are healthy', () => {
      expect(service.command).toEqual([`dist/apps/${app}/src/main.js`]);
      expect(existsSync(path.resolve(__dirname, '../../../../apps', app, 'src/main.ts'))).toBe(
        true,
      );
      expect(service.dependsOn).toEqual({ kafka: 'service_healthy', postgres: 'service_healthy' });
    });

    it('takes its secrets from files, never from plain values', () => {
      const plain = Object.keys(service.env).filter((key) =>
        /(TOKEN|PASSWORD|SECRET|DATABASE_URL)$/.test(key),
      );
      expect(plain).toEqual([]);
      expect(service.env['HUM_OPS_TOKEN_FILE']).toBeDefined();
    });
  });
}
