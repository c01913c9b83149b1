import type { Secret } from '@hum/config';
import type { AwxHostConfig } from '../config/patching-config';
import { attemptDigest } from '../explanation';
import { ApiError, RestClient, type RestClientOptions, segment } from '../http/rest-client';
import {
  failed,
  type PatchContext,
  type PatchOutcome,
  type Patcher,
  type PatchRequest,
} from '../patcher';

interface AwxJob {
  id: number;
  status:
    'new' | 'pending' | 'waiting' | 'running' | 'successful' | 'failed' | 'error' | 'canceled';
  failed: boolean;
  created: string;
  job_explanation?: string;
  result_traceback?: string;
}

interface LaunchInfo {
  ask_variables_on_launch: boolean;
  ask_limit_on_launch: boolean;
  survey_enabled: boolean;
  can_start_without_user_input: boolean;
  variables_needed_to_start?: string[];
}

const TERMINAL = new Set(['successful', 'failed', 'error', 'canceled']);

export interface AwxJobPatcherOptions {
  readonly host: AwxHostConfig;
  readonly token: Secret;
  readonly client?: Partial<RestClientOptions>;
}

/**
 * awx-job: host and OS package fixes through an AWX / Automation Platform job template,
 * launched with the fix as extra vars and limited to the asset's inventory host, then
 * polled to completion. The attempt's digest travels in the extra vars, so a lost launch
 * response or a crash finds the job again instead of launching a second one.
 */
export class AwxJobPatcher implements Patcher {
  readonly strategy = 'awx-job' as const;
  private readonly client: RestClient;
  private templateId: number | undefined;

  constructor(private readonly options: AwxJobPatcherOptions) {
    this.client = new RestClient({
      baseUrl: `${options.host.url.replace(/\/+$/, '')}/api/v2`,
      label: `AWX (${options.host.name})`,
      headers: () => ({ authorization: `Bearer ${options.token.reveal()}` }),
      ...options.client,
    });
    if (typeof options.host.jobTemplate === 'number') this.templateId = options.host.jobTemplate;
  }

  private jobUrl(id: number): string {
    return `${this.options.host.url.replace(/\/+$/, '')}/#/jobs/playbook/${id}/output`;
  }

  private async template(): Promise<number> {
    if (this.templateId !== undefined) return this.templateId;
    const name = String(this.options.host.jobTemplate);
    const { data } = await this.client.get<{ results: Array<{ id: number }> }>('/job_templates/', {
      query: { name },
    });
    const found = data.results[0];
    if (found === undefined)
      throw new ApiError(
        `${this.client.label}: no job template named "${name}"`,
        404,
        'Not found.',
      );
    this.templateId = found.id;
    return found.id;
  }

  private async findJob(template: number, request: PatchRequest): Promise<AwxJob | undefined> {
    const { data } = await this.client.get<{ results: AwxJob[] }>('/jobs/', {
      query: {
        job_template: template,
        extra_vars__icontains: `hum-${attemptDigest(request.attemptKey, 24)}`,
        order_by: '-id',
      },
    });
    return data.results[0];
  }

  private extraVars(request: PatchRequest): Record<string, string | number | boolean> {
    return {
      ...this.options.host.extraVars,
      hum_attempt: `hum-${attemptDigest(request.attemptKey, 24)}`,
      hum_attempt_key: request.attemptKey,
      hum_fingerprint: request.finding.fingerprint,
      hum_asset_id: request.finding.asset.id,
      hum_tier: request.tier,
      hum_package: request.fix.component,
      hum_ecosystem: request.fix.ecosystem,
      hum_from_version: request.fix.fromVersion,
      hum_to_version: request.fix.toVersion,
      hum_vulnerability: request.finding.vulnerability?.id ?? '',
    };
  }

  async lookup(request: PatchRequest): Promise<PatchOutcome | undefined> {
    const job = await this.findJob(await this.template(), request);
    if (job === undefined) return undefined;
    return TERMINAL.has(job.status)
      ? this.outcomeOf(job)
      : { status: 'pending', detail: `job ${job.id} is ${job.status}`, url: this.jobUrl(job.id) };
  }

  async apply(request: PatchRequest, context: PatchContext): Promise<PatchOutcome> {
    if (request.target.strategy !== 'awx-job')
      throw new Error(`awx-job patcher given a ${request.target.strategy} target`);
    const template = await this.template();
    let job = await this.findJob(template, request);
    if (job === undefined) {
      const { data: launch } = await this.client.get<LaunchInfo>(
        `/job_templates/${template}/launch/`,
      );
      // Without these the job would ignore the fix or run against the whole inventory.
      if (!launch.ask_variables_on_launch && !launch.survey_enabled)
        return failed(
          'api-error',
          `job template ${template} does not accept extra vars on launch (enable "Prompt on launch" for variables)`,
        );
      if (!launch.ask_limit_on_launch)
        return failed(
          'api-error',
          `job template ${template} does not accept a limit on launch; it would run on every host`,
        );
      const { data } = await this.client.post<{ job: number; id: number }>(
        `/job_templates/${template}/launch/`,
        {
          extra_vars: this.extraVars(request),
          limit: request.target.limit,
        },
      );
      job = await this.job(data.job ?? data.id);
    }
    // Counted from this call: after a restart the job gets the full time again.
    const deadline = context.now().getTime() + this.options.host.timeout;
    while (!TERMINAL.has(job.status)) {
      if (context.now().getTime() >= deadline) {
        // A job left running after we gave up could still change the host unreported.
        await this.client.post(`/jobs/${job.id}/cancel/`, {}, { accept: [405] });
        return failed(
          'timeout',
          `job ${job.id} did not finish within ${Math.round(this.options.host.timeout / 1000)} s; cancel requested`,
          this.jobUrl(job.id),
        );
      }
      await context.heartbeat();
      await context.sleep(this.options.host.pollInterval, context.signal);
      job = await this.job(job.id);
    }
    return this.outcomeOf(job);
  }

  private async job(id: number): Promise<AwxJob> {
    const { data } = await this.client.get<AwxJob>(`/jobs/${segment(id)}/`);
    return data;
  }

  private async outcomeOf(job: AwxJob): Promise<PatchOutcome> {
    const url = this.jobUrl(job.id);
    if (job.status === 'successful')
      return { status: 'applied', url, detail: `job ${job.id} successful` };
    const stdout = await this.client.get<string>(`/jobs/${job.id}/stdout/`, {
      query: { format: 'txt' },
      responseType: 'text',
      accept: [404],
    });
    const tail = stdout.status === 404 ? '' : String(stdout.data).slice(-1500);
    const why = [job.job_explanation, job.result_traceback?.slice(-500), tail].filter(
      (p) => p && p.trim() !== '',
    );
    return failed(
      'job-failed',
      `job ${job.id} ${job.status}${why.length > 0 ? `: ${why.join(' | ')}` : ''}`.slice(0, 3500),
      url,
    );
  }
}
