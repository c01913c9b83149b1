import type { Secret } from '@hum/config';
import type { PatchStrategyName } from '@hum/contracts';
import { AwxJobPatcher } from './awx-job/awx-job.patcher';
import type { PatchingConfig } from './config/patching-config';
import { GitHubPrPatcher } from './github-pr/github-pr.patcher';
import { GitLabMrPatcher } from './gitlab-mr/gitlab-mr.patcher';
import type { RestClientOptions } from './http/rest-client';
import type { Patcher } from './patcher';
import type { PatchTarget } from './targets/patch-target';
import { WebhookPatcher } from './webhook/webhook.patcher';

export interface PatcherRegistryOptions {
  readonly config: PatchingConfig;
  /** Credentials by the environment variable the configuration names. */
  readonly credentials: ReadonlyMap<string, Secret>;
  /** hum's callback URL for a webhook host in `callback` mode. */
  readonly callbackUrl?: (host: string) => string;
  /** Test and tuning hooks for every REST client (timeouts, sleeper). */
  readonly client?: Partial<RestClientOptions>;
}

/** One patcher per configured host, built once at start; looked up by a resolved target. */
export class PatcherRegistry {
  private readonly patchers = new Map<string, Patcher>();

  constructor(options: PatcherRegistryOptions) {
    const credential = (variable: string): Secret => {
      const secret = options.credentials.get(variable);
      if (secret === undefined) throw new Error(`no credential loaded for ${variable}`);
      return secret;
    };
    const client = options.client ? { client: options.client } : {};
    for (const host of options.config.github)
      this.add(
        'github-pr',
        host.name,
        new GitHubPrPatcher({ host, token: credential(host.token), ...client }),
      );
    for (const host of options.config.gitlab)
      this.add(
        'gitlab-mr',
        host.name,
        new GitLabMrPatcher({ host, token: credential(host.token), ...client }),
      );
    for (const host of options.config.awx)
      this.add(
        'awx-job',
        host.name,
        new AwxJobPatcher({ host, token: credential(host.token), ...client }),
      );
    for (const host of options.config.webhook) {
      const callbackUrl = host.result === 'callback' ? options.callbackUrl?.(host.name) : undefined;
      this.add(
        'webhook',
        host.name,
        new WebhookPatcher({
          host,
          secret: credential(host.secret),
          ...(callbackUrl ? { callbackUrl } : {}),
          ...client,
        }),
      );
    }
  }

  private add(strategy: PatchStrategyName, host: string, patcher: Patcher): void {
    this.patchers.set(`${strategy}/${host}`, patcher);
  }

  for(target: PatchTarget): Patcher {
    const patcher = this.patchers.get(`${target.strategy}/${target.host}`);
    if (patcher === undefined)
      throw new Error(`no ${target.strategy} patcher for host ${target.host}`);
    return patcher;
  }
}
